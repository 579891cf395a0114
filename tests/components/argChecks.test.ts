import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { GhesPackagesSettings } from "../../components/ghesPackagesSettings";
import { PackagesStorage } from "../../components/packagesStorage";
import { registered, settle } from "../../rehearsal/pulumiMocks";

/*
 * One validation pass before anything exists: every argument problem of a program is
 * reported at construction in one error, each naming its field, and nothing is registered
 * (a bad `ghes` field must not hide a bad `bucket` field until the next run, and no bucket,
 * user or key may be created for a GHES configuration that can never be applied).
 */
const FINGERPRINT = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s";

function errorOf(build: () => unknown): string {
    try {
        build();
    } catch (e) {
        return (e as Error).message;
    }
    assert.fail("expected the construction to throw");
}

describe("components: one validation pass at construction, before anything is registered", () => {
    it("names every problem of ghes, bucket, identity, ecosystems and the host key rule in one error, and registers nothing", async () => {
        const before = registered.length;
        const message = errorOf(() => new PackagesStorage("pv-many", {
            ghes: {
                hostname: "ghes-pv.example.com",
                managementPort: 70000,
                packagesEnabled: false,
                ecosystems: { npm: "enabled" },
                // neither sshHostKeyFingerprint nor sshHostKeyTrustOnFirstUse
            },
            bucket: { bucketName: "Not_A_Bucket", kmsKeyArn: "alias/ghes" },
            identity: { path: "no-slashes" },
        }));
        assert.match(message, /^PackagesStorage pv-many: invalid arguments:/);
        for (const field of ["ghes.managementPort", "ghes.ecosystems", "ghes.sshHostKeyFingerprint", "bucket.bucketName", "bucket.kmsKeyArn", "identity.path"]) {
            assert.match(message, new RegExp(`^  - ${field.replace(".", "\\.")}\\b`, "m"), `${field} is named in:\n${message}`);
        }
        assert.match(message, /ghes\.ecosystems: .*packagesEnabled is false/);
        assert.match(message, /ghes\.sshHostKeyFingerprint: .*sshHostKeyTrustOnFirstUse/);
        await settle();
        assert.deepEqual(registered.slice(before).filter((r) => r.name.startsWith("pv-many")), [], "not even the component");
    });

    it("refuses ecosystems with packagesEnabled: false at construction (not only in the provider's check at deploy time)", async () => {
        const before = registered.length;
        assert.throws(() => new PackagesStorage("pv-eco", {
            ghes: { hostname: "ghes-pv-eco.example.com", sshHostKeyFingerprint: FINGERPRINT, packagesEnabled: false, ecosystems: { docker: "readonly" } },
        }), /ghes\.ecosystems: cannot be managed while packagesEnabled is false/);
        await settle();
        assert.equal(registered.slice(before).filter((r) => r.name.startsWith("pv-eco")).length, 0);
    });

    it("refuses a program with neither a verified host key nor the trust-on-first-use opt-in, and accepts either", async () => {
        assert.throws(() => new PackagesStorage("pv-key", { ghes: { hostname: "ghes-pv-key.example.com" } }),
            /ghes\.sshHostKeyFingerprint: is required unless sshHostKeyTrustOnFirstUse is true/);
        assert.doesNotThrow(() => new PackagesStorage("pv-key-pinned", { ghes: { hostname: "ghes-pv-key1.example.com", sshHostKeyFingerprint: FINGERPRINT } }));
        assert.doesNotThrow(() => new PackagesStorage("pv-key-tofu", { ghes: { hostname: "ghes-pv-key2.example.com", sshHostKeyTrustOnFirstUse: true } }));
        // Values not known at construction (stack outputs, secrets) are judged by the provider instead.
        assert.doesNotThrow(() => new PackagesStorage("pv-key-later", { ghes: { hostname: "ghes-pv-key3.example.com", sshHostKeyFingerprint: pulumi.output(FINGERPRINT) } }));
        await settle();
    });

    it("reports a bad ghes field and a bad bucket field together (no group hides another)", () => {
        const message = errorOf(() => new PackagesStorage("pv-groups", {
            ghes: { hostname: "-bad host", sshHostKeyFingerprint: FINGERPRINT },
            existingBucket: { name: "ok-bucket-name", region: "nowhere-1" },
            identity: { userName: "has space" },
        }));
        for (const field of ["ghes.hostname", "existingBucket.region", "identity.userName"]) assert.ok(message.includes(`- ${field}`), `${field} in:\n${message}`);
    });

    it("guards direct users of GhesPackagesSettings with the same cross-field rules", async () => {
        const before = registered.length;
        const message = errorOf(() => new GhesPackagesSettings("pv-direct", {
            hostname: "ghes-pv-direct.example.com", serviceUrl: "https://s3.us-west-2.amazonaws.com", bucket: "pv-direct-bucket",
            accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: pulumi.secret("x".repeat(40)),
            packagesEnabled: false, ecosystems: { npm: "enabled" }, caBundle: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", dangerouslySkipTlsVerification: true,
        }));
        for (const field of ["ecosystems", "sshHostKeyFingerprint", "dangerouslySkipTlsVerification"]) assert.match(message, new RegExp(`^  - ${field}: `, "m"), `${field} in:\n${message}`);
        await settle();
        assert.equal(registered.slice(before).filter((r) => r.name === "pv-direct").length, 0);
    });
});
