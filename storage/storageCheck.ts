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
import { shown } from "../ghes/outsideText";
import { hostnameError } from "../validation/ghesValues";

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
     * The appliance the bucket is for. When given, the bucket's ownership marker is read (not
     * written): a bucket another appliance claimed is refused here, before GHES is contacted.
     * The claim itself is claimBucket's, once the appliance was reached and its host key verified.
     */
    owner?: { hostname: string; allowShared: boolean };
}

export interface StorageCheckResult {
    operations: string[];
    attempts: number;
    requests: number;
    /** The ownership marker as read (when `owner` was given): hand it to claimBucket. */
    marker?: OwnerMarker;
}

/** The ownership marker as read: which appliance it names (none: absent) and its ETag for a conditional replace. */
export interface OwnerMarker {
    hostname?: string;
    etag?: string;
}

/** The key and the bucket, as the S3 client needs them. */
export type StorageAccess = Pick<StorageCheckOptions, "serviceUrl" | "bucket" | "accessKeyId" | "secretAccessKey" | "requestTimeoutMs">;

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
    let requests = 0;
    const client = s3ClientFor(o);
    client.middlewareStack.add((next) => async (args) => { requests++; return next(args); }, { step: "finalizeRequest", name: "countRequests" });
    try {
        for (let attempt = 1; ; attempt++) {
            try {
                const operations = await probeOnce(client, o.bucket);
                let marker: OwnerMarker | undefined;
                if (o.owner) {
                    marker = await readOwnerMarker(client, o);
                    refuseOthersBucket(marker, o.owner, o);
                }
                return { operations, attempts: attempt, requests, marker };
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

/** One S3 client for the key and the bucket, with timeouts. */
function s3ClientFor(o: StorageAccess): S3Client {
    const { region, aws } = regionOfServiceUrl(o.serviceUrl);
    return new S3Client({
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
}

const statusOf = (err: unknown) => (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
const codeOf = (err: unknown) => { const e = err as { name?: string; Code?: string }; return e.Code ?? e.name; };

/** Reads the ownership marker; absent is `{}`; anything this package would not have written is a clear error. */
async function readOwnerMarker(client: S3Client, o: StorageAccess): Promise<OwnerMarker> {
    let text: string;
    let etag: string | undefined;
    try {
        const got = await client.send(new GetObjectCommand({ Bucket: o.bucket, Key: OWNER_MARKER }));
        text = (await got.Body?.transformToString()) ?? "";
        etag = got.ETag;
    } catch (err) {
        if (codeOf(err) === "NoSuchKey" || statusOf(err) === 404) return {};
        throw new StorageCheckError(`storage check failed: reading the ownership marker s3://${o.bucket}/${OWNER_MARKER} at ${o.serviceUrl} failed: ${codeOf(err) ?? "error"}${statusOf(err) ? ` (HTTP ${statusOf(err)})` : ""}. GHES was not changed.`);
    }
    let parsed: unknown;
    try { parsed = JSON.parse(text); } catch { parsed = undefined; }
    const hostname = (parsed as { hostname?: unknown } | undefined)?.hostname;
    if (typeof parsed !== "object" || parsed === null || typeof hostname !== "string" || hostname === "") {
        throw new StorageCheckError(`storage check failed: s3://${o.bucket}/${OWNER_MARKER} (bucket ${JSON.stringify(o.bucket)} at ${o.serviceUrl}) is not an ownership marker this package wrote ` +
            `(${parsed === undefined ? "not JSON" : "JSON without a \"hostname\" string"}; it starts ${JSON.stringify(text.slice(0, 40))}). ` +
            `Find out who wrote it; if no other appliance uses this bucket, delete it (this package writes it again), or replace it with {"hostname": "<the appliance>"}. GHES was not changed.`);
    }
    // Anyone with write access to the bucket can write the marker: a hostname that is no host
    // name is refused (quoted, escaped), so it never reaches a message or a log as written.
    if (hostnameError(hostname) !== undefined) {
        throw new StorageCheckError(`storage check failed: s3://${o.bucket}/${OWNER_MARKER} (bucket ${JSON.stringify(o.bucket)} at ${o.serviceUrl}) is not an ownership marker this package wrote: ` +
            `its hostname ${shown(hostname)} is not a host name. Find out who wrote it; if no other appliance uses this bucket, delete it (this package writes it again), ` +
            `or replace it with {"hostname": "<the appliance>"}. GHES was not changed.`);
    }
    return { hostname, etag };
}

function refuseOthersBucket(marker: OwnerMarker, owner: { hostname: string; allowShared: boolean }, o: StorageAccess): void {
    if (marker.hostname === undefined || marker.hostname === owner.hostname || owner.allowShared) return;
    throw new StorageCheckError(`storage check failed: bucket ${JSON.stringify(o.bucket)} at ${o.serviceUrl} is marked as the Packages storage of ${shown(marker.hostname)} ` +
        `(s3://${o.bucket}/${OWNER_MARKER}), not of ${owner.hostname}. Two appliances on one bucket overwrite each other's packages ` +
        `(e.g. a staging instance restored from a production backup). Give this appliance its own bucket, or set allowSharedBucket: true for a planned hand-over. GHES was not changed.`);
}

/** How many times a claim re-reads the marker after losing a race before it gives up. */
const CLAIM_ATTEMPTS = 5;

/**
 * Claims the bucket for this appliance with a conditional write (Amazon S3 User Guide,
 * "conditional writes"): `If-None-Match: *` creates the marker only if there is none,
 * `If-Match: <ETag>` replaces only the marker that was read. When another writer got there
 * first (412, 409 ConditionalRequestConflict, or 404 for a marker deleted meanwhile) the
 * marker is read again and the decision made again: of two appliances claiming at once, one
 * wins and the other is refused. `known` is the marker the storage check read (saves a read).
 * Returns the previous owner ("absent" when there was none); writes nothing when the marker
 * already names this appliance.
 */
export async function claimBucket(o: StorageAccess & { owner: { hostname: string; allowShared: boolean }; known?: OwnerMarker }): Promise<string> {
    const client = s3ClientFor(o);
    try {
        let marker = o.known ?? await readOwnerMarker(client, o);
        for (let attempt = 1; ; attempt++) {
            if (marker.hostname === o.owner.hostname) return marker.hostname;
            refuseOthersBucket(marker, o.owner, o);
            try {
                await client.send(new PutObjectCommand({
                    Bucket: o.bucket, Key: OWNER_MARKER, ContentType: "application/json",
                    ...(marker.etag === undefined ? { IfNoneMatch: "*" } : { IfMatch: marker.etag }),
                    Body: JSON.stringify({ hostname: o.owner.hostname, claimedAt: new Date().toISOString(), by: "ghes-packages-s3" }),
                }));
                return marker.hostname ?? "absent";
            } catch (err) {
                const lostRace = statusOf(err) === 412 || statusOf(err) === 409 || (marker.etag !== undefined && statusOf(err) === 404);
                if (!lostRace) {
                    throw new StorageCheckError(`storage check failed: writing the ownership marker s3://${o.bucket}/${OWNER_MARKER} at ${o.serviceUrl} failed: ${codeOf(err) ?? "error"}${statusOf(err) ? ` (HTTP ${statusOf(err)})` : ""}. GHES was not changed.`);
                }
                if (attempt >= CLAIM_ATTEMPTS) {
                    throw new StorageCheckError(`storage check failed: the ownership marker s3://${o.bucket}/${OWNER_MARKER} changed under every one of ${CLAIM_ATTEMPTS} attempts to claim it; another writer is busy with it. GHES was not changed.`);
                }
                marker = await readOwnerMarker(client, o);
            }
        }
    } finally {
        client.destroy();
    }
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
