import { strict as assert } from "node:assert";
import { ghesBucketPolicy } from "../../policies/bucketPolicy";
import { bucketPolicyGrants, identityGrantExcess, statementsOf, tlsOnlyGaps } from "../../policies/grantCheck";
import { GHES_BUCKET_ACTIONS, GHES_KMS_ACTIONS, GHES_OBJECT_ACTIONS, ghesIdentityPolicy, PolicyDocument } from "../../policies/identityPolicy";
import { DEFAULT_KEY_POLICY, KMS_KEY } from "../../rehearsal/fixtures";
import { evaluate } from "../support/iamEvaluator";

const BUCKET = "arn:aws:s3:::acme-ghes-packages";
const OTHER = "arn:aws:s3:::acme-actions-cache";
const OTHER_KEY = KMS_KEY.replace(/key\/.*/, "key/ffffffff-0000-0000-0000-000000000000");
const allow = (Action: string | string[], Resource: string | string[]) => ({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action, Resource }] });

/** Documents the check must accept, and documents it must refuse with these exact findings. */
const ACCEPTED: [string, unknown][] = [
    ["the package's own policy", ghesIdentityPolicy({ bucketArn: BUCKET })],
    ["the package's own policy with SSE-KMS", ghesIdentityPolicy({ bucketArn: BUCKET, kmsKeyArn: KMS_KEY })],
    ["the same as JSON text, actions in other case, split per action", JSON.stringify({
        Version: "2012-10-17", Statement: [
            { Effect: "Allow", Action: "S3:LISTBUCKET", Resource: BUCKET },
            { Effect: "Allow", Action: ["s3:getobject", "s3:PutObject"], Resource: [`${BUCKET}/*`], Condition: { Bool: { "aws:SecureTransport": "true" } } },
        ],
    })],
    ["an added Deny, which only takes away", { Version: "2012-10-17", Statement: [...ghesIdentityPolicy({ bucketArn: BUCKET }).Statement, { Effect: "Deny", Action: "*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } }] }],
];
const REFUSED: [string, unknown, string[]][] = [
    ["s3:* on the bucket", allow("s3:*", [BUCKET, `${BUCKET}/*`]), ["statement #1 allows s3:*: a wildcard grants actions GHES does not need"]],
    ["a prefix wildcard", allow("s3:Get*", `${BUCKET}/*`), ["statement #1 allows s3:Get*: a wildcard grants actions GHES does not need"]],
    ["an action GHES does not use", allow(["s3:GetObject", "s3:PutObjectAcl"], `${BUCKET}/*`), ["statement #1 allows s3:PutObjectAcl, which GHES Packages does not use"]],
    ["another bucket's objects", allow("s3:GetObject", [`${BUCKET}/*`, `${OTHER}/*`]), [`statement #1 allows s3:GetObject on ${OTHER}/*: GHES needs it on ${BUCKET}/* only`]],
    ["every resource", { Version: "2012-10-17", Statement: [{ Sid: "Everything", Effect: "Allow", Action: "s3:ListBucket", Resource: "*" }] }, [`statement "Everything" allows s3:ListBucket on *: GHES needs it on ${BUCKET} only`]],
    ["NotAction", { Version: "2012-10-17", Statement: [{ Effect: "Allow", NotAction: "s3:DeleteBucket", Resource: BUCKET }] }, ["statement #1 allows every action except s3:DeleteBucket (NotAction)"]],
    ["NotResource", { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", NotResource: OTHER }] }, [`statement #1 allows every resource except ${OTHER} (NotResource)`]],
    ["KMS on every key", allow("kms:Decrypt", "*"), ["statement #1 allows kms:Decrypt on *: GHES needs it on the bucket's KMS key only"]],
];

describe("policies/grantCheck: what an identity policy grants beyond GHES Packages' needs", () => {
    for (const [what, doc] of ACCEPTED) it(`accepts ${what}`, () => assert.deepEqual(identityGrantExcess(doc, { bucketArn: BUCKET }), []));
    for (const [what, doc, findings] of REFUSED) it(`refuses ${what}`, () => assert.deepEqual(identityGrantExcess(doc, { bucketArn: BUCKET }), findings));

    it("with the bucket's key known, accepts the KMS pair on it and refuses it on another key", () => {
        assert.deepEqual(identityGrantExcess(ghesIdentityPolicy({ bucketArn: BUCKET, kmsKeyArn: KMS_KEY }), { bucketArn: BUCKET, kmsKeyArn: KMS_KEY }), []);
        assert.deepEqual(identityGrantExcess(allow("kms:GenerateDataKey", OTHER_KEY), { bucketArn: BUCKET, kmsKeyArn: KMS_KEY }),
            [`statement #1 allows kms:GenerateDataKey on ${OTHER_KEY}: GHES needs it on ${KMS_KEY} only`]);
    });

    it("without the bucket's ARN, still refuses wildcards, unused actions and every-resource grants; accepts any single bucket", () => {
        assert.deepEqual(identityGrantExcess(allow("*", "*"), {}), ["statement #1 allows *: a wildcard grants actions GHES does not need"]);
        assert.deepEqual(identityGrantExcess(allow(["s3:ListBucket", "s3:GetObject"], "*"), {}), [
            "statement #1 allows s3:ListBucket on *: GHES needs it on its bucket's ARN only",
            "statement #1 allows s3:GetObject on *: GHES needs it on its bucket's objects (BUCKET/*) only",
        ]);
        assert.deepEqual(identityGrantExcess(allow("s3:GetObject", "arn:aws:s3:::acme-*/*"), {}), ["statement #1 allows s3:GetObject on arn:aws:s3:::acme-*/*: GHES needs it on its bucket's objects (BUCKET/*) only"]);
        assert.deepEqual(identityGrantExcess(allow("s3:PutBucketPolicy", OTHER), {}), ["statement #1 allows s3:PutBucketPolicy, which GHES Packages does not use"]);
        assert.deepEqual(identityGrantExcess(ghesIdentityPolicy({ bucketArn: OTHER }), {}), []);
    });

    it("names a statement by its Sid only when the Sid is non-empty text, otherwise by its position", () => {
        const doc = { Statement: [
            { Sid: "", Effect: "Allow", Action: "s3:PutBucketPolicy", Resource: BUCKET },
            { Sid: 7, Effect: "Allow", Action: "s3:PutBucketPolicy", Resource: BUCKET },
            { Sid: "Extra", Effect: "Allow", Action: "s3:PutBucketPolicy", Resource: BUCKET },
        ] };
        assert.deepEqual(identityGrantExcess(doc, { bucketArn: BUCKET }), [
            "statement #1 allows s3:PutBucketPolicy, which GHES Packages does not use",
            "statement #2 allows s3:PutBucketPolicy, which GHES Packages does not use",
            "statement \"Extra\" allows s3:PutBucketPolicy, which GHES Packages does not use",
        ]);
    });

    it("lists every excess resource and every NotAction/NotResource entry, comma-separated", () => {
        const doc = { Statement: [
            { Effect: "Allow", NotAction: ["s3:DeleteBucket", "s3:PutBucketPolicy"], NotResource: [OTHER, `${OTHER}/*`] },
            { Effect: "Allow", Action: "s3:ListBucket", Resource: [BUCKET, OTHER, "*"] },
            { Effect: "Allow", Action: "s3:PutObject", Resource: [`${BUCKET}/*`, `${OTHER}/*`, "*"] },
            { Effect: "Allow", Action: "kms:Decrypt", Resource: [KMS_KEY, OTHER_KEY, "*"] },
        ] };
        assert.deepEqual(identityGrantExcess(doc, { bucketArn: BUCKET, kmsKeyArn: KMS_KEY }), [
            "statement #1 allows every action except s3:DeleteBucket, s3:PutBucketPolicy (NotAction)",
            "statement #1 allows every resource except arn:aws:s3:::acme-actions-cache, arn:aws:s3:::acme-actions-cache/* (NotResource)",
            "statement #2 allows s3:ListBucket on arn:aws:s3:::acme-actions-cache, *: GHES needs it on arn:aws:s3:::acme-ghes-packages only",
            "statement #3 allows s3:PutObject on arn:aws:s3:::acme-actions-cache/*, *: GHES needs it on arn:aws:s3:::acme-ghes-packages/* only",
            `statement #4 allows kms:Decrypt on ${OTHER_KEY}, *: GHES needs it on ${KMS_KEY} only`,
        ]);
    });

    it("without the bucket's ARN or key, accepts one bucket, its objects and one key in any partition, and nothing wider", () => {
        const accepted = { Statement: [
            { Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws-us-gov:s3:::acme-ghes-packages" },
            { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws-cn:s3:::acme-ghes-packages/*" },
            { Effect: "Allow", Action: "kms:Decrypt", Resource: "arn:aws-cn:kms:cn-north-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab" },
        ] };
        assert.deepEqual(identityGrantExcess(accepted, {}), []);
        const wider = { Statement: [
            { Effect: "Allow", Action: "s3:ListBucket", Resource: ["arn:aws:s3:::acme/*", "arn:aws:s3:::acme*", "*arn:aws:s3:::acme"] },
            { Effect: "Allow", Action: "s3:GetObject", Resource: ["arn:aws:s3:::acme/*/*", "arn:aws:s3:::acme/**", "*arn:aws:s3:::acme/*"] },
            { Effect: "Allow", Action: "kms:Decrypt", Resource: ["arn:aws:kms:us-east-1:111122223333:key/1234*", "*arn:aws:kms:us-east-1:111122223333:key/1234"] },
        ] };
        assert.deepEqual(identityGrantExcess(wider, {}), [
            "statement #1 allows s3:ListBucket on arn:aws:s3:::acme/*, arn:aws:s3:::acme*, *arn:aws:s3:::acme: GHES needs it on its bucket's ARN only",
            "statement #2 allows s3:GetObject on arn:aws:s3:::acme/*/*, arn:aws:s3:::acme/**, *arn:aws:s3:::acme/*: GHES needs it on its bucket's objects (BUCKET/*) only",
            "statement #3 allows kms:Decrypt on arn:aws:kms:us-east-1:111122223333:key/1234*, *arn:aws:kms:us-east-1:111122223333:key/1234: GHES needs it on the bucket's KMS key only",
        ]);
    });

    it("reads a document without statements as granting nothing, and refuses one that is not a JSON object", () => {
        assert.deepEqual(statementsOf({ Version: "2012-10-17" }), []);
        assert.deepEqual(identityGrantExcess("{\"Version\":\"2012-10-17\"}", { bucketArn: BUCKET }), []);
        assert.throws(() => identityGrantExcess("null", { bucketArn: BUCKET }), /^Error: the policy document is not a JSON object$/);
        assert.throws(() => identityGrantExcess("42", { bucketArn: BUCKET }), /^Error: the policy document is not a JSON object$/);
        assert.throws(() => tlsOnlyGaps(null, BUCKET), /^Error: the policy document is not a JSON object$/);
    });

    it("agrees with an IAM evaluator: an accepted document allows nothing outside the GHES pairs, every refused one allows something", async function () {
        this.timeout(120000);
        const needed = new Set([...GHES_BUCKET_ACTIONS.map((a) => `${a}|${BUCKET}`), ...GHES_OBJECT_ACTIONS.map((a) => `${a}|${BUCKET}/*`), ...GHES_KMS_ACTIONS.map((a) => `${a}|${KMS_KEY}`)]);
        const probes: [string, string, string][] = [];
        for (const a of [...GHES_BUCKET_ACTIONS, "s3:ListBucketVersions", "s3:DeleteBucket", "s3:PutBucketPolicy", "s3:GetBucketPolicy"]) for (const r of [BUCKET, OTHER]) probes.push([a, r, r]);
        for (const a of [...GHES_OBJECT_ACTIONS, "s3:GetObjectAcl", "s3:PutObjectAcl", "s3:GetObjectVersion"]) for (const r of [BUCKET, OTHER]) probes.push([a, `${r}/pkg.tgz`, `${r}/*`]);
        for (const a of [...GHES_KMS_ACTIONS, "kms:Encrypt", "kms:ScheduleKeyDeletion"]) for (const r of [KMS_KEY, OTHER_KEY]) probes.push([a, r, r]);
        const beyond = async (doc: unknown) => {
            const identity = (typeof doc === "string" ? JSON.parse(doc) : doc) as PolicyDocument;
            for (const [action, resource, scope] of probes) {
                if (needed.has(`${action}|${scope}`)) continue;
                // A KMS key's own policy must let IAM decide, as AWS's default key policy does.
                const resourcePolicy = action.startsWith("kms:") ? DEFAULT_KEY_POLICY : undefined;
                if (await evaluate({ identity, resourcePolicy, action, resource }) === "Allowed") return `${action} on ${resource}`;
            }
            return undefined;
        };
        for (const [what, doc] of ACCEPTED) assert.equal(await beyond(doc), undefined, what);
        for (const [what, doc] of REFUSED) assert.notEqual(await beyond(doc), undefined, what);
    });
});

describe("policies/grantCheck: what a bucket policy lacks to be TLS-only", () => {
    it("finds nothing missing in the package's own bucket policy, with or without an allow list", () => {
        assert.deepEqual(tlsOnlyGaps(ghesBucketPolicy({ bucketArn: BUCKET }), BUCKET), []);
        assert.deepEqual(tlsOnlyGaps(JSON.stringify(ghesBucketPolicy({ bucketArn: BUCKET, allowedSourceCidrs: ["203.0.113.0/24"] })), BUCKET), []);
    });

    it("accepts Resource \"*\", Principal {AWS: \"*\"} and a boolean condition value", () => {
        const doc = { Statement: [
            { Effect: "Deny", Principal: { AWS: "*" }, Action: "s3:*", Resource: "*", Condition: { Bool: { "aws:securetransport": false } } },
            { Effect: "Deny", Principal: "*", Action: "*", Resource: "*", Condition: { NumericLessThan: { "s3:TlsVersion": 1.2 } } },
        ] };
        assert.deepEqual(tlsOnlyGaps(doc, BUCKET), []);
    });

    it("does not count a deny narrowed by another condition, for named principals only, or on the objects only", () => {
        const deny = (extra: Record<string, unknown>) => ({ Statement: [
            { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [BUCKET, `${BUCKET}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } }, ...extra },
            { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [BUCKET, `${BUCKET}/*`], Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } }, ...extra },
        ] });
        const both = [
            "no statement denies requests without TLS (Deny s3:* on the bucket and its objects when aws:SecureTransport is false)",
            "no statement denies TLS older than 1.2 (Deny s3:* when s3:TlsVersion is NumericLessThan 1.2)",
        ];
        assert.deepEqual(tlsOnlyGaps(deny({}), BUCKET), []);
        const otherOperator = deny({});
        for (const st of otherOperator.Statement) (st.Condition as Record<string, unknown>).StringEquals = { "aws:PrincipalAccount": "000000000000" };
        assert.deepEqual(tlsOnlyGaps(otherOperator, BUCKET), both, "an added operator");
        const sameOperator = { Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false", "aws:ViaAWSService": "false" } } }] };
        assert.deepEqual(tlsOnlyGaps(sameOperator, BUCKET), both, "an added key under the same operator");
        assert.deepEqual(tlsOnlyGaps(deny({ Principal: { AWS: "arn:aws:iam::000000000000:root" } }), BUCKET), both, "a named principal");
        assert.deepEqual(tlsOnlyGaps(deny({ Resource: `${BUCKET}/*` }), BUCKET), both, "the objects only");
    });

    it("counts a deny whose actions include s3:* among others; names the one gap when only the TLS-version deny is there", () => {
        const doc = { Statement: [
            { Effect: "Deny", Principal: "*", Action: ["s3:GetObject", "s3:*"], Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } },
        ] };
        assert.deepEqual(tlsOnlyGaps(doc, BUCKET), ["no statement denies TLS older than 1.2 (Deny s3:* when s3:TlsVersion is NumericLessThan 1.2)"]);
        const versionOnly = { Statement: [
            { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*", Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } } },
        ] };
        assert.deepEqual(tlsOnlyGaps(versionOnly, BUCKET), ["no statement denies requests without TLS (Deny s3:* on the bucket and its objects when aws:SecureTransport is false)"]);
    });

    it("does not count an Allow, a NotPrincipal, NotAction or NotResource deny, another Bool key, or a deny without a usable condition", () => {
        const both = [
            "no statement denies requests without TLS (Deny s3:* on the bucket and its objects when aws:SecureTransport is false)",
            "no statement denies TLS older than 1.2 (Deny s3:* when s3:TlsVersion is NumericLessThan 1.2)",
        ];
        const tls = { Bool: { "aws:SecureTransport": "false" } };
        const version = { NumericLessThan: { "s3:TlsVersion": "1.2" } };
        const pair = (extra: Record<string, unknown>) => ({ Statement: [
            { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*", Condition: tls, ...extra },
            { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*", Condition: version, ...extra },
        ] });
        assert.deepEqual(tlsOnlyGaps(pair({}), BUCKET), [], "the pair itself");
        assert.deepEqual(tlsOnlyGaps(pair({ Effect: "Allow" }), BUCKET), both, "Allow");
        assert.deepEqual(tlsOnlyGaps(pair({ NotPrincipal: { AWS: "arn:aws:iam::999999999999:root" } }), BUCKET), both, "NotPrincipal");
        assert.deepEqual(tlsOnlyGaps(pair({ NotAction: "s3:GetObject" }), BUCKET), both, "NotAction");
        assert.deepEqual(tlsOnlyGaps(pair({ NotResource: `${BUCKET}/private/*` }), BUCKET), both, "NotResource");
        assert.deepEqual(tlsOnlyGaps({ Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*", Condition: { Bool: { "aws:ViaAWSService": "false" } } }] }, BUCKET), both, "another Bool key");
        // Principal or Condition missing or null, or an operator without keys: counted as no deny, not a crash.
        for (const extra of [{ Principal: undefined }, { Principal: null }, { Condition: undefined }, { Condition: null }, { Condition: { Bool: null } }]) {
            assert.deepEqual(tlsOnlyGaps(pair(extra), BUCKET), both, JSON.stringify(extra));
        }
    });

    it("names each missing deny; a deny on the objects only, or for one action, does not count", () => {
        assert.deepEqual(tlsOnlyGaps({ Statement: [] }, BUCKET), [
            "no statement denies requests without TLS (Deny s3:* on the bucket and its objects when aws:SecureTransport is false)",
            "no statement denies TLS older than 1.2 (Deny s3:* when s3:TlsVersion is NumericLessThan 1.2)",
        ]);
        const objectsOnly = { Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: `${BUCKET}/*`, Condition: { Bool: { "aws:SecureTransport": "false" } } }] };
        assert.equal(tlsOnlyGaps(objectsOnly, BUCKET).length, 2);
        const oneAction = { Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:GetObject", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } }] };
        assert.equal(tlsOnlyGaps(oneAction, BUCKET).length, 2);
    });
});

describe("policies/grantCheck: what a Packages bucket policy grants (it must grant nothing)", () => {
    it("finds no grant in the package's own bucket policy, with or without an allow list", () => {
        assert.deepEqual(bucketPolicyGrants(ghesBucketPolicy({ bucketArn: BUCKET })), []);
        assert.deepEqual(bucketPolicyGrants(JSON.stringify(ghesBucketPolicy({ bucketArn: BUCKET, allowedSourceCidrs: ["203.0.113.0/24"], allowedVpcEndpointIds: ["vpce-1"] }))), []);
    });

    it("names every Allow: its actions (or NotAction) and principals (or NotPrincipal)", () => {
        assert.deepEqual(bucketPolicyGrants({ Statement: [
            { Sid: "Foreign", Effect: "Allow", Principal: { AWS: ["arn:aws:iam::999999999999:root", "111122223333"] }, Action: "s3:*", Resource: "*" },
            { Effect: "Allow", Principal: "*", NotAction: ["s3:DeleteBucket"], Resource: "*" },
            { Effect: "Allow", NotPrincipal: { AWS: "arn:aws:iam::999999999999:root" }, Action: ["s3:GetObject", "s3:PutObject"], Resource: "*" },
            { Effect: "Allow", Principal: { Service: "logging.s3.amazonaws.com" }, Action: "s3:PutObject", Resource: "*" },
        ] }), [
            "statement \"Foreign\" allows s3:* to arn:aws:iam::999999999999:root, 111122223333",
            "statement #2 allows every action except s3:DeleteBucket to *",
            "statement #3 allows s3:GetObject, s3:PutObject to everyone except arn:aws:iam::999999999999:root",
            "statement #4 allows s3:PutObject to logging.s3.amazonaws.com",
        ]);
    });

    it("lists every NotAction entry and NotPrincipal, and still names an Allow whose principal is missing or null", () => {
        assert.deepEqual(bucketPolicyGrants({ Statement: [
            { Effect: "Allow", NotPrincipal: { AWS: ["arn:aws:iam::999999999999:root", "111122223333"] }, NotAction: ["s3:DeleteBucket", "s3:PutBucketPolicy"], Resource: "*" },
            { Effect: "Allow", Action: "s3:GetObject", Resource: "*" },
            { Effect: "Allow", Principal: null, Action: "s3:GetObject", Resource: "*" },
        ] }), [
            "statement #1 allows every action except s3:DeleteBucket, s3:PutBucketPolicy to everyone except arn:aws:iam::999999999999:root, 111122223333",
            "statement #2 allows s3:GetObject to (no principal named)",
            "statement #3 allows s3:GetObject to (no principal named)",
        ]);
    });
});
