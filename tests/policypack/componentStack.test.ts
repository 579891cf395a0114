import { strict as assert } from "node:assert";
import { PackagesStorage } from "../../index";
import { resourcesOf, settle, valueOf } from "../../rehearsal/pulumiMocks";
import { SnapshotResource } from "../../rehearsal/policyPackHost";
import { analyzeStack, inStack, analyzeResource, of } from "../support/policyHarness";

/*
 * The package's own resources, as PackagesStorage registers them under the suite's mocks (read,
 * never reinstalled here), judged by the pack: the hand-built snapshots in
 * rehearsal/stackSnapshots.ts claim this shape, and this pins the claim to the real components.
 */
describe("policy pack: what PackagesStorage registers passes every policy", function () {
    this.timeout(60000);
    let rs: SnapshotResource[] = [];
    before(async () => {
        const s = new PackagesStorage("pp-own", {
            bucket: { kmsKeyArn: "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" },
            ghes: { hostname: "ghes-pp.example.com", sshHostKeyFingerprint: "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s" },
        });
        // Outputs the engine adds to the registered inputs: the generated bucket and user names, the key id.
        const [bucket, bucketArn, userName, keyId] = await Promise.all([valueOf(s.bucketName), valueOf(s.bucketArn), valueOf(s.userName), valueOf(s.accessKeyId)]);
        await settle();
        const outputs: Record<string, Record<string, unknown>> = {
            "aws:s3/bucket:Bucket": { bucket, arn: bucketArn },
            "aws:iam/user:User": { name: userName },
            "aws:iam/accessKey:AccessKey": { id: keyId },
        };
        rs = resourcesOf("pp-own").filter((r) => !r.type.startsWith("ghes-packages-s3:"))
            .map((r) => ({ type: r.type, name: r.name, props: JSON.parse(JSON.stringify({ ...r.inputs, ...outputs[r.type] })) }));
    });

    it("registers the resources the pack judges, under the types it knows", () => {
        const types = rs.map((r) => r.type);
        for (const t of ["aws:s3/bucket:Bucket", "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "aws:s3/bucketPolicy:BucketPolicy",
            "aws:iam/user:User", "aws:iam/userPolicy:UserPolicy", "aws:iam/accessKey:AccessKey", "pulumi-nodejs:dynamic/ghes-packages-s3:GhesPackagesSettings"]) {
            assert.ok(types.includes(t), t);
        }
    });

    it("passes every stack policy and, for the GHES settings, every resource policy", () => inStack("prod", async () => {
        assert.deepEqual(await analyzeStack(rs), []);
        assert.deepEqual(await analyzeResource(rs.find((r) => r.type.startsWith("pulumi-nodejs:dynamic/"))!), []);
    }));

    it("is really judged: with one public access flag off the bucket is named, with a wider policy the key's user", async () => {
        const changed = rs.map((r) => (r.type.endsWith("BucketPublicAccessBlock") ? { ...r, props: { ...r.props, ignorePublicAcls: false } } : r));
        const ds = of(await analyzeStack(changed), "packages-bucket-public-access-blocked");
        assert.equal(ds.length, 1);
        assert.match(ds[0].message, /aws:s3\/bucket:Bucket "pp-own-bucket" .*tagged ghes-packages-instance=pp-own.*ignorePublicAcls not true/);
        const wider = rs.map((r) => (r.type === "aws:iam/userPolicy:UserPolicy"
            ? { ...r, props: { ...r.props, policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] }) } } : r));
        const grants = of(await analyzeStack(wider), "packages-identity-least-privilege");
        assert.equal(grants.length, 1);
        assert.match(grants[0].message, /aws:iam\/user:User "pp-own-user" \(its key is used by GHES settings "pp-own-ghes"\)/);
    });
});
