import { AWS_DNS_SUFFIXES, partitionOf } from "./partition";

/** The S3 service URL GHES asks for ("AWS Service URL" in the Management Console), in the region's partition. */
export function s3ServiceUrl(region: string): string {
    return `https://s3.${region}.${partitionOf(region).dnsSuffix}`;
}

/** The ARN of a bucket known only by name (bring-your-own bucket), in the region's partition. */
export function bucketArnFor(bucketName: string, region: string): string {
    return `arn:${partitionOf(region).id}:s3:::${bucketName}`;
}

/**
 * The signing region of an S3 service URL: `s3.<region>.<suffix>`, `s3-fips.<region>`,
 * `s3.dualstack.<region>`, VPC endpoints (`*.s3.<region>.vpce.amazonaws.com`) and the legacy
 * dash form `s3-<region>.amazonaws.com`; the global `s3.amazonaws.com` signs for us-east-1.
 * Non-AWS hosts (MinIO and other S3-compatible services) get us-east-1, their usual default.
 */
export function regionOfServiceUrl(serviceUrl: string): { region: string; aws: boolean } {
    const host = new URL(serviceUrl).hostname.toLowerCase();
    const aws = AWS_DNS_SUFFIXES.some((s) => host.endsWith(`.${s}`));
    const m = /(?:^|[.-])([a-z]{2,4}(?:-[a-z]+)+-\d+)\./.exec(host);
    return { region: aws && m ? m[1] : "us-east-1", aws };
}
