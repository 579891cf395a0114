import { ghesIdentityPolicy, PolicyDocument } from "../policies/identityPolicy";

export const ACCOUNT = "123456789012";
export const KMS_KEY = `arn:aws:kms:us-west-2:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

export function identityPolicyFor(bucket: string, kmsKeyArn?: string): PolicyDocument {
    return ghesIdentityPolicy({ bucketArn: `arn:aws:s3:::${bucket}`, kmsKeyArn });
}

/** The same policy without one action, to prove the storage check names what is missing. */
export function policyWithout(bucket: string, action: string): PolicyDocument {
    const p = identityPolicyFor(bucket);
    return { ...p, Statement: p.Statement.map((s) => ({ ...s, Action: (s.Action as string[]).filter((a) => a !== action) })) };
}

/** The default KMS key policy: the account's IAM policies decide (as AWS creates keys by default). */
export const DEFAULT_KEY_POLICY: PolicyDocument = {
    Version: "2012-10-17",
    Statement: [{ Sid: "EnableIamUserPermissions", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" }],
};
