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
    /**
     * `arn:<partition>:s3:::NAME`, when known. Without it (a tagged user whose bucket is not in the
     * stack) the S3 actions are held to some single bucket: wildcards and unused actions are still refused.
     */
    bucketArn?: string;
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
    NotPrincipal?: unknown;
    Condition?: unknown;
}

const lower = (xs: readonly string[]) => new Set(xs.map((x) => x.toLowerCase()));
const BUCKET_ACTIONS = lower(GHES_BUCKET_ACTIONS);
const OBJECT_ACTIONS = lower(GHES_OBJECT_ACTIONS);
const KMS_ACTIONS = lower(GHES_KMS_ACTIONS);
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;
/** One bucket, and its objects, named without wildcards. */
const ANY_ONE_BUCKET = /^arn:aws[a-z-]*:s3:::[^/*?]+$/;
const ANY_ONE_BUCKETS_OBJECTS = /^arn:aws[a-z-]*:s3:::[^/*?]+\/\*$/;

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
    const objectArn = scope.bucketArn === undefined ? undefined : `${scope.bucketArn}/*`;
    // Without the bucket's ARN only the shape is checked: exactly one bucket (or its objects), no wildcard.
    const outside = (resources: string[], arn: string | undefined, shape: RegExp) =>
        resources.filter((r) => (arn === undefined ? !shape.test(r) : r !== arn));
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
            if (BUCKET_ACTIONS.has(a)) {
                const other = outside(resources, scope.bucketArn, ANY_ONE_BUCKET);
                if (other.length) problems.push(`${where} allows ${action} on ${other.join(", ")}: GHES needs it on ${scope.bucketArn ?? "its bucket's ARN"} only`);
            } else if (OBJECT_ACTIONS.has(a)) {
                const other = outside(resources, objectArn, ANY_ONE_BUCKETS_OBJECTS);
                if (other.length) problems.push(`${where} allows ${action} on ${other.join(", ")}: GHES needs it on ${objectArn ?? "its bucket's objects (BUCKET/*)"} only`);
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

/** The principals of a statement, as text: `*` for anyone, otherwise every listed ARN, account or service. */
function principals(p: unknown): string[] {
    if (typeof p === "string") return [p];
    if (typeof p !== "object" || p === null) return [];
    return Object.values(p as Record<string, unknown>).flatMap(list);
}

/**
 * What a Packages bucket's policy grants: every Allow statement, whoever it names. This
 * package's bucket policy only denies (policies/bucketPolicy.ts); access is granted by the
 * identity policy of the GHES key alone. A bucket policy Allow would bypass the least-privilege
 * check of that identity (in the same account a bucket policy alone suffices) or open the
 * bucket to another account. Returns one line per Allow statement.
 */
export function bucketPolicyGrants(doc: unknown): string[] {
    const grants: string[] = [];
    statementsOf(doc).forEach((s, i) => {
        if (s.Effect !== "Allow") return;
        const what = s.NotAction !== undefined ? `every action except ${list(s.NotAction).join(", ")}` : list(s.Action).join(", ");
        // AWS refuses such a statement (Principal is required), but the finding must still read.
        const who = s.NotPrincipal !== undefined ? `everyone except ${principals(s.NotPrincipal).join(", ")}` : principals(s.Principal).join(", ") || "(no principal named)";
        grants.push(`${label(s, i)} allows ${what} to ${who}`);
    });
    return grants;
}

/** Whether a condition block holds exactly one operator with exactly one key: a deny that applies to every request the key matches. */
function onlyCondition(condition: unknown): boolean {
    if (typeof condition !== "object" || condition === null) return false;
    const blocks = Object.values(condition as Record<string, unknown>);
    return blocks.length === 1 && typeof blocks[0] === "object" && blocks[0] !== null && Object.keys(blocks[0]).length === 1;
}

/**
 * What a bucket policy lacks to be TLS-only as this package's own is (policies/bucketPolicy.ts):
 * a Deny for everyone, on every S3 action, on the bucket and its objects, of requests without
 * TLS (aws:SecureTransport false) and of TLS older than 1.2 (s3:TlsVersion < 1.2).
 */
export function tlsOnlyGaps(doc: unknown, bucketArn: string): string[] {
    // A deny counts only if nothing narrows it: anyone, every S3 action, bucket and objects, and
    // no condition beyond the one checked (an added key or operator ANDs it down to fewer requests).
    const denies = statementsOf(doc).filter((s) => s.Effect === "Deny" && isAnyone(s.Principal) && s.NotPrincipal === undefined
        && s.NotAction === undefined && s.NotResource === undefined && coversAllS3(list(s.Action)) && coversBucket(list(s.Resource), bucketArn)
        && onlyCondition(s.Condition));
    const gaps: string[] = [];
    if (!denies.some((s) => conditionValue(s.Condition, "Bool", "aws:SecureTransport")?.includes("false"))) {
        gaps.push("no statement denies requests without TLS (Deny s3:* on the bucket and its objects when aws:SecureTransport is false)");
    }
    if (!denies.some((s) => conditionValue(s.Condition, "NumericLessThan", "s3:TlsVersion")?.includes("1.2"))) {
        gaps.push("no statement denies TLS older than 1.2 (Deny s3:* when s3:TlsVersion is NumericLessThan 1.2)");
    }
    return gaps;
}
