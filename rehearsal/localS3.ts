import { createHash, createHmac, randomBytes } from "node:crypto";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { Server } from "node:http";
import { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { SignatureV4 } from "@smithy/signature-v4";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { PolicyDocument } from "../policies/identityPolicy";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require("s3rver");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3Object = require("s3rver/lib/models/object");

/*
 * A local S3 for the storage check and the rehearsal: s3rver, plus middlewares in front of
 * it that (1) verify SigV4 signatures against registered keys (s3rver does not), (2)
 * authorize each request with an IAM evaluator against the key's identity policy,
 * (3) serve the multipart calls s3rver lacks (ListParts, ListMultipartUploads, Abort), and
 * (4) evaluate conditional writes, which s3rver ignores (see preconditionFailure).
 */

export interface LocalS3Key {
    accessKeyId: string;
    secretAccessKey: string;
    /** Identity policy of the key; requests it does not allow answer AccessDenied. */
    policy: PolicyDocument;
}

export interface S3RequestRecord {
    method: string;
    path: string;
    action?: string;
    accessKeyId?: string;
    outcome: string;
}

class NodeSha256 {
    private readonly h;
    constructor(secret?: unknown) {
        this.h = secret ? createHmac("sha256", Buffer.from(secret as Uint8Array)) : createHash("sha256");
    }
    update(data: Uint8Array | string): void { this.h.update(typeof data === "string" ? Buffer.from(data) : Buffer.from(data)); }
    async digest(): Promise<Uint8Array> { return new Uint8Array(this.h.digest()); }
}

interface Upload { bucket: string; key: string; parts: Map<number, number>; initiated: string }

function xml(tag: string, inner: string): string {
    return `<?xml version="1.0" encoding="UTF-8"?>\n<${tag} xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${inner}</${tag}>`;
}

function errorXml(code: string, message: string): string {
    return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}

export class LocalS3 {
    readonly keys = new Map<string, LocalS3Key>();
    readonly requests: S3RequestRecord[] = [];
    readonly uploads = new Map<string, Upload>();
    /**
     * What PutObject with If-Match answers when the key does not exist. AWS's user guide
     * ("Conditional write behavior") says 404 Not Found; other S3 services answer 412 (Apache
     * Ozone, HDDS-13919). The client must take either (storage/storageCheck.ts).
     */
    ifMatchAbsentStatus: 404 | 412 = 404;
    /**
     * Answer the next conditional writes 409 ConditionalRequestConflict, as S3 does when a
     * conflicting operation ran at the same time (PutObject IfNoneMatch/IfMatch, API reference:
     * "On a 409 failure you should retry").
     */
    conflictNextConditionalWrites = 0;
    /**
     * Awaited before each authorized request is served (a test hook, not an S3 behaviour): a
     * test holds requests here to force one interleaving of concurrent clients (two claims that
     * both read the ownership marker absent, then write at once), instead of repeating a race
     * and hoping to meet it. Object writes are held before their turn, so held writes can meet.
     */
    beforeServing?: (request: S3RequestRecord) => Promise<void>;
    /** Object writes per key, one at a time: S3 evaluates a condition and writes atomically. */
    private readonly keyWrites = new Map<string, Promise<void>>();
    private server: Server | undefined;
    private readonly dir = mkdtempSync(join(tmpdir(), "local-s3-"));
    private readonly s3rver;
    port = 0;

    constructor(readonly buckets: string[]) {
        this.s3rver = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: this.dir, configureBuckets: buckets.map((name) => ({ name })) });
        // Our middlewares run before s3rver's own.
        this.s3rver.middleware.unshift((ctx: KoaContext, next: () => Promise<void>) => this.gate(ctx, next));
        this.s3rver.store.putObject = putObjectOnceWritten(this.s3rver.store);
    }

    get url(): string { return `http://127.0.0.1:${this.port}`; }

    addKey(key: LocalS3Key): void { this.keys.set(key.accessKeyId, key); }

    /** Object keys currently in a bucket (via s3rver's store). */
    async objectKeys(bucket: string): Promise<string[]> {
        const r = await this.s3rver.store.listObjects(bucket, { maxKeys: 1000 });
        return r.objects.map((o: { key: string }) => o.key);
    }

    /** An object's content as text (via s3rver's store, no request). */
    async objectText(bucket: string, key: string): Promise<string | undefined> {
        const o = await this.s3rver.store.getObject(bucket, key);
        if (!o) return undefined;
        const chunks: Buffer[] = [];
        for await (const c of o.content) chunks.push(Buffer.from(c));
        return Buffer.concat(chunks).toString("utf8");
    }

    /** Writes an object directly into the store (what another writer left in the bucket). */
    async putObjectText(bucket: string, key: string, text: string): Promise<void> {
        await this.s3rver.store.putObject(new S3Object(bucket, key, Buffer.from(text), { "content-type": "application/json" }));
    }

    async deleteObject(bucket: string, key: string): Promise<void> {
        await this.s3rver.store.deleteObject(bucket, key);
    }

    async start(): Promise<this> {
        const addr = await this.s3rver.run();
        this.server = this.s3rver.httpServer;
        this.port = (addr as AddressInfo).port;
        return this;
    }

    async stop(): Promise<void> {
        if (this.server) {
            this.server.closeAllConnections();
            await this.s3rver.close();
            this.server = undefined;
        }
        rmSync(this.dir, { recursive: true, force: true });
    }

    /** Waits for this key's earlier writes; resolves with the function that lets the next one in. */
    private async writeTurn(id: string): Promise<() => void> {
        const before = this.keyWrites.get(id) ?? Promise.resolve();
        let release!: () => void;
        const mine = new Promise<void>((r) => { release = r; });
        const chain = before.then(() => mine);
        this.keyWrites.set(id, chain);
        await before;
        return () => {
            release();
            if (this.keyWrites.get(id) === chain) this.keyWrites.delete(id);
        };
    }

    /**
     * Conditional writes as the Amazon S3 User Guide documents them ("How to prevent object
     * overwrites with conditional writes"; PutObject IfNoneMatch/IfMatch in the API reference):
     * `If-None-Match: *` fails with 412 PreconditionFailed if the key exists; `If-Match: <ETag>`
     * fails with 412 if the current ETag differs, and with 404 NoSuchKey if there is no object
     * (ifMatchAbsentStatus). Pinned by tests/rehearsal/localS3.test.ts.
     */
    private async preconditionFailure(bucket: string, key: string, ifNoneMatch: string, ifMatch: string): Promise<[number, string, string] | undefined> {
        if (!ifNoneMatch && !ifMatch) return undefined;
        if (this.conflictNextConditionalWrites > 0) {
            this.conflictNextConditionalWrites--;
            return [409, "ConditionalRequestConflict", "A conflicting conditional operation is currently in progress against this resource."];
        }
        const exists = await this.s3rver.store.existsObject(bucket, key);
        const precondition: [number, string, string] = [412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold"];
        if (ifNoneMatch) return ifNoneMatch.trim() === "*" && exists ? precondition : undefined;
        if (!exists) return this.ifMatchAbsentStatus === 404 ? [404, "NoSuchKey", "The specified key does not exist."] : precondition;
        const { etag } = await this.s3rver.store.getMetadata(bucket, key) as { etag: string };
        const bare = (t: string) => t.trim().replace(/^W\//, "").replace(/^"|"$/g, "");
        return bare(etag) === bare(ifMatch) ? undefined : precondition;
    }

    private async gate(ctx: KoaContext, next: () => Promise<void>): Promise<void> {
        const url = new URL(ctx.url, "http://127.0.0.1");
        const segments = url.pathname.split("/").filter(Boolean);
        const bucket = segments[0] ? decodeURIComponent(segments[0]) : undefined;
        const key = segments.length > 1 ? decodeURIComponent(segments.slice(1).join("/")) : undefined;
        const q = url.searchParams;
        const action = actionOf(ctx.method, bucket, key, q);
        const rec: S3RequestRecord = { method: ctx.method, path: url.pathname + url.search, action, outcome: "" };
        this.requests.push(rec);
        const deny = (status: number, code: string, message: string) => {
            rec.outcome = code;
            ctx.status = status;
            ctx.type = "application/xml";
            ctx.body = errorXml(code, message);
        };

        const auth = ctx.get("authorization");
        const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
        if (!m) return deny(403, "AccessDenied", "Anonymous access is not allowed");
        const [, accessKeyId, , region, signedHeaders, signature] = m;
        rec.accessKeyId = accessKeyId;
        const k = this.keys.get(accessKeyId);
        if (!k) return deny(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.");

        // Re-sign the request as received with the registered secret and compare.
        const headers: Record<string, string> = {};
        for (const h of signedHeaders.split(";")) headers[h] = ctx.get(h);
        const query: Record<string, string | string[]> = {};
        for (const [qk, qv] of q) query[qk] = qv;
        const signer = new SignatureV4({ service: "s3", region, credentials: { accessKeyId, secretAccessKey: k.secretAccessKey }, sha256: NodeSha256, uriEscapePath: false, applyChecksum: false });
        const amzDate = ctx.get("x-amz-date");
        const signingDate = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
        const signed = await signer.sign({ method: ctx.method, protocol: "http:", hostname: "127.0.0.1", port: this.port, path: url.pathname, query, headers, body: undefined }, { signingDate });
        const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization ?? signed.headers.Authorization))?.[1];
        if (expected !== signature) return deny(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.");

        if (!action || !bucket) return deny(403, "AccessDenied", "Unsupported request");
        const resource = key !== undefined ? `arn:aws:s3:::${bucket}/${key}` : `arn:aws:s3:::${bucket}`;
        const result = await runSimulation({
            identityPolicies: [{ name: "key", policy: k.policy }],
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            request: { action, principal: "arn:aws:iam::123456789012:user/ghes/packages", resource: { accountId: "123456789012", resource }, contextVariables: {} },
        }, {});
        const decision = result.resultType === "single" ? result.overallResult : "Error";
        if (decision !== "Allowed") return deny(403, "AccessDenied", `Access Denied (${action})`);
        if (!this.buckets.includes(bucket)) return deny(404, "NoSuchBucket", "The specified bucket does not exist");
        rec.outcome = "allowed";
        await this.beforeServing?.(rec);

        // s3rver does not know these multipart calls: serve them here.
        if (action === "s3:ListMultipartUploadParts") {
            const up = this.uploads.get(q.get("uploadId") ?? "");
            if (!up) return deny(404, "NoSuchUpload", "The specified upload does not exist");
            const parts = [...up.parts].map(([n, size]) => `<Part><PartNumber>${n}</PartNumber><Size>${size}</Size><ETag>"${n}"</ETag></Part>`).join("");
            ctx.type = "application/xml";
            ctx.body = xml("ListPartsResult", `<Bucket>${bucket}</Bucket><Key>${key}</Key><UploadId>${q.get("uploadId")}</UploadId>${parts}<IsTruncated>false</IsTruncated>`);
            return;
        }
        if (action === "s3:ListBucketMultipartUploads") {
            const prefix = q.get("prefix") ?? "";
            const items = [...this.uploads].filter(([, u]) => u.bucket === bucket && u.key.startsWith(prefix))
                .map(([id, u]) => `<Upload><Key>${u.key}</Key><UploadId>${id}</UploadId><Initiated>${u.initiated}</Initiated></Upload>`).join("");
            ctx.type = "application/xml";
            ctx.body = xml("ListMultipartUploadsResult", `<Bucket>${bucket}</Bucket><Prefix>${prefix}</Prefix>${items}<IsTruncated>false</IsTruncated>`);
            return;
        }
        if (action === "s3:AbortMultipartUpload") {
            if (!this.uploads.delete(q.get("uploadId") ?? "")) return deny(404, "NoSuchUpload", "The specified upload does not exist");
            ctx.status = 204;
            return;
        }
        const objectWrite = ctx.method === "PUT" && key !== undefined && !q.has("uploadId");
        const release = objectWrite ? await this.writeTurn(`${bucket}/${key}`) : undefined;
        try {
            const failure = objectWrite ? await this.preconditionFailure(bucket, key, ctx.get("if-none-match"), ctx.get("if-match")) : undefined;
            if (failure) return deny(...failure);
            // Our auth replaced s3rver's: hand it an anonymous request.
            delete ctx.headers.authorization;
            await next();
        } finally {
            release?.();
        }
        if (ctx.method === "POST" && q.has("uploads") && key) {
            const id = /<UploadId>([^<]+)<\/UploadId>/.exec(String(ctx.body))?.[1] ?? randomBytes(8).toString("hex");
            this.uploads.set(id, { bucket, key, parts: new Map(), initiated: new Date().toISOString() });
        }
        if (ctx.method === "PUT" && q.has("uploadId") && q.has("partNumber")) {
            this.uploads.get(q.get("uploadId") ?? "")?.parts.set(Number(q.get("partNumber")), Number(ctx.get("content-length") || 0));
        }
    }
}

interface StoredObject { bucket: string; key: string; content: Buffer | NodeJS.ReadableStream; metadata: Record<string, string> }
interface FilesystemStore {
    getResourcePath(bucket: string, key: string, resource: string): string;
    putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5: string): Promise<void>;
}

/*
 * S3 has strong read-after-write consistency for PUTs of objects (Amazon S3 User Guide, "Amazon
 * S3 data consistency model"). s3rver's own putObject resolves, and its PUT is answered, once
 * the body has been read, before its file stream has written it: a read right after the answer
 * could find the object empty (seen under disk load). This one resolves once the file is written,
 * then stores the metadata as s3rver does. Pinned by tests/rehearsal/localS3.test.ts.
 */
function putObjectOnceWritten(store: FilesystemStore) {
    return async (object: StoredObject): Promise<{ size: number; md5: string }> => {
        const file = store.getResourcePath(object.bucket, object.key, "object");
        await mkdir(dirname(file), { recursive: true });
        const md5 = createHash("md5");
        let size = 0;
        const counting = new Transform({ transform(chunk: Buffer, _encoding, done) { md5.update(chunk); size += chunk.length; done(null, chunk); } });
        await pipeline(Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content, counting, createWriteStream(file));
        const digest = md5.digest("hex");
        await store.putMetadata(object.bucket, object.key, object.metadata, digest);
        return { size, md5: digest };
    };
}

interface KoaContext {
    url: string;
    method: string;
    status: number;
    type: string;
    body: unknown;
    headers: Record<string, string | undefined>;
    get(name: string): string;
}

/** The IAM action an S3 REST request needs. */
export function actionOf(method: string, bucket: string | undefined, key: string | undefined, q: URLSearchParams): string | undefined {
    if (!bucket) return method === "GET" ? "s3:ListAllMyBuckets" : undefined;
    if (key === undefined) {
        if (method === "GET" && q.has("uploads")) return "s3:ListBucketMultipartUploads";
        if (method === "GET" && q.has("versions")) return "s3:ListBucketVersions";
        if (method === "GET" && [...q.keys()].every((k) => ["list-type", "prefix", "max-keys", "delimiter", "continuation-token", "marker", "encoding-type", "start-after", "x-id"].includes(k))) return "s3:ListBucket";
        if (method === "DELETE" && q.size === 0) return "s3:DeleteBucket";
        return undefined;
    }
    if (method === "GET" && q.has("uploadId")) return "s3:ListMultipartUploadParts";
    if (method === "DELETE" && q.has("uploadId")) return "s3:AbortMultipartUpload";
    if (method === "GET" || method === "HEAD") return "s3:GetObject";
    if (method === "PUT" || (method === "POST" && (q.has("uploads") || q.has("uploadId")))) return "s3:PutObject";
    if (method === "DELETE") return "s3:DeleteObject";
    return undefined;
}
