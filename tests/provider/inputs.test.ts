import { strict as assert } from "node:assert";
import { UNKNOWN_VALUE } from "../../validation/unknownValue";
import { checkInputs, connectionOf, diffInputs, managedKeysOf, plannedMoveFailure, sameValue, secretValuesOf } from "../../provider/inputs";

const valid = {
    hostname: "ghes.example.com",
    managementPassword: "pw-123456",
    serviceUrl: "https://s3.us-west-2.amazonaws.com",
    bucket: "acme-packages",
    accessKeyId: "AKIAIOSFODNN7EXAMPLE",
    secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};

const reasons = (raw: Record<string, unknown>, env = {}) => checkInputs(raw, env).failures.map((f) => f.reason);

describe("provider/inputs: check validates everything before any network call", () => {
    it("fills documented defaults", () => {
        const { inputs, failures } = checkInputs(valid);
        assert.deepEqual(failures, []);
        const { hostname, managementPassword, serviceUrl, bucket, accessKeyId, secretAccessKey, ...defaulted } = inputs;
        assert.deepEqual({ hostname, managementPassword, serviceUrl, bucket, accessKeyId, secretAccessKey }, valid);
        // The README's defaults ("GhesPackagesSettings" table), written out.
        assert.deepEqual(defaulted, {
            managementPort: 8443, sshPort: 122, managementUser: "api_key",
            dangerouslySkipTlsVerification: false, sshHostKeyTrustOnFirstUse: false,
            packagesEnabled: true, applyConfiguration: true, applyTimeoutSeconds: 1800, maintenanceMode: false,
            allowStorageMigration: false, allowSharedBucket: false, onDelete: "retain",
            storageCheck: true, storageCheckTimeoutSeconds: 120,
        });
    });

    const bad: [string, Record<string, unknown>, RegExp][] = [
        ["hostname with scheme", { hostname: "https://ghes.example.com" }, /^hostname: must be a host name/],
        ["hostname with port", { hostname: "ghes.example.com:8443" }, /^hostname:/],
        ["hostname with shell", { hostname: "ghes;reboot" }, /^hostname:/],
        ["port 0", { managementPort: 0 }, /^managementPort: must be a whole number from 1 to 65535/],
        ["port too large", { sshPort: 70000 }, /^sshPort:/],
        ["http service URL", { serviceUrl: "http://s3.us-west-2.amazonaws.com" }, /^serviceUrl: must use https/],
        ["service URL with path", { serviceUrl: "https://s3.amazonaws.com/bucket" }, /^serviceUrl: must be the service root/],
        ["service URL with credentials", { serviceUrl: "https://a:b@s3.amazonaws.com" }, /^serviceUrl: must not contain credentials/],
        ["service URL not a URL", { serviceUrl: "s3.amazonaws.com" }, /^serviceUrl: must be an absolute URL/],
        ["bucket with quotes", { bucket: "acme'$(reboot)'" }, /^bucket: only lowercase/],
        ["bucket with newline", { bucket: "acme\nx" }, /^bucket:/],
        ["empty secret", { secretAccessKey: "" }, /^secretAccessKey: is required/],
        ["secret with newline", { secretAccessKey: "abc\ndef" }, /^secretAccessKey: must be 4-256 printable/],
        // Shorter secrets could not be masked in error messages (ghes/redaction.ts).
        ["secret too short to be masked", { secretAccessKey: "abc" }, /^secretAccessKey: must be 4-256 printable/],
        ["password too short to be masked", { managementPassword: "pw1" }, /^managementPassword: must be at least 4 characters/],
        ["key id with space", { accessKeyId: "AKIA X" }, /^accessKeyId:/],
        ["bad fingerprint", { sshHostKeyFingerprint: "MD5:aa:bb" }, /^sshHostKeyFingerprint: must be an OpenSSH SHA256/],
        ["bad CA bundle", { caBundle: "not a pem" }, /^caBundle:/],
        ["CA bundle and skip verification", { caBundle: "-----BEGIN CERTIFICATE-----\nx", dangerouslySkipTlsVerification: true }, /^dangerouslySkipTlsVerification: contradicts caBundle/],
        ["bad onDelete", { onDelete: "destroy" }, /^onDelete: must be "retain" or "disable"/],
        ["short apply timeout", { applyTimeoutSeconds: 1 }, /^applyTimeoutSeconds:/],
        ["boolean as string", { packagesEnabled: "yes" }, /^packagesEnabled: must be true or false/],
        ["bad SSH key", { sshPrivateKey: "ssh-ed25519 AAAA" }, /^sshPrivateKey: must be a PEM or OpenSSH private key/],
    ];
    for (const [what, override, why] of bad) {
        it(`refuses ${what}, naming the field`, () => {
            const r = reasons({ ...valid, ...override });
            assert.ok(r.some((x) => why.test(x)), r.join(" | "));
        });
    }

    const hostile: [string, Record<string, unknown>, RegExp][] = [
        ["a fingerprint padded with '='", { sshHostKeyFingerprint: "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s=" }, /^sshHostKeyFingerprint:/],
        ["hostname ':::'", { hostname: ":::" }, /^hostname:/],
        ["hostname with leading-zero octets", { hostname: "010.000.000.001" }, /^hostname:/],
        ["an access key id that looks like an option", { accessKeyId: "--unset" }, /^accessKeyId:/],
        ["a service URL host with quotes", { serviceUrl: "https://s3'.amazonaws.com" }, /^serviceUrl:/],
        ["a service URL host with $()", { serviceUrl: "https://$(reboot).amazonaws.com" }, /^serviceUrl:/],
        ["a service URL host with backticks", { serviceUrl: "https://`id`.amazonaws.com" }, /^serviceUrl:/],
    ];
    for (const [what, over, expected] of hostile) {
        it(`refuses ${what} (a value that passed before but can never work), naming the field`, () => {
            const r = reasons({ ...valid, ...over });
            assert.equal(r.length, 1, r.join("; "));
            assert.match(r[0], expected);
        });
    }

    it("normalises host names so spelling never replaces the resource", () => {
        const { inputs } = checkInputs({ ...valid, hostname: "GHES.Example.COM." });
        assert.equal(inputs.hostname, "ghes.example.com");
        assert.deepEqual(diffInputs(checkInputs(valid).inputs, inputs).replaces, []);
        assert.equal(checkInputs({ ...valid, hostname: "2001:DB8::1" }).inputs.hostname, "2001:db8::1");
    });

    it("requires a password unless GHES_MANAGEMENT_PASSWORD is set at run time", () => {
        const { managementPassword: _omit, ...noPassword } = valid;
        assert.match(reasons(noPassword).join(), /managementPassword: is required: .*GHES_MANAGEMENT_PASSWORD/);
        assert.deepEqual(reasons(noPassword, { GHES_MANAGEMENT_PASSWORD: "from-env" }), []);
        assert.match(reasons(noPassword, { GHES_MANAGEMENT_PASSWORD: "pw1" }).join(), /managementPassword: GHES_MANAGEMENT_PASSWORD must be at least 4 characters/, "too short to be masked");
    });

    it("accepts plain http only for a loopback S3 stand-in", () => {
        assert.deepEqual(reasons({ ...valid, serviceUrl: "http://127.0.0.1:9000" }), []);
        assert.match(reasons({ ...valid, serviceUrl: "http://minio.internal:9000" }).join(), /must use https/);
    });

    it("does not report unknown (preview) values as failures", () => {
        const r = reasons({ ...valid, bucket: UNKNOWN_VALUE, accessKeyId: UNKNOWN_VALUE, secretAccessKey: UNKNOWN_VALUE, hostname: UNKNOWN_VALUE });
        assert.deepEqual(r, []);
    });

    it("does not judge in preview what the sentinel itself would fail: ports, URLs, certificates, booleans, choices, ecosystems", () => {
        const unknownEverywhere = {
            ...valid, serviceUrl: UNKNOWN_VALUE, caBundle: UNKNOWN_VALUE, sshHostKeyFingerprint: UNKNOWN_VALUE, sshPrivateKey: UNKNOWN_VALUE,
            managementPort: UNKNOWN_VALUE, applyTimeoutSeconds: UNKNOWN_VALUE, packagesEnabled: UNKNOWN_VALUE, onDelete: UNKNOWN_VALUE, ecosystems: UNKNOWN_VALUE,
        };
        assert.deepEqual(reasons(unknownEverywhere), []);
        const { inputs } = checkInputs(unknownEverywhere);
        assert.equal(inputs.managementPort as unknown, UNKNOWN_VALUE, "kept as it is, to be judged when known");
        assert.equal(inputs.onDelete as unknown, UNKNOWN_VALUE);
    });

    it("treats null and an empty string as not given: the default, or 'required'", () => {
        const { inputs, failures } = checkInputs({ ...valid, managementPort: null, caBundle: "", managementUser: "" });
        assert.deepEqual(failures, []);
        assert.deepEqual([inputs.managementPort, inputs.caBundle, inputs.managementUser], [8443, undefined, "api_key"]);
        assert.deepEqual(reasons({ ...valid, bucket: "" }), ["bucket: is required"]);
        assert.deepEqual(reasons({ ...valid, hostname: null }), ["hostname: is required"]);
        assert.deepEqual(reasons({ ...valid, managementPort: "" }), ["managementPort: must be a whole number from 1 to 65535 (got \"\")"], "only for text fields");
    });

    it("manages (reads for drift, writes) the storage keys and the enable flag, and each ecosystem's pair only once it is declared", () => {
        const { inputs } = checkInputs(valid);
        const storage = ["secrets.packages.blob-storage-type", "secrets.packages.service-url", "secrets.packages.s3-bucket", "secrets.packages.aws-access-key",
            "secrets.packages.aws-secret-key", "app.packages.enabled"];
        assert.deepEqual(managedKeysOf(inputs), storage);
        assert.deepEqual(managedKeysOf({ ...inputs, ecosystems: { docker: "enabled" } }), [...storage, "app.packages.docker-enabled", "secrets.packages.docker-enabled"]);
    });

    it("reports every problem at once, each naming its field", () => {
        assert.deepEqual(reasons({ ...valid, managementPort: 1.5, sshPort: "22", onDelete: "destroy", bucket: 7, ecosystems: { docker: "on" } }), [
            "managementPort: must be a whole number from 1 to 65535 (got 1.5)",
            "sshPort: must be a whole number from 1 to 65535 (got \"22\")",
            "bucket: must be a string (got number)",
            "onDelete: must be \"retain\" or \"disable\" (got \"destroy\")",
            "ecosystems: docker must be \"enabled\", \"readonly\" or \"disabled\" (got \"on\")",
        ], "in the field table's order");
    });

    it("bounds whole numbers at both ends: ports 1-65535, the configuration-run timeout", () => {
        assert.deepEqual(reasons({ ...valid, managementPort: 1, sshPort: 65535 }), []);
        assert.deepEqual(reasons({ ...valid, managementPort: 65536 }), ["managementPort: must be a whole number from 1 to 65535 (got 65536)"]);
        assert.deepEqual(reasons({ ...valid, sshPort: 0 }), ["sshPort: must be a whole number from 1 to 65535 (got 0)"]);
    });

    it("refuses ecosystems while Packages is off, and accepts them with it on", () => {
        assert.deepEqual(reasons({ ...valid, packagesEnabled: false, ecosystems: { docker: "enabled" } }),
            ["ecosystems: cannot be managed while packagesEnabled is false: ecosystem toggles only mean something with GitHub Packages on (leave ecosystems out to disable Packages)"]);
        assert.deepEqual(reasons({ ...valid, packagesEnabled: false }), []);
        assert.deepEqual(reasons({ ...valid, ecosystems: { docker: "enabled", npmUpstreaming: false } }), []);
    });

    it("refuses ecosystem values that are objects, arrays or null (\"[object Object]\" was once written and run), naming each", () => {
        const r = reasons({ ...valid, ecosystems: { docker: { state: "enabled" }, maven: ["enabled"], npm: null, npmUpstreaming: {} } });
        assert.equal(r.length, 1, r.join(" | "));
        assert.match(r[0], /^ecosystems: docker must be "enabled", "readonly" or "disabled" \(got \{"state":"enabled"\}\)/);
        assert.match(r[0], /maven must be .*\(got \["enabled"\]\)/);
        assert.match(r[0], /npm must be .*\(got null\)/);
        assert.match(r[0], /npmUpstreaming must be true or false \(got \{\}\)/);
    });

    it("a CA bundle or skipping verification, each alone, is fine", () => {
        assert.deepEqual(reasons({ ...valid, caBundle: "-----BEGIN CERTIFICATE-----\nx" }), []);
        assert.deepEqual(reasons({ ...valid, dangerouslySkipTlsVerification: true }), []);
    });

    it("collects the secret values to redact: the secret fields given, and the environment's password", () => {
        assert.deepEqual(secretValuesOf({ ...valid, sshPrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----k", bucket: "b" }, {}).sort(),
            ["-----BEGIN OPENSSH PRIVATE KEY-----k", "pw-123456", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"]);
        assert.deepEqual(secretValuesOf({ managementPassword: 7 }, { GHES_MANAGEMENT_PASSWORD: "from-env-pw" }), ["from-env-pw"], "only strings, plus the environment's");
    });

    it("resolves the connection: the environment's password when none is given, the given host key before the pinned one", () => {
        const { managementPassword: _omit, ...noPassword } = valid;
        const inputs = checkInputs({ ...noPassword, sshHostKeyTrustOnFirstUse: true }, { GHES_MANAGEMENT_PASSWORD: "env-pw-1" }).inputs;
        assert.deepEqual(connectionOf(inputs, { GHES_MANAGEMENT_PASSWORD: "env-pw-1" }, "SHA256:pinned"), {
            hostname: "ghes.example.com", managementPort: 8443, sshPort: 122, caBundle: undefined, dangerouslySkipTlsVerification: false,
            managementUser: "api_key", managementPassword: "env-pw-1", sshPrivateKey: undefined, expectedHostKey: "SHA256:pinned", trustHostKeyOnFirstUse: true,
        });
        const given = checkInputs({ ...valid, sshHostKeyFingerprint: "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s" }).inputs;
        assert.equal(connectionOf(given, { GHES_MANAGEMENT_PASSWORD: "env-pw-1" }, "SHA256:pinned").expectedHostKey, "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s");
        assert.equal(connectionOf(given, { GHES_MANAGEMENT_PASSWORD: "env-pw-1" }).managementPassword, "pw-123456", "the input wins over the environment");
        assert.throws(() => connectionOf(inputs, {}), /^Error: managementPassword: not given and GHES_MANAGEMENT_PASSWORD is not set$/);
    });

    it("never echoes a secret in a failure", () => {
        const r = reasons({ ...valid, secretAccessKey: "has spaces secret-xyz" });
        assert.ok(r.length === 1 && !r[0].includes("secret-xyz"), r[0]);
    });
});

describe("provider/inputs: diff", () => {
    const olds = checkInputs(valid).inputs as unknown as Record<string, unknown>;
    it("no change is no change", () => assert.deepEqual(diffInputs(olds, { ...olds }), { changed: [], replaces: [] }));
    it("a new hostname replaces", () => assert.deepEqual(diffInputs(olds, { ...olds, hostname: "ghes2.example.com" }).replaces, ["hostname"]));
    it("storage, key and enable flag update in place", () => {
        const d = diffInputs(olds, { ...olds, bucket: "b2-bucket", secretAccessKey: "x-new-secret", packagesEnabled: false });
        assert.deepEqual(d.changed.sort(), ["bucket", "packagesEnabled", "secretAccessKey"]);
        assert.deepEqual(d.replaces, []);
    });
    it("an unknown value counts as a change", () => assert.deepEqual(diffInputs(olds, { ...olds, accessKeyId: UNKNOWN_VALUE }).changed, ["accessKeyId"]));

    it("plans the storage guard from the previous inputs", () => {
        const news = checkInputs({ ...valid, bucket: "other-bucket" }).inputs;
        assert.match(plannedMoveFailure(olds, news)!.reason, /^bucket: GitHub Packages storage is already configured on this instance .*already stores packages elsewhere .*allowStorageMigration: true/);
        assert.equal(plannedMoveFailure(olds, { ...news, allowStorageMigration: true }), undefined);
        // Storage configured but Packages disabled may still hold packages: guarded too (issue 8).
        assert.match(plannedMoveFailure({ ...olds, packagesEnabled: false }, news)!.reason, /^bucket: .*Packages disabled/);
        assert.equal(plannedMoveFailure({ ...olds, bucket: undefined }, news), undefined, "nothing configured yet: nothing to guard");
    });

    it("names the service URL when that is what moves; leaves a value unknown in preview to the live guard", () => {
        const moved = checkInputs({ ...valid, serviceUrl: "https://s3.eu-west-1.amazonaws.com" }).inputs;
        assert.match(plannedMoveFailure(olds, moved)!.reason, /^serviceUrl: GitHub Packages storage is already configured/);
        assert.equal(plannedMoveFailure(olds, moved)!.property, "serviceUrl");
        const preview = checkInputs({ ...valid, bucket: UNKNOWN_VALUE }).inputs;
        assert.equal(plannedMoveFailure(olds, preview), undefined);
    });

    it("guards only the same appliance: another host name is another resource (replaced, not moved)", () => {
        const elsewhere = checkInputs({ ...valid, hostname: "ghes2.example.com", bucket: "other-bucket" }).inputs;
        assert.equal(plannedMoveFailure(olds, elsewhere), undefined);
        const sameByOtherSpelling = checkInputs({ ...valid, bucket: "other-bucket" }).inputs;
        assert.ok(plannedMoveFailure({ ...olds, hostname: "GHES.example.com." }, sameByOtherSpelling), "the old state's spelling is normalised first");
    });

    it("compares structured values by content, in any key order; a removed toggle is a change", () => {
        const withEco = { ...olds, ecosystems: { docker: "readonly", npm: "enabled" } };
        assert.deepEqual(diffInputs(withEco, { ...olds, ecosystems: { npm: "enabled", docker: "readonly", maven: undefined } }).changed, []);
        assert.deepEqual(diffInputs(withEco, { ...olds, ecosystems: { docker: "readonly" } }).changed, ["ecosystems"]);
        assert.deepEqual(diffInputs(withEco, { ...olds }).changed, ["ecosystems"]);
        assert.deepEqual(diffInputs(withEco, { ...olds, ecosystems: { docker: "enabled", npm: "enabled" } }).changed, ["ecosystems"], "a changed state");
        assert.equal(sameValue({ docker: "readonly", npm: "enabled" }, { npm: "enabled", docker: "readonly" }), true);
        assert.equal(sameValue({ docker: "readonly" }, { docker: "enabled" }), false);
        assert.equal(sameValue(8443, "8443"), false);
        assert.equal(sameValue(undefined, null), true);
        assert.deepEqual(diffInputs({ ...olds, caBundle: null }, { ...olds }).changed, [], "null and absent are the same");
        assert.deepEqual(diffInputs(olds, { ...olds, managementPort: "8443" }).changed, ["managementPort"], "a string is not the number");
    });
});
