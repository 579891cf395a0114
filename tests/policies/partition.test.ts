import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { AWS_DNS_SUFFIXES, partitionOf } from "../../policies/partition";
import { bucketArnFor, regionOfServiceUrl, s3ServiceUrl } from "../../policies/s3Endpoint";
import { regionError } from "../../validation/awsNames";

// The AWS SDK's own partition table (a dependency of @aws-sdk/client-s3) is the oracle.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkPartition: (region: string) => { name: string; dnsSuffix: string } = require("@aws-sdk/core/client").partition;

/** Every region @pulumi/aws 7 knows (its Region enum). */
function pulumiAwsRegions(): string[] {
    const text = readFileSync(require.resolve("@pulumi/aws/types/enums/index.d.ts"), "utf8");
    const regions = new Set(text.match(/"[a-z]{2,4}(-[a-z]+)+-\d"/g)!.map((r) => r.slice(1, -1)));
    return [...regions];
}

/** One region of every partition (standard, China, GovCloud, ISO, ISO-B, ISO-E, ISO-F, European Sovereign Cloud). */
const ONE_PER_PARTITION = ["us-east-1", "cn-north-1", "us-gov-west-1", "us-iso-east-1", "us-isob-east-1", "eu-isoe-west-1", "us-isof-south-1", "eusc-de-east-1"];

describe("policies/partition: every partition @pulumi/aws knows", () => {
    // Older @pulumi/aws 7.x releases list fewer regions; one of every partition is checked regardless.
    const regions = [...new Set([...pulumiAwsRegions(), ...ONE_PER_PARTITION])];

    it("agrees with the AWS SDK on the ARN partition and DNS suffix of each region", () => {
        for (const r of regions) {
            const sdk = sdkPartition(r);
            assert.deepEqual(partitionOf(r), { id: sdk.name, dnsSuffix: sdk.dnsSuffix }, r);
        }
    });

    it("accepts every region name as a region", () => {
        for (const r of regions) assert.equal(regionError("region", r), undefined, r);
    });

    it("builds service URL and bucket ARN in the region's partition, and reads the signing region back", () => {
        for (const r of regions) {
            const url = s3ServiceUrl(r);
            assert.deepEqual(regionOfServiceUrl(url), { region: r, aws: true }, url);
            assert.match(bucketArnFor("b", r), new RegExp(`^arn:${sdkPartition(r).name}:s3:::b$`));
        }
        assert.equal(s3ServiceUrl("us-iso-east-1"), "https://s3.us-iso-east-1.c2s.ic.gov");
        assert.equal(bucketArnFor("b", "eusc-de-east-1"), "arn:aws-eusc:s3:::b");
    });

    it("signs the legacy dash endpoint for its own region, and the global endpoint for us-east-1", () => {
        assert.deepEqual(regionOfServiceUrl("https://s3-us-west-2.amazonaws.com"), { region: "us-west-2", aws: true });
        assert.deepEqual(regionOfServiceUrl("https://s3-fips.us-gov-west-1.amazonaws.com"), { region: "us-gov-west-1", aws: true });
        assert.deepEqual(regionOfServiceUrl("https://s3.amazonaws.com"), { region: "us-east-1", aws: true });
        assert.deepEqual(regionOfServiceUrl("https://minio.internal:9000"), { region: "us-east-1", aws: false });
    });

    it("takes a partition's prefix only at the start of a region name, as the AWS SDK does", () => {
        // Shaped like regions, each holding another partition's prefix after its start: the SDK puts them all in "aws".
        for (const r of ["mx-cn-1", "ap-us-gov-1", "ap-us-isob-1", "ap-us-isof-1", "ap-us-iso-1", "ap-eu-isoe-1", "ap-eusc-1"]) {
            const sdk = sdkPartition(r);
            assert.deepEqual(partitionOf(r), { id: sdk.name, dnsSuffix: sdk.dnsSuffix }, r);
            assert.equal(sdk.name, "aws", r);
        }
    });

    it("lists every S3 DNS suffix of AWS once, the standard one first", () => {
        assert.deepEqual(AWS_DNS_SUFFIXES, ["amazonaws.com", "amazonaws.com.cn", "sc2s.sgov.gov", "csp.hci.ic.gov", "c2s.ic.gov", "cloud.adc-e.uk", "amazonaws.eu"]);
        assert.deepEqual([...new Set(ONE_PER_PARTITION.map((r) => sdkPartition(r).dnsSuffix))].sort(), [...AWS_DNS_SUFFIXES].sort(), "the SDK's suffixes, one region of each partition");
    });
});
