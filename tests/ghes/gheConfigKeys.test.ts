import { strict as assert } from "node:assert";
import { changedKeys, GhesSettings, isEnabled, isTrue, KEYS, maskSettings, storageMoveRefusal } from "../../ghes/gheConfigKeys";

const desired: GhesSettings = {
    "secrets.packages.blob-storage-type": "s3",
    "secrets.packages.service-url": "https://s3.us-west-2.amazonaws.com",
    "secrets.packages.s3-bucket": "acme",
    "secrets.packages.aws-access-key": "AKIA1",
    "secrets.packages.aws-secret-key": "s3cr3t-value",
    "app.packages.enabled": "true",
};

describe("ghes/gheConfigKeys: what GHES must hold and what to write", () => {
    it("names the keys GHES documents for Packages storage (staging-instance guide, backup-utils)", () => {
        assert.deepEqual(KEYS, {
            storageType: "secrets.packages.blob-storage-type",
            serviceUrl: "secrets.packages.service-url",
            bucket: "secrets.packages.s3-bucket",
            accessKeyId: "secrets.packages.aws-access-key",
            secretAccessKey: "secrets.packages.aws-secret-key",
            enabled: "app.packages.enabled",
        });
    });

    it("writes everything on a fresh appliance, storage first and the enable flag last", () => {
        assert.deepEqual(changedKeys({}, desired), [
            "secrets.packages.blob-storage-type", "secrets.packages.service-url", "secrets.packages.s3-bucket",
            "secrets.packages.aws-access-key", "secrets.packages.aws-secret-key", "app.packages.enabled",
        ]);
    });

    it("writes ecosystem toggles after storage and before the enable flag, by name, whatever order they come in", () => {
        const withToggles = { "app.packages.npm-enabled": "false", ...desired, "app.packages.container-enabled": "true", "app.packages.docker-enabled": "readonly" };
        assert.deepEqual(changedKeys({}, withToggles), [
            "secrets.packages.blob-storage-type", "secrets.packages.service-url", "secrets.packages.s3-bucket",
            "secrets.packages.aws-access-key", "secrets.packages.aws-secret-key",
            "app.packages.container-enabled", "app.packages.docker-enabled", "app.packages.npm-enabled",
            "app.packages.enabled",
        ]);
        assert.deepEqual(changedKeys(desired, { ...desired, "app.packages.npm-enabled": "true", [KEYS.bucket]: "b2" }), ["secrets.packages.s3-bucket", "app.packages.npm-enabled"]);
    });

    it("skips keys without a desired value, whatever GHES holds for them", () => {
        assert.deepEqual(changedKeys({}, { [KEYS.bucket]: "acme", [KEYS.serviceUrl]: undefined }), ["secrets.packages.s3-bucket"]);
        assert.deepEqual(changedKeys({ [KEYS.serviceUrl]: "https://s3" }, { [KEYS.bucket]: "acme", [KEYS.serviceUrl]: undefined }), ["secrets.packages.s3-bucket"]);
    });

    it("puts storage keys in write order whatever order they are given in", () => {
        const reversed = Object.fromEntries(Object.entries(desired).reverse());
        assert.deepEqual(changedKeys({}, reversed), [
            "secrets.packages.blob-storage-type", "secrets.packages.service-url", "secrets.packages.s3-bucket",
            "secrets.packages.aws-access-key", "secrets.packages.aws-secret-key", "app.packages.enabled",
        ]);
    });

    it("reads booleans as ghe-config (git config) does: true, yes, on, 1 in any case, surrounding blanks ignored", () => {
        for (const v of ["true", "TRUE", "Yes", "on", "1", " true\n"]) assert.equal(isTrue(v), true, JSON.stringify(v));
        for (const v of [undefined, "", "false", "no", "off", "0", "truex", "xtrue", "10", "enabled"]) assert.equal(isTrue(v), false, JSON.stringify(v));
        assert.equal(isEnabled({ "app.packages.enabled": "yes" }), true);
        assert.equal(isEnabled({ "app.packages.enabled": "false" }), false);
        assert.equal(isEnabled({}), false);
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
        assert.deepEqual(maskSettings({ "app.packages.enabled": "true", "secrets.packages.aws-secret-key": "", "secrets.packages.s3-bucket": undefined, "secrets.packages.service-url": "https://s3" }), {
            "secrets.packages.service-url": "https://s3", "secrets.packages.aws-secret-key": "(empty)", "app.packages.enabled": "true",
        });
        assert.deepEqual(Object.keys(maskSettings({ "app.packages.enabled": "true", "secrets.packages.s3-bucket": "b" })), ["secrets.packages.s3-bucket", "app.packages.enabled"], "printed in write order");
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
        it("explains the refusal in full: every moved key, both values, what to do", () => {
            const everything = { ...desired, [KEYS.serviceUrl]: "https://s3.eu-west-1.amazonaws.com", [KEYS.bucket]: "other-bucket" };
            assert.equal(storageMoveRefusal(desired, everything, false),
                "GitHub Packages storage is already configured on this instance (Packages enabled) and may hold packages: it already stores packages elsewhere " +
                "(secrets.packages.service-url: \"https://s3.us-west-2.amazonaws.com\" -> \"https://s3.eu-west-1.amazonaws.com\", secrets.packages.s3-bucket: \"acme\" -> \"other-bucket\"). " +
                "Changing storage strands existing packages; GitHub documents it as a planned migration in a maintenance window. " +
                "Copy the objects first, then set allowStorageMigration: true for that one update.");
        });
        it("does not count a key the change leaves unmanaged as a move", () =>
            assert.equal(storageMoveRefusal(desired, { ...desired, [KEYS.bucket]: undefined, [KEYS.serviceUrl]: undefined }, false), undefined));
        it("allows it as a planned migration", () => assert.equal(storageMoveRefusal(desired, moved, true), undefined));
        it("refuses it too when Packages is disabled but storage is configured (packages may still be there)", () =>
            assert.match(storageMoveRefusal({ ...desired, [KEYS.enabled]: "false" }, moved, false)!, /Packages disabled/));
        it("allows first configuration and key rotation", () => {
            assert.equal(storageMoveRefusal({}, desired, false), undefined);
            assert.equal(storageMoveRefusal(desired, { ...desired, [KEYS.accessKeyId]: "AKIA9" }, false), undefined);
        });
    });
});
