import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { KEYS } from "../../ghes/gheConfigKeys";
import { ALL_FIELDS, CONTROL_FIELDS, FIELD_DEFAULTS, GHES_FIELDS, GHES_WRITTEN_FIELDS, REPLACE_FIELDS, SECRET_FIELDS } from "../../provider/fields";
import { checkInputs, desiredSettingsOf, fieldProblem, fieldsFromGhes } from "../../provider/inputs";

const valid = {
    hostname: "ghes.example.com",
    managementPassword: "pw-123456",
    serviceUrl: "https://s3.us-west-2.amazonaws.com",
    bucket: "acme",
    accessKeyId: "AKIA1",
    secretAccessKey: "s3cr3t-value",
};

/*
 * The field table is the one description of the GHES resource: the compiler checks that it
 * has exactly the documented fields (`satisfies`); these tests check what follows from it.
 */
describe("provider/fields: the one description of the GHES settings resource", () => {
    it("every default passes its own field's check", () => {
        for (const [name, value] of Object.entries(FIELD_DEFAULTS)) assert.equal(fieldProblem(name as never, value), undefined, name);
    });

    it("the defaults, written out (the README test below checks each is documented)", () => {
        assert.deepEqual(FIELD_DEFAULTS, {
            managementPort: 8443, sshPort: 122, managementUser: "api_key", dangerouslySkipTlsVerification: false, sshHostKeyTrustOnFirstUse: false,
            packagesEnabled: true, applyConfiguration: true, applyTimeoutSeconds: 1800, maintenanceMode: false, allowStorageMigration: false,
            allowSharedBucket: false, onDelete: "retain", storageCheck: true, storageCheckTimeoutSeconds: 120,
        });
    });

    it("each written field manages the ghe-config keys GHES documents for it (an ecosystem, the app. and secrets. pair)", () => {
        const keysOf = Object.fromEntries(GHES_WRITTEN_FIELDS.map(([f, m]) => [f, m.keys(f === "ecosystems" ? { npm: "enabled" } : f === "packagesEnabled" ? true : "x")]));
        assert.deepEqual(keysOf, {
            serviceUrl: ["secrets.packages.service-url"], bucket: ["secrets.packages.s3-bucket"], accessKeyId: ["secrets.packages.aws-access-key"],
            secretAccessKey: ["secrets.packages.aws-secret-key"], packagesEnabled: ["app.packages.enabled"],
            ecosystems: ["app.packages.npm-enabled", "secrets.packages.npm-enabled"],
        });
        assert.deepEqual(GHES_WRITTEN_FIELDS.find(([f]) => f === "ecosystems")?.[1].keys(undefined), [], "ecosystems not given: none managed");
    });

    it("check fills exactly the table's defaults and keeps no field outside the table", () => {
        const { inputs, failures } = checkInputs({ ...valid, somethingElse: 1, __provider: "x" });
        assert.deepEqual(failures, []);
        assert.deepEqual(Object.keys(inputs).sort(), [
            "accessKeyId", "allowSharedBucket", "allowStorageMigration", "applyConfiguration", "applyTimeoutSeconds", "bucket",
            "dangerouslySkipTlsVerification", "hostname", "maintenanceMode", "managementPassword", "managementPort", "managementUser",
            "onDelete", "packagesEnabled", "secretAccessKey", "serviceUrl", "sshHostKeyTrustOnFirstUse", "sshPort", "storageCheck",
            "storageCheckTimeoutSeconds",
        ]);
    });

    it("the derived sets: secrets, replacement, what only steers the provider", () => {
        assert.deepEqual([...SECRET_FIELDS].sort(), ["managementPassword", "secretAccessKey", "sshPrivateKey"]);
        assert.deepEqual([...REPLACE_FIELDS], ["hostname"]);
        assert.deepEqual(GHES_WRITTEN_FIELDS.map(([f]) => f), ["serviceUrl", "bucket", "accessKeyId", "secretAccessKey", "packagesEnabled", "ecosystems"]);
        for (const f of ALL_FIELDS) {
            const written = GHES_WRITTEN_FIELDS.some(([w]) => w === f);
            assert.equal(CONTROL_FIELDS.has(f), !written && !REPLACE_FIELDS.has(f), f);
        }
    });

    it("maps the inputs onto the documented ghe-config keys, and back (drift)", () => {
        const { inputs } = checkInputs(valid);
        const desired = desiredSettingsOf(inputs);
        assert.deepEqual(desired, {
            [KEYS.storageType]: "s3",
            [KEYS.serviceUrl]: "https://s3.us-west-2.amazonaws.com",
            [KEYS.bucket]: "acme",
            [KEYS.accessKeyId]: "AKIA1",
            [KEYS.secretAccessKey]: "s3cr3t-value",
            [KEYS.enabled]: "true",
        });
        assert.deepEqual(fieldsFromGhes(desired, inputs), { serviceUrl: valid.serviceUrl, bucket: "acme", accessKeyId: "AKIA1", secretAccessKey: "s3cr3t-value", packagesEnabled: true, ecosystems: undefined });
        assert.deepEqual(fieldsFromGhes({ [KEYS.storageType]: "azure", [KEYS.serviceUrl]: "https://x" }, inputs).serviceUrl, "", "Azure storage is not this resource's S3 URL");
        // A field not given (state written before it existed) writes no key at all.
        assert.deepEqual(desiredSettingsOf({ bucket: "acme" } as unknown as typeof inputs), { "secrets.packages.blob-storage-type": "s3", "secrets.packages.s3-bucket": "acme" });
    });

    it("the README documents every field with the table's default", () => {
        const readme = readFileSync("README.md", "utf8");
        for (const name of ALL_FIELDS) {
            if (GHES_FIELDS[name].role === "storage") continue; // set by PackagesStorage, documented with GhesPackagesSettings
            const row = readme.split("\n").find((l) => l.startsWith(`| \`${name}\``) || l.includes(`\`${name}\` /`) || l.includes(`/ \`${name}\``));
            assert.ok(row, `README has a row for ${name}`);
            const d = FIELD_DEFAULTS[name];
            if (d !== undefined && typeof d !== "boolean") assert.ok(row.includes(String(d)), `README row of ${name} names its default ${d}`);
        }
    });
});
