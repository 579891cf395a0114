/**
 * AWS naming rules, pure, shared by the components and the GHES settings provider.
 * Every function returns an error message naming the argument, or undefined when valid.
 * Unknown values (preview) must be filtered out by the caller before calling these.
 */
import { isIPv4, isIPv6 } from "node:net";

/** AWS S3 general-purpose bucket naming rules (docs: "Bucket naming rules"). */
export function bucketNameError(field: string, name: string): string | undefined {
    if (name.length < 3 || name.length > 63) return `${field}: bucket name must be 3-63 characters long (got ${name.length})`;
    return bucketNameCharsError(field, name, true);
}

/** A bucket prefix must leave room for the 26 characters the AWS provider appends. */
export function bucketPrefixError(field: string, prefix: string): string | undefined {
    if (prefix.length < 1 || prefix.length > 37) return `${field}: bucket prefix must be 1-37 characters long (AWS appends 26 characters; got ${prefix.length})`;
    return bucketNameCharsError(field, prefix, false);
}

function bucketNameCharsError(field: string, name: string, complete: boolean): string | undefined {
    if (!/^[a-z0-9.-]+$/.test(name)) return `${field}: only lowercase letters, digits, '.' and '-' are allowed in bucket names (got ${JSON.stringify(name)})`;
    if (!/^[a-z0-9]/.test(name)) return `${field}: bucket name must begin with a letter or digit`;
    if (complete && !/[a-z0-9]$/.test(name)) return `${field}: bucket name must end with a letter or digit`;
    if (name.includes("..")) return `${field}: bucket name must not contain two adjacent periods`;
    if (name.includes(".-") || name.includes("-.")) return `${field}: bucket name must not contain '.-' or '-.'`;
    if (complete && /^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return `${field}: bucket name must not be formatted as an IP address`;
    for (const p of ["xn--", "sthree-", "amzn-s3-demo-"]) {
        if (name.startsWith(p)) return `${field}: bucket name must not start with the reserved prefix '${p}'`;
    }
    if (complete) {
        for (const s of ["-s3alias", "--ol-s3", "--x-s3", "--table-s3", ".mrap"]) {
            if (name.endsWith(s)) return `${field}: bucket name must not end with the reserved suffix '${s}'`;
        }
    }
    return undefined;
}

/** KMS key ARN (aliases are refused: IAM policies and bucket keys need the key ARN itself). */
export function kmsKeyArnError(field: string, arn: string): string | undefined {
    if (!/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/.test(arn)) {
        return `${field}: must be a KMS key ARN like arn:aws:kms:us-east-1:123456789012:key/<key-id> (aliases are not accepted; got ${JSON.stringify(arn)})`;
    }
    return undefined;
}

export function positiveIntegerError(field: string, n: number): string | undefined {
    if (!Number.isInteger(n) || n < 1) return `${field}: must be a whole number of at least 1 (got ${n})`;
    return undefined;
}

/** IPv4 or IPv6 CIDR block (a bare address is refused so the intent is explicit). */
export function cidrError(field: string, cidr: string): string | undefined {
    const m = /^([^/]+)\/(\d{1,3})$/.exec(cidr);
    if (m) {
        const bits = Number(m[2]);
        // Addresses as Node parses them: no leading zeros, no ":/0" or ":::".
        if ((isIPv4(m[1]) && bits <= 32) || (isIPv6(m[1]) && bits <= 128)) return undefined;
    }
    return `${field}: ${JSON.stringify(cidr)} is not an IPv4 or IPv6 CIDR block (e.g. 203.0.113.0/24)`;
}

export function iamPathError(field: string, path: string): string | undefined {
    if (!/^\/([\x21-\x7e]+\/)?$/.test(path) || path.length > 512) return `${field}: IAM path must begin and end with '/' (got ${JSON.stringify(path)})`;
    return undefined;
}

export function iamPolicyArnError(field: string, arn: string): string | undefined {
    if (!/^arn:aws[a-z-]*:iam::(\d{12}|aws):policy\/.+$/.test(arn)) return `${field}: must be an IAM policy ARN (got ${JSON.stringify(arn)})`;
    return undefined;
}

export function regionError(field: string, region: string): string | undefined {
    if (!/^[a-z]{2,4}(-[a-z]+)+-\d+$/.test(region)) return `${field}: ${JSON.stringify(region)} is not an AWS region name (e.g. us-west-2)`;
    return undefined;
}
