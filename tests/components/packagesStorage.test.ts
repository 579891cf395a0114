import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { Provider } from "@pulumi/aws/provider";
import { PackagesStorage } from "../../components/packagesStorage";
import { isSecretOutput, registered, resourcesOf, settle, valueOf } from "../../rehearsal/pulumiMocks";

const GHES_TYPE = "pulumi-nodejs:dynamic/ghes-packages-s3:GhesPackagesSettings";

describe("components/PackagesStorage: the component users import", () => {
    describe("AWS side only", () => {
        let s: PackagesStorage;
        before(async () => {
            s = new PackagesStorage("ps-aws");
            await valueOf(s.secretAccessKey);
            await settle();
        });

        it("composes the bucket and the identity under one parent", () => {
            const types = resourcesOf("ps-aws").map((r) => r.type);
            assert.equal(types.filter((t) => t === "ghes-packages-s3:storage:SecureBucket").length, 1);
            assert.equal(types.filter((t) => t === "ghes-packages-s3:storage:StorageIdentity").length, 1);
            assert.equal(types.filter((t) => t === GHES_TYPE).length, 0, "no GHES resource without ghes args");
            for (const r of resourcesOf("ps-aws").filter((x) => x.type.startsWith("ghes-packages-s3:storage"))) {
                assert.match(r.options.parent, /ghes-packages-s3:index:PackagesStorage::ps-aws$/);
            }
        });

        it("exposes typed outputs, with the service URL from the bucket's region and the secret kept secret", async () => {
            assert.match(await valueOf(s.bucketName), /^ps-aws-packages-/);
            assert.equal(await valueOf(s.bucketArn), `arn:aws:s3:::${await valueOf(s.bucketName)}`);
            assert.equal(await valueOf(s.region), "us-west-2");
            assert.equal(await valueOf(s.serviceUrl), "https://s3.us-west-2.amazonaws.com");
            assert.match(await valueOf(s.userArn), /^arn:aws:iam::123456789012:user\/ghes\//);
            assert.match(await valueOf(s.accessKeyId), /^AKIA/);
            assert.equal(await isSecretOutput(s.secretAccessKey), true);
            assert.equal(await isSecretOutput(s.bucketName), false);
        });

        it("grants the key access to its own bucket only", async () => {
            const doc = JSON.parse(await valueOf(s.identityPolicyJson));
            const arn = await valueOf(s.bucketArn);
            assert.deepEqual(doc.Statement.map((x: { Resource: string }) => x.Resource), [arn, `${arn}/*`]);
        });
    });

    describe("with GHES", () => {
        let s: PackagesStorage;
        before(async () => {
            s = new PackagesStorage("ps-ghes", {
                ghes: { hostname: "ghes.example.com", sshHostKeyFingerprint: "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s", managementPassword: pulumi.secret("root-password-123"), onDelete: "disable" },
                keyRotation: 1,
            });
            await valueOf(s.ghesApplyRunId);
            await settle();
        });
        const ghes = () => resourcesOf("ps-ghes").find((r) => r.type === GHES_TYPE)!;

        it("creates the GHES settings resource from its own bucket and key", async () => {
            const r = ghes();
            assert.ok(r, "GHES resource registered");
            assert.equal(r.name, "ps-ghes-ghes");
            assert.equal(r.inputs.hostname, "ghes.example.com");
            assert.equal(r.inputs.bucket, await valueOf(s.bucketName));
            assert.equal(r.inputs.serviceUrl, "https://s3.us-west-2.amazonaws.com");
            assert.equal(r.inputs.accessKeyId, await valueOf(s.accessKeyId));
            assert.equal(r.inputs.onDelete, "disable");
            assert.match(r.options.parent, /PackagesStorage::ps-ghes$/);
        });

        it("depends on the key and the bucket, so a rotated key reaches GHES before the old one is deleted", () => {
            const deps = ghes().options.dependencies;
            // Components expand to their children: the key, and the bucket's policy and public access block.
            assert.ok(deps.some((d) => d.endsWith("aws:iam/accessKey:AccessKey::ps-ghes-key")), deps.join());
            assert.ok(deps.some((d) => d.endsWith("aws:s3/bucketPolicy:BucketPolicy::ps-ghes-policy")), deps.join());
            assert.ok(deps.some((d) => d.endsWith("BucketPublicAccessBlock::ps-ghes-public-access-block")), deps.join());
        });

        it("sends the secret key and the password to the engine as secrets", () => {
            assert.deepEqual([...ghes().options.secretInputs].sort(), ["managementPassword", "secretAccessKey"]);
        });

        it("marks the secret inputs secret in outputs and serializes no secret into the provider", () => {
            const r = ghes();
            assert.deepEqual([...r.options.additionalSecretOutputs].sort(), ["managementPassword", "secretAccessKey", "sshPrivateKey"]);
            const provider = String(r.inputs.__provider);
            assert.ok(provider.includes("exports.handler"), "the provider is serialized");
            assert.ok(!provider.includes("root-password-123") && !provider.includes("mock-secret"), "no secret in __provider");
            assert.ok(provider.length < 8000, `serialized provider is small (${provider.length} bytes)`);
        });

        it("exposes the GHES version and apply run id", async () => {
            assert.equal(await valueOf(s.ghesVersion), "3.14.2");
            assert.equal(await valueOf(s.ghesApplyRunId), "mock-run");
        });
    });

    it("registers no component argument in plain text (secrets never reach component inputs)", async () => {
        new PackagesStorage("ps-secret", { ghes: { hostname: "ghes2.example.com", sshHostKeyFingerprint: "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s", managementPassword: pulumi.secret("super-secret-pw-9") } });
        await settle();
        for (const r of resourcesOf("ps-secret").filter((x) => x.type.startsWith("ghes-packages-s3:"))) {
            assert.ok(!JSON.stringify(r.inputs).includes("super-secret-pw-9"), r.type);
        }
    });

    it("creates two instances in one program without name clashes", async () => {
        new PackagesStorage("ps-east", {});
        new PackagesStorage("ps-west", {});
        await settle();
        const names = registered.map((r) => `${r.type}::${r.name}`);
        assert.equal(new Set(names).size, names.length, "every URN is unique");
        assert.equal(resourcesOf("ps-east").length, resourcesOf("ps-west").length);
    });

    it("passes an explicit AWS provider to every AWS resource", async () => {
        const use1 = new Provider("use1", { region: "us-east-1" });
        new PackagesStorage("ps-provider", {}, { providers: { aws: use1 } });
        new PackagesStorage("ps-provider2", {}, { provider: use1 });
        await settle();
        for (const instance of ["ps-provider", "ps-provider2"]) {
            const aws = resourcesOf(instance).filter((r) => r.type.startsWith("aws:"));
            assert.ok(aws.length >= 9, `${instance}: ${aws.length} AWS resources`);
            for (const r of aws) assert.match(r.provider ?? "", /pulumi:providers:aws::use1::/, `${instance} ${r.type}`);
        }
    });

    it("uses an existing bucket: creates the key and enforces the public access block only", async () => {
        const s = new PackagesStorage("ps-byo", { existingBucket: { name: "acme-existing", region: "eu-central-1" } });
        await valueOf(s.identityPolicyJson);
        await settle();
        const types = resourcesOf("ps-byo").map((r) => r.type);
        assert.ok(!types.includes("aws:s3/bucket:Bucket"));
        const pab = resourcesOf("ps-byo").find((r) => r.type === "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")!;
        assert.equal(pab.inputs.bucket, "acme-existing");
        assert.equal(pab.inputs.restrictPublicBuckets, true);
        assert.equal(await valueOf(s.serviceUrl), "https://s3.eu-central-1.amazonaws.com");
        assert.equal(await valueOf(s.bucketArn), "arn:aws:s3:::acme-existing");
        assert.ok((await valueOf(s.identityPolicyJson)).includes("arn:aws:s3:::acme-existing/*"));
    });

    it("refuses contradictory or invalid arguments before registering anything", async () => {
        const before = registered.length;
        assert.throws(() => new PackagesStorage("ps-bad1", { bucket: {}, existingBucket: { name: "abc", region: "us-east-1" } }), /mutually exclusive/);
        assert.throws(() => new PackagesStorage("ps-bad2", { existingBucket: { name: "ABC", region: "us-east-1" } }), /existingBucket\.name/);
        assert.throws(() => new PackagesStorage("ps-bad3", { bucket: { bucketName: "a" } }), /bucket\.bucketName/);
        assert.throws(() => new PackagesStorage("ps-bad4", { identity: { path: "x" } }), /identity\.path/);
        await settle();
        assert.equal(registered.slice(before).filter((r) => r.name.startsWith("ps-bad")).length, 0, "not even the component");
    });

    it("does not judge values that are not known yet (Outputs of other resources)", async () => {
        const later = pulumi.output(Promise.resolve("from-another-resource"));
        assert.doesNotThrow(() => new PackagesStorage("ps-later", { bucket: { bucketName: later }, identity: { userName: later } }));
        await settle();
    });

    it("refuses an object as an ecosystem's state at construction, but leaves a toggle that is an Output to the provider", async () => {
        assert.throws(() => new PackagesStorage("ps-eco-obj", { ghes: { hostname: "ghes-eco-obj.example.com", ecosystems: { docker: { state: "enabled" } as never } } }),
            /ghes\.ecosystems: docker must be "enabled", "readonly" or "disabled" \(got \{"state":"enabled"\}\)/);
        const later = pulumi.output(Promise.resolve("readonly"));
        assert.doesNotThrow(() => new PackagesStorage("ps-eco-later", { ghes: { hostname: "ghes-eco-later.example.com", sshHostKeyTrustOnFirstUse: true, ecosystems: { docker: later as never } } }));
        await settle();
    });

    it("refuses a second GHES settings resource for the same appliance in one program (spelling does not matter)", async () => {
        const before = registered.length;
        new PackagesStorage("ps-host-a", { ghes: { hostname: "ghes-dup.example.com", sshHostKeyTrustOnFirstUse: true } });
        assert.throws(() => new PackagesStorage("ps-host-b", { ghes: { hostname: "GHES-DUP.example.com.", sshHostKeyTrustOnFirstUse: true } }),
            /ghes\.hostname: ghes-dup\.example\.com is already configured by ps-host-a-ghes in this program/);
        await settle();
        assert.equal(registered.slice(before).filter((r) => r.name.startsWith("ps-host-b")).length, 0, "nothing of the second is registered");
    });

    it("uses type tokens that start with the package name (Pulumi's schema tooling requires it) and answers isInstance", async () => {
        const s = new PackagesStorage("ps-token");
        await settle();
        for (const r of resourcesOf("ps-token").filter((x) => !x.type.startsWith("aws:"))) assert.match(r.type, /^ghes-packages-s3:(index|storage):/, r.type);
        assert.equal(PackagesStorage.isInstance(s), true);
        assert.equal(PackagesStorage.isInstance({}), false);
        assert.equal(PackagesStorage.isInstance(undefined), false);
    });
});
