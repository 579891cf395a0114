import { randomBytes } from "node:crypto";
import {
    AbortMultipartUploadCommand,
    CreateMultipartUploadCommand,
    DeleteObjectCommand,
    GetObjectCommand,
    ListMultipartUploadsCommand,
    ListObjectsV2Command,
    ListPartsCommand,
    PutObjectCommand,
    S3Client,
    UploadPartCommand,
} from "@aws-sdk/client-s3";
import { backoffDelay } from "../ghes/backoff";
import { regionOfServiceUrl } from "../policies/s3Endpoint";
import { Clock, realClock } from "../ghes/clock";

export interface StorageCheckOptions {
    serviceUrl: string;
    bucket: string;
    accessKeyId: string;
    secretAccessKey: string;
    /** How long to keep retrying while a new key or policy propagates (IAM is eventually consistent). */
    timeoutMs: number;
    /** Per-request timeout. Default 15 s. */
    requestTimeoutMs?: number;
    clock?: Clock;
    /** Called before each retry, for progress output. */
    onRetry?: (message: string) => void;
    /**
     * The appliance the bucket is for. When given, the bucket's ownership marker must name
     * this appliance (or be absent, and is then written): one bucket, one appliance.
     */
    owner?: { hostname: string; allowShared: boolean };
}

export interface StorageCheckResult {
    operations: string[];
    attempts: number;
    requests: number;
    /** What the ownership marker said before the check ("absent" when the bucket was unclaimed). */
    previousOwner?: string;
}

/**
 * The ownership marker: which appliance uses the bucket. The GHES docs warn that a staging
 * instance restored from a production backup keeps production's storage settings and would
 * write into production's bucket; the marker makes that a refusal instead.
 */
export const OWNER_MARKER = "_ghes-packages-owner.json";

/** Every object the check writes lives under this prefix (and is removed again). */
export const PROBE_PREFIX = "_ghes-packages-storage-check/";

/** The S3 operations GHES performs, with the IAM permission each needs. */
const OPERATIONS = [
    ["PutObject", "s3:PutObject"],
    ["GetObject", "s3:GetObject"],
    ["ListObjectsV2", "s3:ListBucket"],
    ["CreateMultipartUpload", "s3:PutObject"],
    ["UploadPart", "s3:PutObject"],
    ["ListParts", "s3:ListMultipartUploadParts"],
    ["ListMultipartUploads", "s3:ListBucketMultipartUploads"],
    ["AbortMultipartUpload", "s3:AbortMultipartUpload"],
    ["DeleteObject", "s3:DeleteObject"],
] as const;

export class StorageCheckError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StorageCheckError";
    }
}

const AUTH_PROPAGATION = new Set(["InvalidAccessKeyId", "AccessDenied", "SignatureDoesNotMatch", "InvalidToken", "Forbidden"]);

/**
 * Uses the key exactly as GHES will, on a probe object, before GHES is touched. Retries the
 * whole sequence while authorization errors may still be propagation, then fails naming the
 * operation and the permission that was refused. Always cleans up after itself.
 */
export async function checkStorage(o: StorageCheckOptions): Promise<StorageCheckResult> {
    const clock = o.clock ?? realClock;
    const deadline = clock.now() + o.timeoutMs;
    const { region, aws } = regionOfServiceUrl(o.serviceUrl);
    let requests = 0;
    const client = new S3Client({
        endpoint: o.serviceUrl,
        region,
        forcePathStyle: !aws, // MinIO and other S3-compatible services want path-style addressing
        credentials: { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey },
        maxAttempts: 3,
        // throwOnRequestTimeout: without it the SDK only logs a warning and keeps waiting.
        requestHandler: { connectionTimeout: 5000, requestTimeout: o.requestTimeoutMs ?? 15000, throwOnRequestTimeout: true },
        // Checksums only where S3 requires them: S3-compatible services may not know the newer headers.
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED",
    });
    client.middlewareStack.add((next) => async (args) => { requests++; return next(args); }, { step: "finalizeRequest", name: "countRequests" });
    try {
        for (let attempt = 1; ; attempt++) {
            try {
                const operations = await probeOnce(client, o.bucket);
                const previousOwner = o.owner ? await claimBucket(client, o.bucket, o.owner, o.serviceUrl) : undefined;
                return { operations, attempts: attempt, requests, previousOwner };
            } catch (err) {
                if (!(err instanceof ProbeFailure)) throw err;
                const failure = err;
                const code = failure.code ?? "";
                const retriable = AUTH_PROPAGATION.has(code) || failure.transient;
                const remaining = deadline - clock.now();
                if (!retriable || remaining <= 0) throw new StorageCheckError(describeFailure(o, failure, attempt));
                o.onRetry?.(`storage check: ${failure.operation} answered ${code || "an error"}; a new key can take a while to work everywhere, retrying (attempt ${attempt + 1})`);
                await clock.sleep(Math.min(remaining, backoffDelay(attempt - 1, { initialMs: 1000, factor: 2, maxMs: 15000 })));
            }
        }
    } finally {
        client.destroy();
    }
}

/** Reads the ownership marker; refuses another appliance's bucket unless allowed; writes the marker if it is not ours. */
async function claimBucket(client: S3Client, bucket: string, owner: { hostname: string; allowShared: boolean }, serviceUrl: string): Promise<string> {
    let current: string | undefined;
    try {
        const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: OWNER_MARKER }));
        const parsed = JSON.parse((await got.Body?.transformToString()) ?? "{}") as { hostname?: unknown };
        current = typeof parsed.hostname === "string" ? parsed.hostname : "(unreadable marker)";
    } catch (err) {
        const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
        if (e.name !== "NoSuchKey" && e.Code !== "NoSuchKey" && e.$metadata?.httpStatusCode !== 404) throw err;
    }
    if (current === owner.hostname) return current;
    if (current !== undefined && !owner.allowShared) {
        throw new StorageCheckError(`storage check failed: bucket ${JSON.stringify(bucket)} at ${serviceUrl} is marked as the Packages storage of ${current} ` +
            `(s3://${bucket}/${OWNER_MARKER}), not of ${owner.hostname}. Two appliances on one bucket overwrite each other's packages ` +
            `(e.g. a staging instance restored from a production backup). Give this appliance its own bucket, or set allowSharedBucket: true for a planned hand-over. GHES was not changed.`);
    }
    await client.send(new PutObjectCommand({
        Bucket: bucket, Key: OWNER_MARKER, ContentType: "application/json",
        Body: JSON.stringify({ hostname: owner.hostname, claimedAt: new Date().toISOString(), by: "ghes-packages-s3" }),
    }));
    return current ?? "absent";
}

/** One probe operation that failed; decides retry (transient, propagation) and the message. */
class ProbeFailure extends Error {
    constructor(
        readonly operation: string,
        readonly permission: string,
        message: string,
        readonly transient: boolean,
        readonly code?: string,
        readonly status?: number,
    ) {
        super(message);
        this.name = "ProbeFailure";
    }
}

function describeFailure(o: StorageCheckOptions, f: ProbeFailure, attempts: number): string {
    const where = `bucket ${JSON.stringify(o.bucket)} at ${o.serviceUrl}`;
    let why: string;
    switch (f.code) {
        case "AccessDenied":
        case "Forbidden":
            why = `the key lacks ${f.permission} (AccessDenied). Grant it on ${f.permission === "s3:ListBucket" || f.permission === "s3:ListBucketMultipartUploads" ? "the bucket ARN" : "the objects ARN (bucket/*)"}; with SSE-KMS also kms:GenerateDataKey and kms:Decrypt on the key`;
            break;
        case "InvalidAccessKeyId":
            why = "the access key id is not known to the service (InvalidAccessKeyId)";
            break;
        case "SignatureDoesNotMatch":
            why = "the secret access key does not match the access key id (SignatureDoesNotMatch)";
            break;
        case "NoSuchBucket":
            why = "the bucket does not exist (NoSuchBucket)";
            break;
        default:
            why = `${f.code ?? "error"}${f.status ? ` (HTTP ${f.status})` : ""}: ${f.message.slice(0, 200)}`;
    }
    return `storage check failed: ${f.operation} on ${where} (${attempts} attempt(s)): ${why}. GHES was not changed.`;
}

async function probeOnce(client: S3Client, bucket: string): Promise<string[]> {
    const key = `${PROBE_PREFIX}${Date.now()}-${randomBytes(6).toString("hex")}`;
    const body = "ghes-packages storage check\n";
    const done: string[] = [];
    let uploadId: string | undefined;
    let objectWritten = false;
    const step = async <T>(index: number, fn: () => Promise<T>): Promise<T> => {
        const [operation, permission] = OPERATIONS[index];
        try {
            const r = await fn();
            done.push(operation);
            return r;
        } catch (err) {
            const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number }; message?: string; code?: string };
            const status = e.$metadata?.httpStatusCode;
            throw new ProbeFailure(operation, permission, e.message ?? String(err), status === undefined || status >= 500 || e.name === "TimeoutError", e.Code ?? e.name, status);
        }
    };
    try {
        await step(0, () => client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body })));
        objectWritten = true;
        const got = await step(1, () => client.send(new GetObjectCommand({ Bucket: bucket, Key: key })));
        const text = await got.Body?.transformToString();
        if (text !== body) throw new ProbeFailure("GetObject", "s3:GetObject", "the object read back differs from what was written", false);
        await step(2, () => client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: PROBE_PREFIX, MaxKeys: 10 })));
        const mpu = await step(3, () => client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: `${key}.multipart` })));
        uploadId = mpu.UploadId;
        await step(4, () => client.send(new UploadPartCommand({ Bucket: bucket, Key: `${key}.multipart`, UploadId: uploadId, PartNumber: 1, Body: "part" })));
        await step(5, () => client.send(new ListPartsCommand({ Bucket: bucket, Key: `${key}.multipart`, UploadId: uploadId })));
        await step(6, () => client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: PROBE_PREFIX })));
        await step(7, () => client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: `${key}.multipart`, UploadId: uploadId })));
        uploadId = undefined;
        await step(8, () => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })));
        objectWritten = false;
        return done;
    } finally {
        // Best-effort clean-up of whatever this attempt left behind.
        if (uploadId) await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: `${key}.multipart`, UploadId: uploadId })).catch(() => undefined);
        if (objectWritten) await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => undefined);
    }
}
