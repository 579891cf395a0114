import { GHES_BUCKET_ACTIONS, GHES_OBJECT_ACTIONS, PolicyDocument, PolicyStatement } from "./identityPolicy";

export interface BucketPolicyArgs {
    /** The bucket's ARN (`arn:<partition>:s3:::NAME`). */
    bucketArn: string;
    /**
     * When set, data access (the GHES actions) from addresses outside these CIDR blocks is denied.
     * Must include the GHES instance's egress addresses AND every end user's address range:
     * GHES sends package clients to S3 with pre-signed URLs.
     */
    allowedSourceCidrs?: string[];
    /**
     * With `allowedSourceCidrs`: requests through these VPC endpoints are also allowed.
     * Requests via a VPC endpoint carry no public source address, so an instance reaching S3
     * through a gateway or interface endpoint must be listed here.
     */
    allowedVpcEndpointIds?: string[];
}

/**
 * The bucket policy: deny any request not made over TLS, deny TLS older than 1.2, and
 * optionally deny data access from outside an allow list. Only Deny statements: access is
 * granted solely by the identity policy of the GHES key (and the account's own admins).
 */
export function ghesBucketPolicy(args: BucketPolicyArgs): PolicyDocument {
    const arn = args.bucketArn;
    const resources = [arn, `${arn}/*`];
    const statements: PolicyStatement[] = [
        {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: resources,
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
        {
            Sid: "DenyOutdatedTls",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: resources,
            Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } },
        },
    ];
    if (args.allowedSourceCidrs) {
        // Scoped to data access on purpose: bucket management calls (e.g. PutBucketPolicy from
        // the operator's CI) stay possible, so a wrong list cannot lock the operator out.
        statements.push({
            Sid: "DenyDataAccessOutsideAllowedNetworks",
            Effect: "Deny",
            Principal: "*",
            Action: [...GHES_BUCKET_ACTIONS, ...GHES_OBJECT_ACTIONS],
            Resource: resources,
            Condition: {
                NotIpAddress: { "aws:SourceIp": [...args.allowedSourceCidrs] },
                // Conditions are ANDed: denied only if neither from a listed range nor through a listed endpoint.
                ...(args.allowedVpcEndpointIds?.length ? { StringNotEqualsIfExists: { "aws:SourceVpce": [...args.allowedVpcEndpointIds] } } : {}),
            },
        });
    }
    return { Version: "2012-10-17", Statement: statements };
}
