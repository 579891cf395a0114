import { strict as assert } from "node:assert";
import { regionOfServiceUrl } from "../../policies/s3Endpoint";
import { checkStorage, claimBucket, OWNER_MARKER, PROBE_PREFIX } from "../../storage/storageCheck";
import { identityPolicyFor, policyWithout } from "../../rehearsal/fixtures";
import { LocalS3 } from "../../rehearsal/localS3";
import { writesMeet } from "../support/interleavings";

const BUCKET = "acme-packages";
const GOOD = { accessKeyId: "AKIAGOODKEY000000001", secretAccessKey: "good-secret-0123456789abcdefghijABCDEFGHIJ" };
/** A second key for the bucket (another appliance's), so the local S3 tells the two claimants apart. */
const SECOND = { accessKeyId: "AKIAGOODKEY000000002", secretAccessKey: "good-secret-2222222222abcdefghijABCDEFGHIJ" };

describe("provider/storageCheck: the key is proven against the bucket before GHES is touched", () => {
    let s3: LocalS3;
    const fast = { now: () => Date.now(), sleep: () => new Promise<void>((r) => setTimeout(r, 5)) };
    const run = (o: Partial<Parameters<typeof checkStorage>[0]> = {}) =>
        checkStorage({ serviceUrl: s3.url, bucket: BUCKET, ...GOOD, timeoutMs: 0, clock: fast, ...o });

    before(async () => {
        s3 = await new LocalS3([BUCKET]).start();
        s3.addKey({ ...GOOD, policy: identityPolicyFor(BUCKET) });
        s3.addKey({ ...SECOND, policy: identityPolicyFor(BUCKET) });
        s3.addKey({ accessKeyId: "AKIANOMULTIPART00001", secretAccessKey: GOOD.secretAccessKey, policy: policyWithout(BUCKET, "s3:ListMultipartUploadParts") });
        s3.addKey({ accessKeyId: "AKIANODELETE00000001", secretAccessKey: GOOD.secretAccessKey, policy: policyWithout(BUCKET, "s3:DeleteObject") });
    });
    after(() => s3.stop());

    it("passes with the right key, performing every operation GHES performs, and leaves nothing behind", async () => {
        const r = await run();
        assert.deepEqual(r.operations, ["PutObject", "GetObject", "ListObjectsV2", "CreateMultipartUpload", "UploadPart", "ListParts", "ListMultipartUploads", "AbortMultipartUpload", "DeleteObject"]);
        assert.equal(r.attempts, 1);
        assert.equal(r.requests, 9);
        assert.deepEqual((await s3.objectKeys(BUCKET)).filter((k) => k.startsWith(PROBE_PREFIX)), []);
        assert.equal(s3.uploads.size, 0, "no multipart upload left open");
    });

    it("fails on a wrong secret, saying so without printing it", async () => {
        await assert.rejects(run({ secretAccessKey: "wrong-secret-zzzzzzzzzzzzzzzzzzzzzzzzzzzz" }), (e: Error) => {
            assert.match(e.message, /PutObject on bucket "acme-packages" at http:\/\/127\.0\.0\.1:\d+ \(1 attempt\(s\)\): the secret access key does not match.*GHES was not changed/);
            assert.ok(!e.message.includes("wrong-secret") && !e.message.includes(GOOD.secretAccessKey));
            return true;
        });
    });

    it("fails on an unknown key id", async () => {
        await assert.rejects(run({ accessKeyId: "AKIAUNKNOWN000000001" }), /InvalidAccessKeyId/);
    });

    it("names the missing multipart permission and cleans up what it started", async () => {
        await assert.rejects(run({ accessKeyId: "AKIANOMULTIPART00001" }), /ListParts on bucket .* the key lacks s3:ListMultipartUploadParts \(AccessDenied\)\. Grant it on the objects ARN/);
        assert.deepEqual((await s3.objectKeys(BUCKET)).filter((k) => k.startsWith(PROBE_PREFIX)), [], "probe object removed");
        assert.equal(s3.uploads.size, 0, "multipart upload aborted");
    });

    it("names a missing delete permission", async () => {
        await assert.rejects(run({ accessKeyId: "AKIANODELETE00000001" }), /DeleteObject .* lacks s3:DeleteObject/);
    });

    it("fails on a missing bucket", async () => {
        s3.addKey({ accessKeyId: "AKIAOTHERBUCKET00001", secretAccessKey: GOOD.secretAccessKey, policy: identityPolicyFor("no-such-bucket") });
        await assert.rejects(run({ accessKeyId: "AKIAOTHERBUCKET00001", bucket: "no-such-bucket" }), /the bucket does not exist \(NoSuchBucket\)/);
    });

    it("retries while a new key propagates, then succeeds", async () => {
        const fresh = { accessKeyId: "AKIAPROPAGATING00001", secretAccessKey: GOOD.secretAccessKey };
        const retries: string[] = [];
        let calls = 0;
        const clock = { now: () => Date.now(), sleep: async () => { if (++calls === 2) s3.addKey({ ...fresh, policy: identityPolicyFor(BUCKET) }); } };
        const r = await run({ ...fresh, timeoutMs: 60000, clock, onRetry: (m) => retries.push(m) });
        assert.equal(r.attempts, 3);
        assert.equal(retries.length, 2);
        assert.match(retries[0], /InvalidAccessKeyId; a new key can take a while/);
    });

    it("is bounded: stops retrying when the propagation window is over", async () => {
        let now = 0;
        const clock = { now: () => now, sleep: async (ms: number) => { now += ms; } };
        await assert.rejects(run({ accessKeyId: "AKIANEVERVALID000001", timeoutMs: 30000, clock }), /\(\d attempt\(s\)\)/);
        assert.ok(now >= 30000 && now < 60000, `gave up after ${now} ms of simulated time`);
    });

    it("fails clearly when the service cannot be reached", async () => {
        await assert.rejects(run({ serviceUrl: "http://127.0.0.1:1" }), /storage check failed: PutObject .*ECONNREFUSED|storage check failed: PutObject/);
    });

    it("times out a service that accepts connections but never answers", async () => {
        const { createServer } = await import("node:net");
        const sockets: import("node:net").Socket[] = [];
        const silent = createServer((sock) => { sockets.push(sock); });
        await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
        try {
            await assert.rejects(run({ serviceUrl: `http://127.0.0.1:${(silent.address() as { port: number }).port}`, requestTimeoutMs: 100 }), /storage check failed: PutObject .*TimeoutError/);
            // Bounded: each attempt ends at the request timeout, and the client makes 3 (storage/storageCheck.ts, maxAttempts).
            assert.equal(sockets.length, 3, "one connection per attempt, three attempts");
        } finally {
            sockets.forEach((s) => s.destroy());
            silent.close();
        }
    });

    describe("the ownership marker", () => {
        const access = () => ({ serviceUrl: s3.url, bucket: BUCKET, ...GOOD });
        const owner = (hostname: string, allowShared = false) => ({ hostname, allowShared });
        const markerOwner = async () => { const t = await s3.objectText(BUCKET, OWNER_MARKER); return t === undefined ? undefined : JSON.parse(t).hostname; };
        beforeEach(() => s3.deleteObject(BUCKET, OWNER_MARKER));

        it("the check reads the marker and never writes it", async () => {
            const r = await run({ owner: owner("ghes-a.example.com") });
            assert.deepEqual(r.marker, {});
            assert.equal(await markerOwner(), undefined);
        });

        it("a claim writes the marker once; a claim by the same appliance writes nothing", async () => {
            assert.equal(await claimBucket({ ...access(), owner: owner("ghes-a.example.com") }), "absent");
            assert.equal(await markerOwner(), "ghes-a.example.com");
            const puts = s3.requests.filter((r) => r.method === "PUT" && r.path.includes(OWNER_MARKER)).length;
            assert.equal(await claimBucket({ ...access(), owner: owner("ghes-a.example.com") }), "ghes-a.example.com");
            assert.equal(s3.requests.filter((r) => r.method === "PUT" && r.path.includes(OWNER_MARKER)).length, puts);
            await assert.rejects(claimBucket({ ...access(), owner: owner("ghes-b.example.com") }), /marked as the Packages storage of "ghes-a\.example\.com" .*not of ghes-b\.example\.com/);
        });

        for (const first of ["ghes-a.example.com", "ghes-b.example.com"]) {
            it(`of two appliances claiming at once, both having read the bucket unclaimed, exactly one wins: ${first} writes first`, async () => {
                // Each claim reads the marker (absent), then writes with If-None-Match: both writes are held until both were sent.
                const claimants = { "ghes-a.example.com": GOOD, "ghes-b.example.com": SECOND };
                writesMeet(s3, BUCKET, OWNER_MARKER, [claimants[first as keyof typeof claimants].accessKeyId, claimants[first === "ghes-a.example.com" ? "ghes-b.example.com" : "ghes-a.example.com"].accessKeyId]);
                try {
                    const results = await Promise.allSettled(Object.entries(claimants).map(([h, key]) => claimBucket({ ...access(), ...key, owner: owner(h) })));
                    const [won, lost] = first === "ghes-a.example.com" ? results : [results[1], results[0]];
                    assert.equal(won.status, "fulfilled");
                    assert.equal(await markerOwner(), first);
                    assert.equal(lost.status, "rejected");
                    assert.match(String((lost as PromiseRejectedResult).reason), new RegExp(`marked as the Packages storage of "${first.replace(/\./g, "\\.")}"`));
                } finally {
                    s3.beforeServing = undefined;
                }
                const markerWrites = s3.requests.filter((r) => r.method === "PUT" && r.path.includes(OWNER_MARKER)).slice(-2);
                assert.deepEqual(Object.fromEntries(markerWrites.map((r) => [r.accessKeyId, r.outcome])), first === "ghes-a.example.com"
                    ? { [GOOD.accessKeyId]: "allowed", [SECOND.accessKeyId]: "PreconditionFailed" }
                    : { [GOOD.accessKeyId]: "PreconditionFailed", [SECOND.accessKeyId]: "allowed" }, "both wrote; the second write's condition failed");
            });
        }

        for (const answer of [404, 412] as const) {
            it(`a hand-over whose marker vanished meanwhile re-reads and claims (If-Match on an absent key answered ${answer})`, async () => {
                await claimBucket({ ...access(), owner: owner("ghes-old.example.com") });
                const { marker } = await run({ owner: owner("ghes-new.example.com", true) });
                await s3.deleteObject(BUCKET, OWNER_MARKER); // removed by someone between the check and the claim
                s3.ifMatchAbsentStatus = answer;
                try {
                    assert.equal(await claimBucket({ ...access(), owner: owner("ghes-new.example.com", true), known: marker }), "absent");
                } finally {
                    s3.ifMatchAbsentStatus = 404;
                }
                assert.equal(await markerOwner(), "ghes-new.example.com");
            });
        }

        it("a claim answered 409 ConditionalRequestConflict (a conflicting write at the same time) reads the marker again and decides again", async () => {
            s3.conflictNextConditionalWrites = 1;
            assert.equal(await claimBucket({ ...access(), owner: owner("ghes-a.example.com") }), "absent");
            assert.equal(await markerOwner(), "ghes-a.example.com");
            s3.conflictNextConditionalWrites = 10;
            try {
                await assert.rejects(claimBucket({ ...access(), owner: owner("ghes-b.example.com", true) }), /changed under every one of 5 attempts/);
            } finally {
                s3.conflictNextConditionalWrites = 0;
            }
            assert.equal(await markerOwner(), "ghes-a.example.com", "bounded: gives up without writing");
        });

        it("refuses a marker whose hostname is not a host name, naming bucket and object, the value quoted with its control characters escaped", async () => {
            const forged = "ghes-a\n\u001b[1A\u001b[2K\u001b[32m    storage check passed\u001b[0m";
            await s3.putObjectText(BUCKET, OWNER_MARKER, JSON.stringify({ hostname: forged }));
            for (const attempt of [() => run({ owner: owner("ghes-b.example.com") }), () => claimBucket({ ...access(), owner: owner("ghes-b.example.com", true) })]) {
                const err = await attempt().then(() => undefined, (e: Error) => e);
                assert.ok(err, "refused, even with allowSharedBucket");
                assert.match(err.message, /s3:\/\/acme-packages\/_ghes-packages-owner\.json .*hostname "ghes-a\\n\\u001b\[1A\\u001b\[2K\\u001b\[32m {4}storage check passed\\u001b\[0m" is not a host name/);
                assert.ok(![...err.message].some((c) => c < " " || c === "\u007f"), "no control character from the bucket reaches the message");
            }
            assert.equal(await markerOwner(), forged, "nothing written over it");
        });

        it("a hand-over decides on the marker as it is when written, not as the check read it (and names that owner)", async () => {
            await claimBucket({ ...access(), owner: owner("ghes-old.example.com") });
            const { marker } = await run({ owner: owner("ghes-new.example.com", true) });
            await s3.putObjectText(BUCKET, OWNER_MARKER, JSON.stringify({ hostname: "ghes-third.example.com" }));
            // allowSharedBucket lets this appliance take the bucket over, but it decides on what the marker says now.
            assert.equal(await claimBucket({ ...access(), owner: owner("ghes-new.example.com", true), known: marker }), "ghes-third.example.com");
        });
    });

    it("derives region and addressing style from the service URL", () => {
        assert.deepEqual(regionOfServiceUrl("https://s3.eu-west-1.amazonaws.com"), { region: "eu-west-1", aws: true });
        assert.deepEqual(regionOfServiceUrl("https://s3.cn-north-1.amazonaws.com.cn"), { region: "cn-north-1", aws: true });
        assert.deepEqual(regionOfServiceUrl("https://minio.internal:9000"), { region: "us-east-1", aws: false });
        assert.deepEqual(regionOfServiceUrl("https://s3-fips.us-gov-west-1.amazonaws.com"), { region: "us-gov-west-1", aws: true });
        assert.deepEqual(regionOfServiceUrl("https://s3.dualstack.ap-southeast-2.amazonaws.com"), { region: "ap-southeast-2", aws: true });
        assert.deepEqual(regionOfServiceUrl("https://bucket.vpce-0a1b2c3d-x1y2z3.s3.eu-central-1.vpce.amazonaws.com"), { region: "eu-central-1", aws: true });
        assert.deepEqual(regionOfServiceUrl("https://s3.amazonaws.com"), { region: "us-east-1", aws: true });
    });
});
