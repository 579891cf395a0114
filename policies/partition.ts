/**
 * The AWS partition of a region: the ARN prefix and the DNS suffix of its S3 endpoints. Every
 * region @pulumi/aws 7 knows belongs to one of these (its `Region` enum); the table is
 * checked against that enum in tests/policies/partition.test.ts.
 */
export interface Partition {
    /** ARN partition, e.g. `aws-us-gov`. */
    id: string;
    /** DNS suffix of the S3 endpoints, e.g. `amazonaws.com.cn`. */
    dnsSuffix: string;
}

// Most specific first: "us-isob-" before "us-iso-", "eusc-" before everything European.
const PARTITIONS: readonly [RegExp, Partition][] = [
    [/^cn-/, { id: "aws-cn", dnsSuffix: "amazonaws.com.cn" }],
    [/^us-gov-/, { id: "aws-us-gov", dnsSuffix: "amazonaws.com" }],
    [/^us-isob-/, { id: "aws-iso-b", dnsSuffix: "sc2s.sgov.gov" }],
    [/^us-isof-/, { id: "aws-iso-f", dnsSuffix: "csp.hci.ic.gov" }],
    [/^us-iso-/, { id: "aws-iso", dnsSuffix: "c2s.ic.gov" }],
    [/^eu-isoe-/, { id: "aws-iso-e", dnsSuffix: "cloud.adc-e.uk" }],
    [/^eusc-/, { id: "aws-eusc", dnsSuffix: "amazonaws.eu" }],
];

const STANDARD: Partition = { id: "aws", dnsSuffix: "amazonaws.com" };

export function partitionOf(region: string): Partition {
    return PARTITIONS.find(([re]) => re.test(region))?.[1] ?? STANDARD;
}

/** Every DNS suffix of an AWS S3 endpoint (to tell AWS from S3-compatible services). */
export const AWS_DNS_SUFFIXES: readonly string[] = [...new Set([STANDARD.dnsSuffix, ...PARTITIONS.map(([, p]) => p.dnsSuffix)])];
