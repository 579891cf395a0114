import { strict as assert } from "node:assert";
import * as rules from "../../validation/ghesValues";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"; // what Pulumi passes for a value not known in preview

/** Each rule over valid values (no problem) and invalid ones (the problem, written out). */
function table(rule: (v: string) => string | undefined, valid: string[], invalid: [string, string][]): void {
    for (const v of valid) assert.equal(rule(v), undefined, JSON.stringify(v));
    for (const [v, problem] of invalid) assert.equal(rule(v), problem, JSON.stringify(v));
}

describe("validation/ghesValues: the values GHES settings accept", () => {
    it("hostname: a DNS name or an IP address, nothing around it", () => {
        const bad = (h: string) => `must be a host name or IP address without scheme, port or path (got ${JSON.stringify(h)})`;
        const label63 = "a".repeat(63);
        table(rules.hostnameError,
            ["ghes.example.com", "GHES.Example.com", "localhost", "a", "a-b.c9", "9gag.com", "1.2.3.x", "127.0.0.1", "::1", "fe80::1", `${label63}.com`, `${"a.".repeat(126)}a`],
            ["", "https://ghes.example.com", "ghes.example.com:8443", "ghes.example.com/x", "ghes;reboot", "-ghes.com", "ghes-.com", "a..b", "a_b.com",
                `${label63}a.com`, `${"a.".repeat(126)}ab`, "010.000.000.001", "1.2.3", "1.2.3.4.5", ":::", " ghes.example.com", "ghes.example.com\n"]
                .map((h) => [h, bad(h)]));
    });

    it("normalizes a host name to one spelling: lower case, no trailing dot", () => {
        assert.equal(rules.normalizeHostname("GHES.Example.COM."), "ghes.example.com");
        assert.equal(rules.normalizeHostname("ghes.example.com"), "ghes.example.com");
        assert.equal(rules.normalizeHostname("a.b.."), "a.b.");
        assert.equal(rules.normalizeHostname("a.b.c"), "a.b.c");
    });

    it("serviceUrl: https service root; plain http only for a loopback stand-in", () => {
        table(rules.serviceUrlError,
            ["https://s3.us-west-2.amazonaws.com", "https://s3.us-west-2.amazonaws.com/", "https://minio.internal:9000", "https://10.0.0.5", "https://[::1]:9000",
                "http://127.0.0.1:4568", "http://localhost:9000", "http://[::1]:9000"],
            [
                ["s3.amazonaws.com", 'must be an absolute URL such as https://s3.us-west-2.amazonaws.com (got "s3.amazonaws.com")'],
                ["http://s3.amazonaws.com", 'must use https (got "http:")'],
                ["http://10.0.0.5", 'must use https (got "http:")'],
                ["ftp://s3.amazonaws.com", 'must use https (got "ftp:")'],
                ["ftp://127.0.0.1:21", 'must use https (got "ftp:")'],
                ["https://a:b@s3.amazonaws.com", "must not contain credentials"],
                ["https://a@s3.amazonaws.com", "must not contain credentials"],
                ["https://:b@s3.amazonaws.com", "must not contain credentials"],
                ["https://s3_x.amazonaws.com", 'must name its host as a DNS name or IP address (got "s3_x.amazonaws.com")'],
                ["https://s3.amazonaws.com/bucket", "must be the service root, without path, query or fragment"],
                ["https://s3.amazonaws.com?x=1", "must be the service root, without path, query or fragment"],
                ["https://s3.amazonaws.com#f", "must be the service root, without path, query or fragment"],
                ["https://s3.amazonaws.com\t", "must not contain spaces or control characters"],
                ["https://s3.amazonaws.com ", "must not contain spaces or control characters"],
                ["https://s3.amazon\naws.com", "must not contain spaces or control characters"],
                ["\x00https://s3.amazonaws.com", "must not contain spaces or control characters"],
            ]);
    });

    it("caBundle, host-key fingerprint, SSH private key", () => {
        table(rules.caBundleError, ["-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", "junk\n-----BEGIN CERTIFICATE-----"],
            [["MIIB", "must be PEM text with at least one -----BEGIN CERTIFICATE----- block"], ["-----BEGIN PUBLIC KEY-----", "must be PEM text with at least one -----BEGIN CERTIFICATE----- block"]]);
        const fp = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s";
        const badFp = (v: string) => `must be an OpenSSH SHA256 fingerprint such as SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s (got ${JSON.stringify(v)})`;
        table(rules.fingerprintError, [fp, "SHA256:+/" + "A".repeat(41)],
            [fp.slice(0, -1), `${fp}A`, `${fp}=`, fp.replace("SHA256", "sha256"), `x${fp}`, fp.replace("uNi", "u-i"), `${fp}\n`, "MD5:aa:bb"].map((v) => [v, badFp(v)]));
        table(rules.sshPrivateKeyError, ["-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n-----END OPENSSH PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY-----"],
            [["ssh-ed25519 AAAAC3Nz user@host", "must be a PEM or OpenSSH private key"], ["-----BEGIN PUBLIC KEY-----", "must be a PEM or OpenSSH private key"]]);
    });

    it("managementUser: api_key or a Management Console user name", () => {
        const bad = "must be api_key or a Management Console user name";
        table(rules.managementUserError, ["api_key", "ops.admin@corp-1", "a", "u".repeat(64)],
            ["", "u".repeat(65), "ops admin", "ops;reboot", "ops'", "api_key\n", "\napi_key", "ops/admin"].map((v) => [v, bad]));
    });

    it("managementPassword: no control characters, long enough to be masked (4)", () => {
        table(rules.passwordError, ["pass", "p a s s", "pässwörd", "'$(reboot)'"], [
            ["pas", "must be at least 4 characters"], ["", "must be at least 4 characters"],
            ["pass\nword", "must not contain control characters"], ["pass\tword", "must not contain control characters"],
            ["password\x00", "must not contain control characters"], ["password\x7f", "must not contain control characters"], ["\x1f", "must not contain control characters"],
        ]);
    });

    it("bucket: an S3 bucket name, the problem without the field's name", () => {
        table(rules.bucketError, ["acme-packages", "abc"], [
            ["ab", "bucket name must be 3-63 characters long (got 2)"],
            ["Acme", "only lowercase letters, digits, '.' and '-' are allowed in bucket names (got \"Acme\")"],
        ]);
    });

    it("access key id and secret key: printable, no spaces, never a leading '-' (ghe-config would read an option)", () => {
        table(rules.accessKeyIdError, ["AKIAIOSFODNN7EXAMPLE", "abc", "a".repeat(128), "A-KIA", "!~x"], [
            ["ab", "must be 3-128 printable characters without spaces"], ["a".repeat(129), "must be 3-128 printable characters without spaces"],
            ["AKIA EXAMPLE", "must be 3-128 printable characters without spaces"], ["AKIA\x7fX", "must be 3-128 printable characters without spaces"],
            ["AKIAé", "must be 3-128 printable characters without spaces"], ["AKIA\n", "must be 3-128 printable characters without spaces"],
            ["-AKIA", "must not begin with '-'"], ["--unset", "must not begin with '-'"],
        ]);
        table(rules.secretAccessKeyError, ["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "abcd", "s".repeat(256), "a-b+/="], [
            ["abc", "must be 4-256 printable characters without spaces"], ["s".repeat(257), "must be 4-256 printable characters without spaces"],
            ["secret key", "must be 4-256 printable characters without spaces"], ["secret\x00", "must be 4-256 printable characters without spaces"],
            ["secret\n", "must be 4-256 printable characters without spaces"],
            ["-secret", "must not begin with '-'"], ["--unset", "must not begin with '-'"],
        ]);
    });

    it("ecosystems: known ecosystems, each enabled, readonly or disabled; npmUpstreaming true or false; every problem named", () => {
        for (const ok of [{}, { docker: "readonly", container: "enabled", maven: "disabled", npm: "enabled", nuget: "readonly", rubygems: "disabled" },
            { npmUpstreaming: false }, { npmUpstreaming: true }, { docker: undefined }, { docker: UNKNOWN }, { npmUpstreaming: UNKNOWN }]) {
            assert.equal(rules.ecosystemsError(ok), undefined, JSON.stringify(ok));
        }
        const notObject = (v: unknown) => `must be an object such as { docker: "readonly", container: "enabled" } (got ${JSON.stringify(v)})`;
        for (const v of [null, [], "docker", 1, true]) assert.equal(rules.ecosystemsError(v), notObject(v), JSON.stringify(v));
        assert.equal(rules.ecosystemsError({ npmUpstreaming: "yes" }), 'npmUpstreaming must be true or false (got "yes")');
        assert.equal(rules.ecosystemsError({ pypi: "enabled" }), '"pypi" is not an ecosystem (container, docker, maven, npm, nuget, rubygems, npmUpstreaming)');
        assert.equal(rules.ecosystemsError({ docker: "on" }), 'docker must be "enabled", "readonly" or "disabled" (got "on")');
        assert.equal(rules.ecosystemsError({ docker: true }), 'docker must be "enabled", "readonly" or "disabled" (got true)');
        assert.equal(rules.ecosystemsError({ docker: null }), 'docker must be "enabled", "readonly" or "disabled" (got null)');
        assert.equal(rules.ecosystemsError({ docker: { output: true } }), 'docker must be "enabled", "readonly" or "disabled" (got {"output":true})');
        assert.equal(rules.ecosystemsError({ docker: "on", pypi: "enabled", npmUpstreaming: 1 }),
            'docker must be "enabled", "readonly" or "disabled" (got "on"); "pypi" is not an ecosystem (container, docker, maven, npm, nuget, rubygems, npmUpstreaming); npmUpstreaming must be true or false (got 1)');
    });
});
