import { strict as assert } from "node:assert";
import { SnapshotResource, UNKNOWN_STRING } from "../../rehearsal/policyPackHost";
import { analyzeStack, of, urnOf } from "../support/policyHarness";
import { BUCKET, BUCKET_ARN, handWrittenStack, packagesStack, USER } from "../../rehearsal/stackSnapshots";
import { ghesBucketPolicy } from "../../policies/bucketPolicy";

const BUCKET_RULES = ["packages-bucket-public-access-blocked", "packages-bucket-acls-disabled", "packages-bucket-encrypted", "packages-bucket-tls-only", "packages-bucket-policy-no-allow", "packages-bucket-not-actions-storage"];
const without = (rs: SnapshotResource[], ...names: string[]) => rs.filter((r) => !names.includes(r.name));
const only = async (rs: SnapshotResource[], policy: string) => of(await analyzeStack(rs), policy);

describe("policy pack: Packages bucket rules (stack validation)", () => {
    it("passes the bucket PackagesStorage builds, and the same bucket written by hand", async () => {
        for (const stack of [packagesStack(), handWrittenStack()]) {
            const ds = (await analyzeStack(stack)).filter((d) => BUCKET_RULES.includes(d.policy));
            assert.deepEqual(ds, []);
        }
    });

    it("holds a bucket to the rules because GHES settings point at it, or because it carries the package's tag; other buckets are left alone", async () => {
        const stray: SnapshotResource = { type: "aws:s3/bucket:Bucket", name: "website", props: { bucket: "www-example", arn: "arn:aws:s3:::www-example" } };
        assert.deepEqual(await only([...packagesStack(), stray], "packages-bucket-public-access-blocked"), [], "an untagged bucket no GHES uses");
        const tagged = { ...stray, name: "tagged", props: { ...stray.props, tags: { "ghes-packages-instance": "lab" } } };
        const ds = await only([tagged], "packages-bucket-public-access-blocked");
        assert.equal(ds.length, 1);
        assert.match(ds[0].message, /aws:s3\/bucket:Bucket "tagged" \(bucket www-example\), a Packages bucket \(tagged ghes-packages-instance=lab\)/);
    });

    it("packages-bucket-public-access-blocked: a missing block, or one flag off, is a violation naming the bucket, why it is held, the flag and the fix", async () => {
        const none = await only(without(handWrittenStack(), "hand-public-access-block"), "packages-bucket-public-access-blocked");
        assert.equal(none.length, 1);
        assert.equal(none[0].level, "mandatory");
        assert.equal(none[0].urn, urnOf({ type: "aws:s3/bucket:Bucket", name: "hand-bucket" }));
        assert.match(none[0].message, new RegExp(`aws:s3/bucket:Bucket "hand-bucket" \\(bucket ${BUCKET}\\), a Packages bucket \\(GHES settings "hand-settings" store packages in it\\): public access is not fully blocked \\(no public access block\\)`));
        assert.match(none[0].message, /Fix: add an aws\.s3\.BucketPublicAccessBlock for this bucket with all four flags true/);

        const oneOff = await only(packagesStack((s) => { s.publicAccessBlock.props.restrictPublicBuckets = false; }), "packages-bucket-public-access-blocked");
        assert.match(oneOff[0].message, /public access is not fully blocked \(restrictPublicBuckets not true\)/);
        assert.match(oneOff[0].message, /GHES settings "ghes-prod-settings" store packages in it; tagged ghes-packages-instance=ghes-prod/);
    });

    it("a block on another bucket does not count for this one", async () => {
        const ds = await only(handWrittenStack((s) => { s.publicAccessBlock.props.bucket = "some-other-bucket"; }), "packages-bucket-public-access-blocked");
        assert.match(ds[0].message, /no public access block/);
    });

    it("packages-bucket-acls-disabled: ownership other than BucketOwnerEnforced, an ACL resource, or a public inline ACL are violations", async () => {
        const writer = await only(packagesStack((s) => { (s.ownership.props.rule as Record<string, string>).objectOwnership = "ObjectWriter"; }), "packages-bucket-acls-disabled");
        assert.match(writer[0].message, /ACLs are not disabled \(object ownership is ObjectWriter\).*Fix: add an aws\.s3\.BucketOwnershipControls for this bucket with rule\.objectOwnership "BucketOwnerEnforced"/);
        const missing = await only(without(handWrittenStack(), "hand-ownership"), "packages-bucket-acls-disabled");
        assert.match(missing[0].message, /object ownership is not set/);
        const acl: SnapshotResource = { type: "aws:s3/bucketAclV2:BucketAclV2", name: "hand-acl", props: { bucket: BUCKET, acl: "public-read" } };
        const withAcl = await only([...handWrittenStack(), acl], "packages-bucket-acls-disabled");
        assert.match(withAcl[0].message, /aws:s3\/bucketAclV2:BucketAclV2 "hand-acl" grants ACLs on it\. Fix: remove it and set object ownership to BucketOwnerEnforced/);
        const inline = await only(handWrittenStack((s) => { s.bucket.props.acl = "public-read"; }), "packages-bucket-acls-disabled");
        assert.match(inline[0].message, /its ACL is public-read/);
    });

    it("packages-bucket-encrypted: no default encryption is a violation; SSE-S3, SSE-KMS and the deprecated inline setting pass", async () => {
        const none = await only(without(handWrittenStack(), "hand-encryption"), "packages-bucket-encrypted");
        assert.match(none[0].message, /no default encryption is configured\. Fix: add an aws\.s3\.BucketServerSideEncryptionConfiguration for this bucket/);
        const kms = packagesStack((s) => { s.encryption.props.rules = [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "arn:aws:kms:us-west-2:123456789012:key/abc" }, bucketKeyEnabled: true }]; });
        assert.deepEqual(await only(kms, "packages-bucket-encrypted"), []);
        const inline = handWrittenStack((s) => { s.bucket.props.serverSideEncryptionConfiguration = { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } } }; });
        assert.deepEqual(await only(without(inline, "hand-encryption"), "packages-bucket-encrypted"), []);
    });

    it("packages-bucket-tls-only: no bucket policy, or one without the TLS denies, is a violation naming what is missing", async () => {
        const none = await only(without(handWrittenStack(), "hand-policy"), "packages-bucket-tls-only");
        assert.match(none[0].message, /it has no bucket policy, so plain-HTTP and TLS < 1\.2 requests are not refused\. Fix: add a bucket policy with the two Deny statements/);
        const onlyTransport = packagesStack((s) => {
            const doc = JSON.parse(s.bucketPolicy.props.policy as string);
            doc.Statement = doc.Statement.filter((st: { Sid: string }) => st.Sid !== "DenyOutdatedTls");
            s.bucketPolicy.props.policy = JSON.stringify(doc);
        });
        const ds = await only(onlyTransport, "packages-bucket-tls-only");
        assert.match(ds[0].message, /no statement denies TLS older than 1\.2/);
        assert.doesNotMatch(ds[0].message, /no statement denies requests without TLS/);
        const notJson = await only(packagesStack((s) => { s.bucketPolicy.props.policy = "{not json"; }), "packages-bucket-tls-only");
        assert.match(notJson[0].message, /its policy cannot be read/);
    });

    it("a bucket policy not known until the update (preview) is not judged yet", async () => {
        assert.deepEqual(await only(packagesStack((s) => { s.bucketPolicy.props.policy = UNKNOWN_STRING; }), "packages-bucket-tls-only"), []);
    });

    it("judges aws-native buckets by their inline settings", async () => {
        const native: SnapshotResource = {
            type: "aws-native:s3:Bucket", name: "native",
            props: {
                bucketName: "native-packages", arn: "arn:aws:s3:::native-packages", tags: [{ key: "ghes-packages-instance", value: "native" }],
                publicAccessBlockConfiguration: { blockPublicAcls: true, blockPublicPolicy: false, ignorePublicAcls: true, restrictPublicBuckets: true },
                ownershipControls: { rules: [{ objectOwnership: "BucketOwnerEnforced" }] },
                bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }] },
            },
        };
        const ds = await analyzeStack([native]);
        assert.match(of(ds, "packages-bucket-public-access-blocked")[0].message, /aws-native:s3:Bucket "native" \(bucket native-packages\).*blockPublicPolicy not true.*Fix: set publicAccessBlockConfiguration with all four flags true/);
        assert.deepEqual(of(ds, "packages-bucket-acls-disabled"), []);
        assert.deepEqual(of(ds, "packages-bucket-encrypted"), []);
        assert.equal(of(ds, "packages-bucket-tls-only").length, 1, "no aws-native:s3:BucketPolicy");
    });

    it("packages-bucket-tls-only: denies narrowed by an extra condition apply to nobody else and do not count", async () => {
        const narrowed = packagesStack((s) => {
            const doc = ghesBucketPolicy({ bucketArn: BUCKET_ARN }) as { Statement: { Condition?: Record<string, unknown> }[] };
            for (const st of doc.Statement) st.Condition = { ...st.Condition, StringEquals: { "aws:PrincipalAccount": "000000000000" } };
            s.bucketPolicy.props.policy = JSON.stringify(doc);
        });
        const ds = await only(narrowed, "packages-bucket-tls-only");
        assert.equal(ds.length, 1);
        assert.match(ds[0].message, /no statement denies requests without TLS .*; no statement denies TLS older than 1\.2/);
    });

    it("packages-bucket-tls-only: the package's policy given inline as aws.s3.Bucket `policy` (deprecated, valid in @pulumi/aws 7) passes; an inline policy without the denies does not", async () => {
        const inline = packagesStack((s) => { s.bucket.props.policy = s.bucketPolicy.props.policy; }).filter((r) => r.type !== "aws:s3/bucketPolicy:BucketPolicy");
        assert.deepEqual(await only(inline, "packages-bucket-tls-only"), []);
        const weak = packagesStack((s) => { s.bucket.props.policy = JSON.stringify({ Version: "2012-10-17", Statement: [] }); }).filter((r) => r.type !== "aws:s3/bucketPolicy:BucketPolicy");
        assert.match((await only(weak, "packages-bucket-tls-only"))[0].message, /no statement denies requests without TLS/);
    });

    it("packages-bucket-policy-no-allow: an Allow in a Packages bucket's policy, for another account or for the GHES user itself, is a violation naming the statement, the principal and the fix", async () => {
        const withAllow = (statement: Record<string, unknown>) => packagesStack((s) => {
            const doc = ghesBucketPolicy({ bucketArn: BUCKET_ARN }) as { Statement: unknown[] };
            doc.Statement.push(statement);
            s.bucketPolicy.props.policy = JSON.stringify(doc);
        });
        const foreign = await only(withAllow({ Sid: "Foreign", Effect: "Allow", Principal: { AWS: "arn:aws:iam::999999999999:root" }, Action: "s3:*", Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`] }), "packages-bucket-policy-no-allow");
        assert.equal(foreign.length, 1);
        assert.equal(foreign[0].level, "mandatory");
        assert.match(foreign[0].message, new RegExp(`aws:s3/bucket:Bucket "ghes-prod-bucket" \\(bucket ${BUCKET}\\), a Packages bucket .*: its policy grants access: statement "Foreign" allows s3:\\* to arn:aws:iam::999999999999:root\\. A bucket policy Allow bypasses the least-privilege identity`
            + ".*Fix: remove the Allow statements"));
        const self = await only(withAllow({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::123456789012:user/ghes/${USER}` }, Action: "s3:*", Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`] }), "packages-bucket-policy-no-allow");
        assert.match(self[0].message, new RegExp(`statement #3 allows s3:\\* to arn:aws:iam::123456789012:user/ghes/${USER}`));
        const inline = packagesStack((s) => { s.bucket.props.policy = JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", NotAction: "s3:DeleteBucket", Resource: "*" }] }); });
        assert.match((await only(inline, "packages-bucket-policy-no-allow"))[0].message, /statement #1 allows every action except s3:DeleteBucket to \*/);
    });

    it("packages-bucket-policy-no-allow: the package's own policy, with or without an allow list, passes", async () => {
        assert.deepEqual(await only(packagesStack(), "packages-bucket-policy-no-allow"), []);
        const listed = packagesStack((s) => { s.bucketPolicy.props.policy = JSON.stringify(ghesBucketPolicy({ bucketArn: BUCKET_ARN, allowedSourceCidrs: ["203.0.113.0/24"], allowedVpcEndpointIds: ["vpce-0abc"] })); });
        assert.deepEqual(await only(listed, "packages-bucket-policy-no-allow"), []);
    });

    it("packages-bucket-not-actions-storage: without configured names or tags nothing is reported (configured runs: analyzerPlugin.test.ts)", async () => {
        assert.deepEqual(await only(packagesStack(), "packages-bucket-not-actions-storage"), []);
    });
});
