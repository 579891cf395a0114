import { GHES_BUCKET_ACTIONS, GHES_KMS_ACTIONS, GHES_OBJECT_ACTIONS } from "./identityPolicy";

/*
 * Pure checks of policy documents written by anyone (this package, a hand-written program, the
 * console), used by the org-wide policy pack. They read documents the way IAM does where it
 * matters here: action names are case-insensitive, an Allow with NotAction/NotResource grants
 * everything not listed, Deny statements only take away. tests/policies/grantCheck.test.ts
 * holds them to an IAM evaluator.
 */

/** What the GHES access key may reach: the Packages bucket, and (with SSE-KMS) its key. */
export interface GrantScope {
    /** `arn:<partition>:s3:::NAME`. */
    bucketArn: string;
    /** The bucket's KMS key, when known; otherwise any single key ARN (no wildcard) is accepted for the KMS pair. */
    kmsKeyArn?: string;
}

interface Statement {
    Sid?: unknown;
    Effect?: unknown;
    Action?: unknown;
    NotAction?: unknown;
    Resource?: unknown;
    NotResource?: unknown;
    Principal?: unknown;
    Condition?: unknown;
}

const lower = (xs: readonly string[]) => new Set(xs.map((x) => x.toLowerCase()));
const BUCKET_ACTIONS = lower(GHES_BUCKET_ACTIONS);
const OBJECT_ACTIONS = lower(GHES_OBJECT_ACTIONS);
const KMS_ACTIONS = lower(GHES_KMS_ACTIONS);
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

/** The statements of a policy document given as JSON text or as an object; throws naming what is malformed. */
export function statementsOf(doc: unknown): Statement[] {
    const parsed = typeof doc === "string" ? JSON.parse(doc) as unknown : doc;
    if (typeof parsed !== "object" || parsed === null) throw new Error("the policy document is not a JSON object");
    const s = (parsed as { Statement?: unknown }).Statement;
    if (s === undefined) return [];
    return (Array.isArray(s) ? s : [s]) as Statement[];
}

const label = (s: Statement, i: number) => (typeof s.Sid === "string" && s.Sid ? `statement ${JSON.stringify(s.Sid)}` : `statement #${i + 1}`);

/**
 * What an identity policy grants beyond the GHES Packages needs: the seven S3 actions, each on
 * the ARN type it applies to in this bucket, and kms:Decrypt/kms:GenerateDataKey on one key.
 * Returns one line per excess, empty when the document grants nothing more.
 */
export function identityGrantExcess(doc: unknown, scope: GrantScope): string[] {
    const problems: string[] = [];
    const objectArn = `${scope.bucketArn}/*`;
    statementsOf(doc).forEach((s, i) => {
        if (s.Effect !== "Allow") return; // Deny only takes away
        const where = label(s, i);
        if (s.NotAction !== undefined) problems.push(`${where} allows every action except ${list(s.NotAction).join(", ")} (NotAction)`);
        if (s.NotResource !== undefined) problems.push(`${where} allows every resource except ${list(s.NotResource).join(", ")} (NotResource)`);
        const resources = list(s.Resource);
        for (const action of list(s.Action)) {
            const a = action.toLowerCase();
            if (/[*?]/.test(a)) {
                problems.push(`${where} allows ${action}: a wildcard grants actions GHES does not need`);
                continue;
            }
            const only = BUCKET_ACTIONS.has(a) ? [scope.bucketArn] : OBJECT_ACTIONS.has(a) ? [objectArn] : undefined;
            if (only) {
                const other = resources.filter((r) => !only.includes(r));
                if (other.length) problems.push(`${where} allows ${action} on ${other.join(", ")}: GHES needs it on ${only[0]} only`);
            } else if (KMS_ACTIONS.has(a)) {
                const other = resources.filter((r) => !KMS_KEY_ARN.test(r) || (scope.kmsKeyArn !== undefined && r !== scope.kmsKeyArn));
                if (other.length) problems.push(`${where} allows ${action} on ${other.join(", ")}: GHES needs it on ${scope.kmsKeyArn ?? "the bucket's KMS key"} only`);
            } else {
                problems.push(`${where} allows ${action}, which GHES Packages does not use`);
            }
        }
    });
    return problems;
}

const isAnyone = (p: unknown) => p === "*" || (typeof p === "object" && p !== null && list((p as { AWS?: unknown }).AWS).includes("*"));
const coversAllS3 = (actions: string[]) => actions.some((a) => a === "*" || a.toLowerCase() === "s3:*");
const coversBucket = (resources: string[], bucketArn: string) =>
    resources.includes("*") || (resources.includes(bucketArn) && resources.includes(`${bucketArn}/*`));

/** The value of a condition key under an operator, case-insensitive on the key as IAM is. */
function conditionValue(condition: unknown, operator: string, key: string): string[] | undefined {
    const block = (condition as Record<string, Record<string, unknown>> | undefined)?.[operator];
    if (!block) return undefined;
    const found = Object.entries(block).find(([k]) => k.toLowerCase() === key.toLowerCase());
    return found ? list(found[1]).map((v) => v.toLowerCase()) : undefined;
}

/**
 * What a bucket policy lacks to be TLS-only as this package's own is (policies/bucketPolicy.ts):
 * a Deny for everyone, on every S3 action, on the bucket and its objects, of requests without
 * TLS (aws:SecureTransport false) and of TLS older than 1.2 (s3:TlsVersion < 1.2).
 */
export function tlsOnlyGaps(doc: unknown, bucketArn: string): string[] {
    const denies = statementsOf(doc).filter((s) => s.Effect === "Deny" && isAnyone(s.Principal) && s.NotAction === undefined
        && s.NotResource === undefined && coversAllS3(list(s.Action)) && coversBucket(list(s.Resource), bucketArn));
    const gaps: string[] = [];
    if (!denies.some((s) => conditionValue(s.Condition, "Bool", "aws:SecureTransport")?.includes("false"))) {
        gaps.push("no statement denies requests without TLS (Deny s3:* on the bucket and its objects when aws:SecureTransport is false)");
    }
    if (!denies.some((s) => conditionValue(s.Condition, "NumericLessThan", "s3:TlsVersion")?.includes("1.2"))) {
        gaps.push("no statement denies TLS older than 1.2 (Deny s3:* when s3:TlsVersion is NumericLessThan 1.2)");
    }
    return gaps;
}
