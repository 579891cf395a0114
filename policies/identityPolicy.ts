/** An IAM policy document (the subset this package writes). */
export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: PolicyStatement[];
}

export interface PolicyStatement {
    Sid: string;
    Effect: "Allow" | "Deny";
    Principal?: "*" | Record<string, string | string[]>;
    Action: string | string[];
    Resource: string | string[];
    Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

/**
 * The two bucket-level actions GHES needs. They act on the bucket ARN only
 * (an IAM evaluator rejects them on an object ARN).
 */
export const GHES_BUCKET_ACTIONS = ["s3:ListBucket", "s3:ListBucketMultipartUploads"] as const;

/** The five object-level actions GHES needs; they act on `arn:...:s3:::BUCKET/*` only. */
export const GHES_OBJECT_ACTIONS = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:AbortMultipartUpload",
    "s3:ListMultipartUploadParts",
] as const;

/** With SSE-KMS, S3 calls KMS on the caller's behalf: reading needs Decrypt, writing GenerateDataKey. */
export const GHES_KMS_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey"] as const;

export interface IdentityPolicyArgs {
    /** The bucket's ARN (`arn:<partition>:s3:::NAME`); taken from the bucket so every partition works. */
    bucketArn: string;
    /** The bucket's SSE-KMS key, when it has one. */
    kmsKeyArn?: string;
}

/**
 * The least-privilege identity policy for the GHES Packages access key: exactly the seven
 * S3 actions from the GHES documentation, each on the ARN type it applies to, and
 * optionally the KMS pair on that one key. Nothing else.
 */
export function ghesIdentityPolicy(args: IdentityPolicyArgs): PolicyDocument {
    const arn = args.bucketArn;
    const statements: PolicyStatement[] = [
        { Sid: "GhesPackagesBucket", Effect: "Allow", Action: [...GHES_BUCKET_ACTIONS], Resource: arn },
        { Sid: "GhesPackagesObjects", Effect: "Allow", Action: [...GHES_OBJECT_ACTIONS], Resource: `${arn}/*` },
    ];
    if (args.kmsKeyArn) {
        statements.push({ Sid: "GhesPackagesKms", Effect: "Allow", Action: [...GHES_KMS_ACTIONS], Resource: args.kmsKeyArn });
    }
    return { Version: "2012-10-17", Statement: statements };
}
