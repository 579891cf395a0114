import { PolicyResource, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { bucketPolicyGrants, tlsOnlyGaps } from "../policies/grantCheck";
import { globMatch } from "./packConfig";
import { AWS } from "./resourceTypes";
import { configOf, describe, items, PackagesBucket, packagesBuckets, read, UNKNOWN, whenKnown } from "./stackGraph";

/*
 * Rules for every Packages bucket of a stack: the bucket a GhesPackagesSettings points at, and
 * any bucket carrying this package's instance tag, however it was written (SecureBucket, raw
 * @pulumi/aws resources, aws-native). A bucket's protections live in separate resources, so
 * these are stack rules: they see the bucket together with what configures it.
 */

type Report = (message: string, urn?: string) => void;

/** A stack rule applied to each Packages bucket; `check` returns what is wrong, or nothing. */
function perBucket(check: (b: PackagesBucket, resources: PolicyResource[], args: StackValidationArgs) => string | undefined) {
    return (args: StackValidationArgs, report: Report): void => {
        for (const b of packagesBuckets(args.resources)) {
            const problem = check(b, args.resources, args);
            if (problem) report(`${describe(b.resource)}${b.name ? ` (bucket ${b.name})` : ""}, a Packages bucket (${b.why}): ${problem}`, b.resource.urn);
        }
    };
}

const PUBLIC_ACCESS_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

export const publicAccessBlocked: StackValidationPolicy = {
    name: "packages-bucket-public-access-blocked",
    description: "Public access to a Packages bucket is fully blocked: all four public access block settings on.",
    enforcementLevel: "mandatory",
    validateStack: perBucket((b, resources) => {
        const blocks = b.native
            ? [read(b.resource.props, "publicAccessBlockConfiguration")]
            : configOf(resources, b, AWS.publicAccessBlock).map((r) => r.props);
        if (blocks.some((p) => p === UNKNOWN)) return undefined;
        const best = blocks.map((p) => PUBLIC_ACCESS_FLAGS.filter((f) => read((p ?? {}) as Record<string, unknown>, f) !== true));
        if (best.some((missing) => missing.length === 0)) return undefined;
        const missing = best.length ? best.sort((x, y) => x.length - y.length)[0] : [...PUBLIC_ACCESS_FLAGS];
        return `public access is not fully blocked (${blocks.length ? `${missing.join(", ")} not true` : "no public access block"}); GHES applies no ACLs or object permissions, so a public bucket leaks every package. `
            + (b.native ? "Fix: set publicAccessBlockConfiguration with all four flags true."
                : "Fix: add an aws.s3.BucketPublicAccessBlock for this bucket with all four flags true (SecureBucket and PackagesStorage do).");
    }),
};

export const aclsDisabled: StackValidationPolicy = {
    name: "packages-bucket-acls-disabled",
    description: "ACLs are off on a Packages bucket: object ownership BucketOwnerEnforced, and no ACL grants.",
    enforcementLevel: "mandatory",
    validateStack: perBucket((b, resources) => {
        const acls = configOf(resources, b, AWS.acl);
        if (acls.length) return `${acls.map(describe).join(", ")} grant${acls.length > 1 ? "" : "s"} ACLs on it. Fix: remove ${acls.length > 1 ? "them" : "it"} and set object ownership to BucketOwnerEnforced.`;
        const inlineAcl = read(b.resource.props, b.native ? "accessControl" : "acl");
        if (typeof inlineAcl === "string" && !/^private$/i.test(inlineAcl)) return `its ACL is ${inlineAcl}. Fix: remove the ACL and set object ownership to BucketOwnerEnforced.`;
        const ownerships = b.native
            ? whenKnown(() => items(read(b.resource.props, "ownershipControls", "rules")).map((rule) => read(rule as Record<string, unknown>, "objectOwnership")), [UNKNOWN])
            : configOf(resources, b, AWS.ownershipControls).map((r) => read(r.props, "rule", "objectOwnership"));
        if (ownerships.includes(UNKNOWN) || ownerships.includes("BucketOwnerEnforced")) return undefined;
        return `ACLs are not disabled (object ownership is ${ownerships.length ? ownerships.map(String).join(", ") : "not set"}); with ACLs on, an object written with a public ACL is public. `
            + (b.native ? "Fix: set ownershipControls.rules to [{ objectOwnership: \"BucketOwnerEnforced\" }]."
                : "Fix: add an aws.s3.BucketOwnershipControls for this bucket with rule.objectOwnership \"BucketOwnerEnforced\".");
    }),
};

const SSE_ALGORITHMS = ["AES256", "aws:kms", "aws:kms:dsse"];

export const encrypted: StackValidationPolicy = {
    name: "packages-bucket-encrypted",
    description: "A Packages bucket has default encryption configured (SSE-S3 or SSE-KMS; SSE-KMS when requireKms is set).",
    enforcementLevel: "mandatory",
    configSchema: { properties: { requireKms: { type: "boolean", default: false, description: "Require SSE-KMS (aws:kms or aws:kms:dsse) rather than SSE-S3." } } },
    validateStack: perBucket((b, resources, args) => {
        const { requireKms = false } = args.getConfig<{ requireKms?: boolean }>();
        const algorithms: unknown[] = whenKnown(() => {
            if (b.native) {
                const rules = items(read(b.resource.props, "bucketEncryption", "serverSideEncryptionConfiguration"));
                return rules.map((r) => read(r as Record<string, unknown>, "serverSideEncryptionByDefault", "sseAlgorithm"));
            }
            const separate = configOf(resources, b, AWS.encryption).flatMap((r) =>
                items(read(r.props, "rules")).map((rule) => read(rule as Record<string, unknown>, "applyServerSideEncryptionByDefault", "sseAlgorithm")));
            const inline = read(b.resource.props, "serverSideEncryptionConfiguration", "rule", "applyServerSideEncryptionByDefault", "sseAlgorithm");
            return inline === undefined ? separate : [...separate, inline];
        }, [UNKNOWN]);
        if (algorithms.includes(UNKNOWN)) return undefined;
        const wanted = requireKms ? SSE_ALGORITHMS.slice(1) : SSE_ALGORITHMS;
        if (algorithms.some((a) => typeof a === "string" && wanted.includes(a))) return undefined;
        return `${algorithms.length ? `default encryption is ${algorithms.map(String).join(", ")}` : "no default encryption is configured"}${requireKms ? " and this organisation requires SSE-KMS" : ""}. `
            + (b.native ? `Fix: set bucketEncryption.serverSideEncryptionConfiguration with sseAlgorithm ${requireKms ? "\"aws:kms\" and a key" : "\"AES256\" or \"aws:kms\""}.`
                : `Fix: add an aws.s3.BucketServerSideEncryptionConfiguration for this bucket (${requireKms ? "sseAlgorithm \"aws:kms\" with a key: give PackagesStorage bucket.kmsKeyArn" : "SecureBucket does: SSE-S3, or SSE-KMS with kmsKeyArn"}).`);
    }),
};

/**
 * The policy documents on a bucket: separate policy resources (@pulumi/aws, aws-native) and the
 * deprecated but valid inline `policy` of aws.s3.Bucket. Several overwrite each other in AWS.
 */
function policyDocs(b: PackagesBucket, resources: PolicyResource[]): unknown[] {
    const inline = b.native ? undefined : read(b.resource.props, "policy");
    return [
        ...configOf(resources, b, AWS.bucketPolicy).map((r) => read(r.props, "policy")),
        ...configOf(resources, b, AWS.nativeBucketPolicy).map((r) => read(r.props, "policyDocument")),
        ...(inline === undefined || inline === "" ? [] : [inline]),
    ];
}

/** A document as plain data: JSON text stays text, a proxied object is copied. */
const plain = (d: unknown): unknown => (typeof d === "string" ? d : JSON.parse(JSON.stringify(d)));

export const tlsOnly: StackValidationPolicy = {
    name: "packages-bucket-tls-only",
    description: "A Packages bucket's policy denies requests without TLS and TLS older than 1.2.",
    enforcementLevel: "mandatory",
    validateStack: perBucket((b, resources) => {
        const docs = policyDocs(b, resources);
        if (docs.includes(UNKNOWN) || !b.arn) return undefined;
        const fix = "Fix: add a bucket policy with the two Deny statements of this package's own (README, \"What it creates\"; SecureBucket writes it).";
        if (!docs.length) return `it has no bucket policy, so plain-HTTP and TLS < 1.2 requests are not refused. ${fix}`;
        const gapsPerDoc = docs.map((d) => {
            try {
                return whenKnown(() => tlsOnlyGaps(plain(d), b.arn!), []);
            } catch (e) {
                return [`its policy cannot be read (${(e as Error).message})`];
            }
        });
        if (gapsPerDoc.some((g) => g.length === 0)) return undefined;
        // Several policy resources on one bucket overwrite each other; judge the closest to compliant.
        return `${gapsPerDoc.sort((x, y) => x.length - y.length)[0].join("; ")}. ${fix}`;
    }),
};

export const policyNoAllow: StackValidationPolicy = {
    name: "packages-bucket-policy-no-allow",
    description: "A Packages bucket's policy grants nothing (no Allow statement): access comes from the GHES key's identity policy alone.",
    enforcementLevel: "mandatory",
    validateStack: perBucket((b, resources) => {
        const grants = policyDocs(b, resources).flatMap((d) => {
            if (d === UNKNOWN) return [];
            try {
                return whenKnown(() => bucketPolicyGrants(plain(d)), []);
            } catch {
                return []; // unreadable: packages-bucket-tls-only reports it
            }
        });
        if (!grants.length) return undefined;
        return `its policy grants access: ${grants.join("; ")}. A bucket policy Allow bypasses the least-privilege identity `
            + "(in the same account it alone suffices) or opens the bucket to another account. "
            + "Fix: remove the Allow statements; grant GHES through its key's identity policy only (this package's bucket policy has only Deny statements).";
    }),
};

export const notActionsStorage: StackValidationPolicy = {
    name: "packages-bucket-not-actions-storage",
    description: "A Packages bucket is not the GitHub Actions storage bucket (known by the names and tags this policy is configured with).",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            actionsBucketNames: { type: "array", items: { type: "string" }, default: [], description: "Names of GitHub Actions storage buckets; `*` matches any characters." },
            actionsBucketTags: { type: "object", additionalProperties: { type: "string" }, default: {}, description: "Tags that mark a GitHub Actions storage bucket, e.g. { \"ghes-storage\": \"actions\" }." },
        },
    },
    validateStack: perBucket((b, _resources, args) => {
        const { actionsBucketNames = [], actionsBucketTags = {} } = args.getConfig<{ actionsBucketNames?: string[]; actionsBucketTags?: Record<string, string> }>();
        const byName = b.name !== undefined ? actionsBucketNames.find((p) => globMatch(p, b.name!)) : undefined;
        const byTag = Object.entries(actionsBucketTags).find(([k, v]) => b.tags[k] === v);
        if (!byName && !byTag) return undefined;
        return `it is a GitHub Actions storage bucket (${byName ? `name matches ${JSON.stringify(byName)}` : `tagged ${byTag![0]}=${byTag![1]}`}); `
            + "GHES documents a dedicated bucket for Packages, and Actions' lifecycle and access would reach the packages. Fix: give Packages its own bucket.";
    }),
};

export const bucketPolicies = [publicAccessBlocked, aclsDisabled, encrypted, tlsOnly, policyNoAllow, notActionsStorage];
