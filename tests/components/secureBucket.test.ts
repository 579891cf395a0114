import { strict as assert } from "node:assert";
import { SecureBucket } from "../../components/secureBucket";
import { KMS_KEY } from "../../rehearsal/fixtures";
import { registered, resourcesOf, settle, valueOf } from "../../rehearsal/pulumiMocks";

function byType(instance: string, type: string) {
    const found = resourcesOf(instance).filter((r) => r.type === type);
    assert.equal(found.length, 1, `${instance}: one ${type}`);
    return found[0];
}

describe("components/SecureBucket: a locked-down Packages bucket", () => {
    let b: SecureBucket;
    before(async () => {
        b = new SecureBucket("sb-default", {});
        await valueOf(b.policyJson);
        await settle();
    });

    it("creates the bucket and its six configuration resources, all parented and named from the instance", () => {
        const types = resourcesOf("sb-default").map((r) => r.type).sort();
        assert.deepEqual(types, [
            "aws:s3/bucket:Bucket",
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
            "aws:s3/bucketPolicy:BucketPolicy",
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            "aws:s3/bucketVersioning:BucketVersioning",
            "ghes-packages-s3:storage:SecureBucket",
        ]);
    });

    it("names the bucket from a lowercase prefix of the instance name and never force-destroys it", () => {
        const bucket = byType("sb-default", "aws:s3/bucket:Bucket");
        assert.equal(bucket.inputs.bucketPrefix, "sb-default-packages-");
        assert.equal(bucket.inputs.forceDestroy, false);
        assert.deepEqual(bucket.inputs.tags, { "managed-by": "pulumi", "ghes-packages-instance": "sb-default" });
    });

    it("retains the bucket and its configuration on delete by default, all parented to the component", () => {
        for (const r of resourcesOf("sb-default").filter((x) => x.type.startsWith("aws:"))) {
            assert.equal(r.options.retainOnDelete, true, r.type);
            assert.match(r.options.parent, /ghes-packages-s3:storage:SecureBucket::sb-default$/, r.type);
        }
    });

    it("can opt out of retention", async () => {
        new SecureBucket("sb-noretain", { retainOnDelete: false });
        await settle();
        for (const r of resourcesOf("sb-noretain").filter((x) => x.type.startsWith("aws:"))) assert.equal(r.options.retainOnDelete, false, r.type);
    });

    it("sets the bucket policy after the public access block and ownership controls (S3 rejects concurrent changes)", () => {
        const policy = byType("sb-default", "aws:s3/bucketPolicy:BucketPolicy");
        assert.ok(policy.options.dependencies.some((d) => d.endsWith("::sb-default-public-access-block")));
        assert.ok(policy.options.dependencies.some((d) => d.endsWith("::sb-default-ownership")));
    });

    it("blocks all public access with all four flags", () => {
        const pab = byType("sb-default", "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
        for (const f of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) assert.equal(pab.inputs[f], true, f);
    });

    it("disables ACLs (BucketOwnerEnforced)", () => {
        assert.deepEqual(byType("sb-default", "aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs.rule, { objectOwnership: "BucketOwnerEnforced" });
    });

    it("encrypts with SSE-S3 by default", () => {
        const enc = byType("sb-default", "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration");
        assert.deepEqual(enc.inputs.rules, [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
    });

    it("turns versioning on, expires noncurrent versions after 30 days and aborts stale multipart uploads after 7", () => {
        assert.deepEqual(byType("sb-default", "aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration, { status: "Enabled" });
        const rules = byType("sb-default", "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules as Record<string, unknown>[];
        assert.deepEqual(rules.map((r) => r.id), ["abort-incomplete-multipart-uploads", "expire-noncurrent-versions"]);
        assert.deepEqual(rules[0].abortIncompleteMultipartUpload, { daysAfterInitiation: 7 });
        assert.deepEqual(rules[1].noncurrentVersionExpiration, { noncurrentDays: 30 });
        assert.deepEqual(rules[1].expiration, { expiredObjectDeleteMarker: true });
    });

    it("attaches a policy that denies non-TLS and TLS < 1.2 on this bucket", async () => {
        const policy = JSON.parse(byType("sb-default", "aws:s3/bucketPolicy:BucketPolicy").inputs.policy as string);
        assert.deepEqual(policy.Statement.map((s: { Sid: string }) => s.Sid), ["DenyInsecureTransport", "DenyOutdatedTls"]);
        const arn = await valueOf(b.bucketArn);
        assert.deepEqual(policy.Statement[0].Resource, [arn, `${arn}/*`]);
    });

    it("exposes name, ARN and region", async () => {
        assert.match(await valueOf(b.bucketName), /^sb-default-packages-/);
        assert.equal(await valueOf(b.region), "us-west-2");
    });

    it("applies every option: exact name, KMS with bucket key, day counts, IP list, logging, owner, region", async () => {
        const custom = new SecureBucket("sb-custom", {
            bucketName: "acme-packages",
            region: "eu-west-1",
            kmsKeyArn: KMS_KEY,
            noncurrentVersionExpirationDays: 90,
            abortIncompleteMultipartUploadDays: 2,
            allowedSourceCidrs: ["203.0.113.0/24"],
            accessLogging: { targetBucket: "acme-logs" },
            expectedBucketOwner: "123456789012",
            tags: { team: "platform" },
        });
        await valueOf(custom.policyJson);
        await settle();
        const bucket = byType("sb-custom", "aws:s3/bucket:Bucket");
        assert.equal(bucket.inputs.bucket, "acme-packages");
        assert.equal(bucket.inputs.bucketPrefix, undefined);
        assert.equal(bucket.inputs.region, "eu-west-1");
        assert.equal((bucket.inputs.tags as Record<string, string>).team, "platform");
        const enc = byType("sb-custom", "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration");
        assert.deepEqual(enc.inputs.rules, [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KMS_KEY }, bucketKeyEnabled: true }]);
        assert.equal(enc.inputs.expectedBucketOwner, "123456789012");
        const rules = byType("sb-custom", "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules as Record<string, unknown>[];
        assert.deepEqual(rules[0].abortIncompleteMultipartUpload, { daysAfterInitiation: 2 });
        assert.deepEqual(rules[1].noncurrentVersionExpiration, { noncurrentDays: 90 });
        const policy = JSON.parse(byType("sb-custom", "aws:s3/bucketPolicy:BucketPolicy").inputs.policy as string);
        assert.deepEqual(policy.Statement[2].Condition, { NotIpAddress: { "aws:SourceIp": ["203.0.113.0/24"] } });
        const logging = byType("sb-custom", "aws:s3/bucketLogging:BucketLogging");
        assert.equal(logging.inputs.targetBucket, "acme-logs");
        assert.equal(logging.inputs.targetPrefix, "ghes-packages/");
        for (const r of resourcesOf("sb-custom").filter((x) => x.type.startsWith("aws:"))) assert.equal(r.inputs.region, "eu-west-1", r.type);
    });

    it("suspends versioning and drops the noncurrent rule when versioning is off", async () => {
        new SecureBucket("sb-noversions", { versioning: false });
        await settle();
        assert.deepEqual(byType("sb-noversions", "aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration, { status: "Suspended" });
        const rules = byType("sb-noversions", "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules as Record<string, unknown>[];
        assert.deepEqual(rules.map((r) => r.id), ["abort-incomplete-multipart-uploads"]);
    });

    describe("bad input is refused before any resource is registered", () => {
        const cases: [string, object, RegExp][] = [
            ["invalid name", { bucketName: "Bad_Name" }, /bucket\.bucketName: only lowercase/],
            ["IP-shaped name", { bucketName: "10.1.2.3" }, /bucket\.bucketName: .*IP address/],
            ["reserved suffix", { bucketName: "acme-s3alias" }, /bucket\.bucketName: .*reserved suffix/],
            ["name and prefix", { bucketName: "abc", bucketPrefix: "abc-" }, /mutually exclusive/],
            ["long prefix", { bucketPrefix: "p".repeat(40) }, /bucket\.bucketPrefix: .*1-37/],
            ["KMS alias", { kmsKeyArn: "alias/packages" }, /bucket\.kmsKeyArn: must be a KMS key ARN/],
            ["empty IP list", { allowedSourceCidrs: [] }, /bucket\.allowedSourceCidrs: the list is empty/],
            ["bad CIDR", { allowedSourceCidrs: ["10.0.0.0/8", "everyone"] }, /bucket\.allowedSourceCidrs\[1\]/],
            ["zero days", { abortIncompleteMultipartUploadDays: 0 }, /bucket\.abortIncompleteMultipartUploadDays: must be a whole number/],
            ["negative days", { noncurrentVersionExpirationDays: -3 }, /bucket\.noncurrentVersionExpirationDays: must be a whole number/],
            ["days without versioning", { versioning: false, noncurrentVersionExpirationDays: 5 }, /needs versioning/],
            ["bad owner", { expectedBucketOwner: "acme" }, /bucket\.expectedBucketOwner: must be a 12-digit/],
            ["bad region", { region: "Europe" }, /bucket\.region: /],
            ["endpoint ids without CIDRs", { allowedVpcEndpointIds: ["vpce-0a1b2c3d"] }, /allowedVpcEndpointIds only applies together with/],
            ["bad endpoint id", { allowedSourceCidrs: ["10.0.0.0/8"], allowedVpcEndpointIds: ["endpoint-1"] }, /bucket\.allowedVpcEndpointIds\[0\]: .*not a VPC endpoint id/],
        ];
        for (const [what, args, message] of cases) {
            it(what, async () => {
                const before = registered.length;
                const name = `sb-bad-${what.replace(/\W+/g, "-")}`;
                assert.throws(() => new SecureBucket(name, args), (e: Error) => e.name === "InputError" && message.test(e.message));
                await settle();
                assert.equal(registered.slice(before).filter((r) => r.name.startsWith(name)).length, 0, "not even the component");
            });
        }

        it("reports every problem at once", () => {
            assert.throws(() => new SecureBucket("sb-bad-many", { bucketName: "A", kmsKeyArn: "x", abortIncompleteMultipartUploadDays: 0 }),
                (e: Error) => /bucketName/.test(e.message) && /kmsKeyArn/.test(e.message) && /abortIncompleteMultipartUploadDays/.test(e.message));
        });
    });
});
