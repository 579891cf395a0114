import { dynamicTypeTokens } from "../components/typeTokens";

/*
 * The type tokens the pack judges: this package's GHES settings resource (current and pre-0.2
 * token), and the AWS resources a Packages bucket and its identity are made of, whether this
 * package's components made them or a program wrote them by hand (@pulumi/aws 6/7 tokens,
 * the deprecated V2 spellings, and aws-native's all-in-one bucket).
 */
export const GHES_SETTINGS = dynamicTypeTokens("GhesPackagesSettings");

export const AWS = {
    bucket: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
    nativeBucket: ["aws-native:s3:Bucket"],
    publicAccessBlock: ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"],
    ownershipControls: ["aws:s3/bucketOwnershipControls:BucketOwnershipControls"],
    acl: ["aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"],
    encryption: [
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    ],
    bucketPolicy: ["aws:s3/bucketPolicy:BucketPolicy"],
    nativeBucketPolicy: ["aws-native:s3:BucketPolicy"],
    user: ["aws:iam/user:User"],
    userPolicy: ["aws:iam/userPolicy:UserPolicy"],
    userPolicyAttachment: ["aws:iam/userPolicyAttachment:UserPolicyAttachment"],
    policyAttachment: ["aws:iam/policyAttachment:PolicyAttachment"],
    managedPolicy: ["aws:iam/policy:Policy"],
    userGroupMembership: ["aws:iam/userGroupMembership:UserGroupMembership"],
    groupMembership: ["aws:iam/groupMembership:GroupMembership"],
    accessKey: ["aws:iam/accessKey:AccessKey"],
    // aws-native (CloudFormation AWS::IAM::*): User has userName, managedPolicyArns, policies
    // [{policyName, policyDocument}], groups; AccessKey userName (its id is the key id);
    // UserPolicy userName, policyDocument; ManagedPolicy users, policyDocument, policyArn.
    nativeUser: ["aws-native:iam:User"],
    nativeAccessKey: ["aws-native:iam:AccessKey"],
    nativeUserPolicy: ["aws-native:iam:UserPolicy"],
    nativeManagedPolicy: ["aws-native:iam:ManagedPolicy"],
} as const;

export const isOneOf = (type: string, tokens: readonly string[]): boolean => tokens.includes(type);
