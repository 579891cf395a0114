import { strict as assert } from "node:assert";
import { changedKeys, GhesSettings, KEYS, maskSettings, storageMoveRefusal, WRITE_ORDER } from "../../ghes/gheConfigKeys";

const desired: GhesSettings = {
    "secrets.packages.blob-storage-type": "s3",
    "secrets.packages.service-url": "https://s3.us-west-2.amazonaws.com",
    "secrets.packages.s3-bucket": "acme",
    "secrets.packages.aws-access-key": "AKIA1",
    "secrets.packages.aws-secret-key": "s3cr3t-value",
    "app.packages.enabled": "true",
};

describe("ghes/gheConfigKeys: what GHES must hold and what to write", () => {
    it("writes everything on a fresh appliance, storage first and the enable flag last", () => {
        assert.deepEqual(changedKeys({}, desired), WRITE_ORDER);
        assert.equal(WRITE_ORDER[WRITE_ORDER.length - 1], KEYS.enabled);
    });

    it("writes nothing when GHES already holds the values", () => {
        assert.deepEqual(changedKeys({ ...desired }, desired), []);
    });

    it("writes only the key pair on a rotation", () => {
        const rotated = { ...desired, [KEYS.accessKeyId]: "AKIA2", [KEYS.secretAccessKey]: "new-secret" };
        assert.deepEqual(changedKeys(desired, rotated), [KEYS.accessKeyId, KEYS.secretAccessKey]);
    });

    it("masks the secret when settings are printed", () => {
        const masked = maskSettings(desired);
        assert.equal(masked[KEYS.secretAccessKey], "(secret, set)");
        assert.ok(!JSON.stringify(masked).includes("s3cr3t-value"));
    });

    describe("storage-change guard", () => {
        const moved = { ...desired, [KEYS.bucket]: "other-bucket" };
        it("refuses moving an instance with Packages enabled to another bucket", () => {
            assert.match(storageMoveRefusal(desired, moved, false)!, /already stores packages elsewhere.*s3-bucket: "acme" -> "other-bucket".*allowStorageMigration/s);
        });
        it("refuses switching an instance that serves packages from Azure Blob storage", () => {
            const azure = { [KEYS.storageType]: "azure", [KEYS.enabled]: "true" };
            assert.match(storageMoveRefusal(azure, desired, false)!, /blob-storage-type: "azure" -> "s3"/);
        });
        it("allows it as a planned migration", () => assert.equal(storageMoveRefusal(desired, moved, true), undefined));
        it("refuses it too when Packages is disabled but storage is configured (packages may still be there)", () =>
            assert.match(storageMoveRefusal({ ...desired, [KEYS.enabled]: "false" }, moved, false)!, /Packages disabled/));
        it("allows first configuration and key rotation", () => {
            assert.equal(storageMoveRefusal({}, desired, false), undefined);
            assert.equal(storageMoveRefusal(desired, { ...desired, [KEYS.accessKeyId]: "AKIA9" }, false), undefined);
        });
    });
});
