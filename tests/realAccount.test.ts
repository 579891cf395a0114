import { strict as assert } from "node:assert";
import { makeGhesSettingsProvider } from "../provider/ghesSettingsProvider";
import { checkStorage } from "../storage/storageCheck";

/*
 * Opt-in checks against a real AWS bucket and a staging GHES. They run only when every
 * variable below is set, and are reported as pending (skipped) otherwise:
 *   GHES_PACKAGES_REAL_BUCKET, GHES_PACKAGES_REAL_SERVICE_URL,
 *   GHES_PACKAGES_REAL_ACCESS_KEY_ID, GHES_PACKAGES_REAL_SECRET_ACCESS_KEY
 *   GHES_PACKAGES_REAL_HOSTNAME, GHES_PACKAGES_REAL_SSH_FINGERPRINT, GHES_MANAGEMENT_PASSWORD
 *   (+ optional GHES_PACKAGES_REAL_CA_BUNDLE_FILE)
 * The GHES test writes Packages settings and runs a configuration: use a staging appliance.
 */
const env = process.env;
const s3Ready = ["GHES_PACKAGES_REAL_BUCKET", "GHES_PACKAGES_REAL_SERVICE_URL", "GHES_PACKAGES_REAL_ACCESS_KEY_ID", "GHES_PACKAGES_REAL_SECRET_ACCESS_KEY"].every((k) => env[k]);
const ghesReady = s3Ready && ["GHES_PACKAGES_REAL_HOSTNAME", "GHES_PACKAGES_REAL_SSH_FINGERPRINT", "GHES_MANAGEMENT_PASSWORD"].every((k) => env[k]);

describe("real account (opt-in)", function () {
    this.timeout(45 * 60 * 1000);
    before(function () {
        if (!s3Ready) {
            console.log("    real-account tests SKIPPED: set GHES_PACKAGES_REAL_* (see tests/realAccount.test.ts) to run them");
        }
    });

    (s3Ready ? it : it.skip)("the storage check passes against a real S3 bucket with the real key", async () => {
        const r = await checkStorage({
            serviceUrl: env.GHES_PACKAGES_REAL_SERVICE_URL!, bucket: env.GHES_PACKAGES_REAL_BUCKET!,
            accessKeyId: env.GHES_PACKAGES_REAL_ACCESS_KEY_ID!, secretAccessKey: env.GHES_PACKAGES_REAL_SECRET_ACCESS_KEY!, timeoutMs: 120000,
        });
        assert.equal(r.operations.length, 9);
    });

    (ghesReady ? it : it.skip)("the provider configures a staging GHES and a second apply changes nothing", async () => {
        const { readFileSync } = await import("node:fs");
        const logs: string[] = [];
        const provider = makeGhesSettingsProvider(() => ({ log: (m) => { logs.push(m); console.log(`      ${m}`); }, env: process.env }));
        const news = {
            hostname: env.GHES_PACKAGES_REAL_HOSTNAME, sshHostKeyFingerprint: env.GHES_PACKAGES_REAL_SSH_FINGERPRINT, serviceUrl: env.GHES_PACKAGES_REAL_SERVICE_URL, bucket: env.GHES_PACKAGES_REAL_BUCKET,
            accessKeyId: env.GHES_PACKAGES_REAL_ACCESS_KEY_ID, secretAccessKey: env.GHES_PACKAGES_REAL_SECRET_ACCESS_KEY,
            caBundle: env.GHES_PACKAGES_REAL_CA_BUNDLE_FILE ? readFileSync(env.GHES_PACKAGES_REAL_CA_BUNDLE_FILE, "utf8") : undefined,
        };
        const checked = await provider.check!({}, news);
        assert.deepEqual(checked.failures, []);
        await provider.create(checked.inputs);
        logs.length = 0;
        const again = await provider.create(checked.inputs);
        assert.deepEqual(again.outs!.writtenKeys, []);
        assert.ok(!logs.join("\n").includes(env.GHES_PACKAGES_REAL_SECRET_ACCESS_KEY!));
    });
});
