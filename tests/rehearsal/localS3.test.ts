import { strict as assert } from "node:assert";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { identityPolicyFor } from "../../rehearsal/fixtures";
import { LocalS3 } from "../../rehearsal/localS3";

/*
 * The local S3 is a claim about S3. Conditional writes as AWS documents them (Amazon S3 User
 * Guide, "How to prevent object overwrites with conditional writes"; PutObject's IfNoneMatch /
 * IfMatch in the API reference): If-None-Match: * fails with 412 PreconditionFailed when the key
 * exists; If-Match: <ETag> fails with 412 when the ETag differs; of concurrent conditional
 * writes to one key only one succeeds.
 */
describe("rehearsal/localS3: conditional writes as AWS documents them", () => {
    const BUCKET = "conditional-writes";
    const KEY = { accessKeyId: "AKIACONDITIONAL00001", secretAccessKey: "conditional-secret-0123456789abcdefghij" };
    let s3: LocalS3;
    let client: S3Client;
    before(async () => {
        s3 = await new LocalS3([BUCKET]).start();
        s3.addKey({ ...KEY, policy: identityPolicyFor(BUCKET) });
        client = new S3Client({ endpoint: s3.url, region: "us-east-1", forcePathStyle: true, credentials: KEY, maxAttempts: 1 });
    });
    after(async () => { client.destroy(); await s3.stop(); });
    beforeEach(() => s3.deleteObject(BUCKET, "k"));

    const put = (body: string, condition: { IfNoneMatch?: string; IfMatch?: string } = {}) =>
        client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "k", Body: body, ...condition }));
    const status = (p: Promise<unknown>) => p.then(() => 200, (e: { $metadata?: { httpStatusCode?: number }; name?: string }) => `${e.$metadata?.httpStatusCode} ${e.name}`);

    it("If-None-Match: * creates an absent object and refuses an existing one with 412 PreconditionFailed", async () => {
        assert.equal(await status(put("first", { IfNoneMatch: "*" })), 200);
        assert.equal(await status(put("second", { IfNoneMatch: "*" })), "412 PreconditionFailed");
        assert.equal(await s3.objectText(BUCKET, "k"), "first");
    });

    it("If-Match: <ETag> replaces the object only while its ETag is the one given", async () => {
        const { ETag } = await put("first");
        assert.equal(await status(put("second", { IfMatch: '"00000000000000000000000000000000"' })), "412 PreconditionFailed");
        assert.equal(await status(put("second", { IfMatch: ETag })), 200);
        assert.equal(await status(put("third", { IfMatch: ETag })), "412 PreconditionFailed", "the ETag changed with the content");
        assert.equal(await s3.objectText(BUCKET, "k"), "second");
        const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: "k" }));
        assert.notEqual(got.ETag, ETag);
    });

    it("If-Match on an absent key fails (404 NoSuchKey by default; 412 where a service answers so)", async () => {
        assert.equal(await status(put("x", { IfMatch: '"00000000000000000000000000000000"' })), "404 NoSuchKey");
        s3.ifMatchAbsentStatus = 412;
        try {
            assert.equal(await status(put("x", { IfMatch: '"00000000000000000000000000000000"' })), "412 PreconditionFailed");
        } finally {
            s3.ifMatchAbsentStatus = 404;
        }
        assert.equal(await s3.objectText(BUCKET, "k"), undefined);
    });

    it("of two conditional creates of one key at once, exactly one succeeds (20 trials)", async () => {
        for (let trial = 0; trial < 20; trial++) {
            await s3.deleteObject(BUCKET, "k");
            const results = await Promise.all([status(put("a", { IfNoneMatch: "*" })), status(put("b", { IfNoneMatch: "*" }))]);
            assert.equal(results.filter((r) => r === 200).length, 1, `trial ${trial}: ${results.join(", ")}`);
        }
    });

    // Amazon S3 User Guide, "Amazon S3 data consistency model": strong read-after-write
    // consistency for PUT of objects. (s3rver answers a PUT once it has read the body, before
    // its file is written: a read right after the answer could find the object empty.)
    it("an object read right after its PUT was answered holds what was written (strong read-after-write consistency)", async () => {
        // Before the fix, 3 runs of 3 under disk load failed (with 200 trials: at trials 76, 78 and 185).
        for (let trial = 0; trial < 100; trial++) {
            await put(`body ${trial}`);
            assert.equal(await s3.objectText(BUCKET, "k"), `body ${trial}`);
        }
    });

    it("a write without a condition still overwrites (S3's default)", async () => {
        await put("first");
        assert.equal(await status(put("second")), 200);
        assert.equal(await s3.objectText(BUCKET, "k"), "second");
    });
});
