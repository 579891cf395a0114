import { strict as assert } from "node:assert";
import { StorageIdentity } from "../../components/storageIdentity";
import { GHES_BUCKET_ACTIONS, GHES_OBJECT_ACTIONS } from "../../policies/identityPolicy";
import { KMS_KEY } from "../../rehearsal/fixtures";
import { evaluate } from "../support/iamEvaluator";
import { isSecretOutput, registered, resourcesOf, settle, valueOf } from "../../rehearsal/pulumiMocks";

const BUCKET_ARN = "arn:aws:s3:::acme-ghes-packages";

describe("components/StorageIdentity: the least-privilege key GHES uses", () => {
    let id: StorageIdentity;
    before(async () => {
        id = new StorageIdentity("si-default", { bucketArn: BUCKET_ARN, keyRotation: "2026-11" });
        await valueOf(id.secretAccessKey);
        await settle();
    });

    const one = (instance: string, type: string) => {
        const found = resourcesOf(instance).filter((r) => r.type === type);
        assert.equal(found.length, 1, type);
        return found[0];
    };

    it("creates a user under /ghes/, its inline policy and one access key", () => {
        assert.deepEqual(resourcesOf("si-default").map((r) => r.type).sort(),
            ["aws:iam/accessKey:AccessKey", "aws:iam/user:User", "aws:iam/userPolicy:UserPolicy", "ghes-packages-s3:storage:StorageIdentity"]);
        const user = one("si-default", "aws:iam/user:User");
        assert.equal(user.inputs.path, "/ghes/");
        assert.equal(user.inputs.permissionsBoundary, undefined);
    });

    it("attaches exactly the seven actions, proven by the IAM evaluator", async () => {
        const doc = JSON.parse(one("si-default", "aws:iam/userPolicy:UserPolicy").inputs.policy as string);
        for (const a of GHES_BUCKET_ACTIONS) assert.equal(await evaluate({ identity: doc, action: a, resource: BUCKET_ARN }), "Allowed");
        for (const a of GHES_OBJECT_ACTIONS) assert.equal(await evaluate({ identity: doc, action: a, resource: `${BUCKET_ARN}/x` }), "Allowed");
        assert.equal(await evaluate({ identity: doc, action: "s3:DeleteBucket", resource: BUCKET_ARN }), "ImplicitlyDenied");
        assert.equal(await evaluate({ identity: doc, action: "s3:PutBucketPolicy", resource: BUCKET_ARN }), "ImplicitlyDenied");
        assert.equal(doc.Statement.length, 2);
    });

    it("keeps the secret access key a Pulumi secret", async () => {
        assert.equal(await isSecretOutput(id.secretAccessKey), true);
        assert.equal(await isSecretOutput(id.accessKeyId), false);
        const key = one("si-default", "aws:iam/accessKey:AccessKey");
        assert.ok(key.options.additionalSecretOutputs.includes("secret"));
    });

    it("replaces the key when keyRotation changes, creating the new key first", () => {
        const key = one("si-default", "aws:iam/accessKey:AccessKey");
        assert.equal(key.options.replacementTrigger, "2026-11");
        assert.equal(key.options.deleteBeforeReplace, false);
        assert.ok(key.options.dependencies.some((d) => d.endsWith("::si-default-user-policy")), "the key exists only once its policy does");
    });

    it("adds the KMS pair for an SSE-KMS bucket, and passes path, boundary, name and tags", async () => {
        const kms = new StorageIdentity("si-kms", {
            bucketArn: BUCKET_ARN, kmsKeyArn: KMS_KEY, path: "/platform/ghes/", userName: "ghes-packages-prod",
            permissionsBoundaryArn: "arn:aws:iam::123456789012:policy/boundary", tags: { team: "platform" },
        });
        await valueOf(kms.policyJson);
        await settle();
        const user = one("si-kms", "aws:iam/user:User");
        assert.equal(user.inputs.path, "/platform/ghes/");
        assert.equal(user.inputs.name, "ghes-packages-prod");
        assert.equal(user.inputs.permissionsBoundary, "arn:aws:iam::123456789012:policy/boundary");
        assert.equal((user.inputs.tags as Record<string, string>).team, "platform");
        const doc = JSON.parse(one("si-kms", "aws:iam/userPolicy:UserPolicy").inputs.policy as string);
        assert.deepEqual(doc.Statement[2], { Sid: "GhesPackagesKms", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: KMS_KEY });
    });

    it("refuses bad input naming the argument, before registering anything", async () => {
        const before = registered.length;
        assert.throws(() => new StorageIdentity("si-bad", { bucketArn: BUCKET_ARN, path: "ghes" }), /identity\.path: IAM path must begin and end/);
        assert.throws(() => new StorageIdentity("si-bad2", { bucketArn: BUCKET_ARN, permissionsBoundaryArn: "boundary" }), /identity\.permissionsBoundaryArn/);
        assert.throws(() => new StorageIdentity("si-bad3", { bucketArn: BUCKET_ARN, userName: "has space" }), /identity\.userName/);
        await settle();
        assert.equal(registered.slice(before).filter((r) => r.name.startsWith("si-bad")).length, 0, "not even the component");
    });
});
