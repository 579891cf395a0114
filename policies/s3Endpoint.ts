/** The S3 service URL GHES asks for ("AWS Service URL" in the Management Console). */
export function s3ServiceUrl(region: string): string {
    // China regions live under amazonaws.com.cn.
    const suffix = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
    return `https://s3.${region}.${suffix}`;
}


/** The ARN of a bucket known only by name (bring-your-own bucket), in the region's partition. */
export function bucketArnFor(bucketName: string, region: string): string {
    const partition = region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
    return `arn:${partition}:s3:::${bucketName}`;
}
