import { strict as assert } from "node:assert";
import { UNKNOWN_VALUE } from "../../validation/unknownValue";
import { FIELD_DEFAULTS as INPUT_DEFAULTS } from "../../provider/fields";
import { checkInputs, diffInputs, plannedMoveFailure } from "../../provider/inputs";

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
        assert.equal(inputs.managementPort, 8443);
        assert.equal(inputs.sshPort, 122);
        assert.equal(inputs.onDelete, "retain");
        assert.equal(inputs.packagesEnabled, true);
        assert.equal(inputs.dangerouslySkipTlsVerification, false);
        assert.deepEqual(Object.keys(INPUT_DEFAULTS).filter((k) => (inputs as unknown as Record<string, unknown>)[k] === undefined), []);
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

    it("refuses ecosystem values that are objects, arrays or null (\"[object Object]\" was once written and run), naming each", () => {
        const r = reasons({ ...valid, ecosystems: { docker: { state: "enabled" }, maven: ["enabled"], npm: null, npmUpstreaming: {} } });
        assert.equal(r.length, 1, r.join(" | "));
        assert.match(r[0], /^ecosystems: docker must be "enabled", "readonly" or "disabled" \(got \{"state":"enabled"\}\)/);
        assert.match(r[0], /maven must be .*\(got \["enabled"\]\)/);
        assert.match(r[0], /npm must be .*\(got null\)/);
        assert.match(r[0], /npmUpstreaming must be true or false \(got \{\}\)/);
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
});
