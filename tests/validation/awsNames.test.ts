import { strict as assert } from "node:assert";
import { bucketNameError, bucketPrefixError, cidrError, iamPathError, iamPolicyArnError, kmsKeyArnError, positiveIntegerError, regionError } from "../../validation/awsNames";
import { s3ServiceUrl, bucketArnFor } from "../../policies/s3Endpoint";

describe("policies/validation: S3 and IAM naming rules", () => {
    it("accepts valid bucket names", () => {
        for (const n of ["abc", "acme-ghes-packages", "a.b.c", "x".repeat(63), "0packages"]) assert.equal(bucketNameError("b", n), undefined, n);
    });

    const badNames: [string, RegExp][] = [
        ["ab", /3-63 characters/],
        ["x".repeat(64), /3-63 characters/],
        ["Acme", /lowercase/],
        ["acme_packages", /lowercase/],
        ["-acme", /begin with a letter or digit/],
        ["acme-", /end with a letter or digit/],
        ["acme..packages", /adjacent periods/],
        ["acme.-packages", /'\.-'/],
        ["192.168.5.4", /IP address/],
        ["xn--acme", /reserved prefix 'xn--'/],
        ["sthree-acme", /reserved prefix/],
        ["amzn-s3-demo-bucket", /reserved prefix/],
        ["acme-s3alias", /reserved suffix/],
        ["acme--ol-s3", /reserved suffix/],
        ["acme--x-s3", /reserved suffix/],
        ["acme.mrap", /reserved suffix/],
        ["acme packages", /lowercase/],
        ["acme;rm -rf", /lowercase/],
    ];
    for (const [name, why] of badNames) {
        it(`refuses bucket name ${JSON.stringify(name)} and names the field`, () => {
            const e = bucketNameError("bucket.bucketName", name);
            assert.ok(e?.startsWith("bucket.bucketName: "), e);
            assert.match(e!, why);
        });
    }

    it("checks prefixes, leaving room for the generated suffix", () => {
        assert.equal(bucketPrefixError("p", "acme-packages-"), undefined);
        assert.match(bucketPrefixError("p", "x".repeat(38))!, /1-37/);
        assert.match(bucketPrefixError("p", "Acme")!, /lowercase/);
        assert.match(bucketPrefixError("p", "xn--a")!, /reserved prefix/);
    });

    it("requires a KMS key ARN, not an alias", () => {
        assert.equal(kmsKeyArnError("k", "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"), undefined);
        assert.match(kmsKeyArnError("k", "arn:aws:kms:us-west-2:123456789012:alias/packages")!, /^k: .*aliases are not accepted/);
        assert.match(kmsKeyArnError("k", "1234abcd")!, /KMS key ARN/);
    });

    it("checks CIDR blocks, day counts, IAM paths and regions", () => {
        assert.equal(cidrError("c", "10.0.0.0/8"), undefined);
        assert.equal(cidrError("c", "2001:db8::/32"), undefined);
        for (const bad of ["10.0.0.0", "300.1.1.1/8", "10.0.0.0/33", "any", "2001:db8::/129", ":/0", "::::/64", "1:2:3:4:5:6:7:8:9/64", "010.0.0.0/8"]) assert.match(cidrError("c", bad)!, /^c: .*CIDR/, bad);
        assert.equal(positiveIntegerError("d", 7), undefined);
        for (const bad of [0, -1, 1.5, NaN]) assert.match(positiveIntegerError("d", bad)!, /^d: must be a whole number/);
        assert.equal(iamPathError("p", "/ghes/"), undefined);
        assert.match(iamPathError("p", "ghes")!, /begin and end with '\/'/);
        assert.equal(regionError("r", "eu-central-1"), undefined);
        assert.match(regionError("r", "Frankfurt")!, /not an AWS region/);
    });

    it("derives the service URL and ARN partition from the region", () => {
        assert.equal(s3ServiceUrl("us-west-2"), "https://s3.us-west-2.amazonaws.com");
        assert.equal(s3ServiceUrl("cn-north-1"), "https://s3.cn-north-1.amazonaws.com.cn");
        assert.equal(bucketArnFor("b", "us-gov-west-1"), "arn:aws-us-gov:s3:::b");
        assert.equal(bucketArnFor("b", "eu-west-1"), "arn:aws:s3:::b");
    });

    // AWS docs, "General purpose bucket naming rules": 3-63 characters; lowercase letters, digits,
    // periods and hyphens; begin and end with a letter or digit; no two adjacent periods; not an IP
    // address; reserved prefixes xn--, sthree-, amzn-s3-demo-; reserved suffixes -s3alias, --ol-s3,
    // .mrap, --x-s3, --table-s3. Messages written out in full: they are what the user reads.
    it("states each bucket-name rule in full, at its exact bounds", () => {
        assert.equal(bucketNameError("b", "abc"), undefined);
        assert.equal(bucketNameError("b", "x".repeat(63)), undefined);
        assert.equal(bucketNameError("b", "ab"), "b: bucket name must be 3-63 characters long (got 2)");
        assert.equal(bucketNameError("b", "x".repeat(64)), "b: bucket name must be 3-63 characters long (got 64)");
        assert.equal(bucketNameError("b", "Acme"), "b: only lowercase letters, digits, '.' and '-' are allowed in bucket names (got \"Acme\")");
        assert.equal(bucketNameError("b", "acme\nx"), "b: only lowercase letters, digits, '.' and '-' are allowed in bucket names (got \"acme\\nx\")");
        assert.equal(bucketNameError("b", ".acme"), "b: bucket name must begin with a letter or digit");
        assert.equal(bucketNameError("b", "acme."), "b: bucket name must end with a letter or digit");
        assert.equal(bucketNameError("b", "a..b"), "b: bucket name must not contain two adjacent periods");
        assert.equal(bucketNameError("b", "acme-.packages"), "b: bucket name must not contain '.-' or '-.'");
        assert.equal(bucketNameError("b", "acme.-packages"), "b: bucket name must not contain '.-' or '-.'");
        assert.equal(bucketNameError("b", "10.0.0.1"), "b: bucket name must not be formatted as an IP address");
        for (const ok of ["1.2.3.4.5", "x1.2.3.4", "1.2.3.4x", "1234.1.1.1", "1.2.3"]) assert.equal(bucketNameError("b", ok), undefined, ok);
        assert.equal(bucketNameError("b", "xn--acme"), "b: bucket name must not start with the reserved prefix 'xn--'");
        assert.equal(bucketNameError("b", "sthree-acme"), "b: bucket name must not start with the reserved prefix 'sthree-'");
        assert.equal(bucketNameError("b", "amzn-s3-demo-acme"), "b: bucket name must not start with the reserved prefix 'amzn-s3-demo-'");
        for (const suffix of ["-s3alias", "--ol-s3", "--x-s3", "--table-s3", ".mrap"]) {
            assert.equal(bucketNameError("b", `acme${suffix}`), `b: bucket name must not end with the reserved suffix '${suffix}'`);
        }
        for (const ok of ["acme-xn--a", "acme-sthree-x", "acme-s3aliasx", "acme-mrap"]) assert.equal(bucketNameError("b", ok), undefined, ok);
    });

    it("holds a bucket prefix to the character rules of a name, but not to those of its end", () => {
        assert.equal(bucketPrefixError("p", "a"), undefined);
        assert.equal(bucketPrefixError("p", "x".repeat(37)), undefined);
        assert.equal(bucketPrefixError("p", ""), "p: bucket prefix must be 1-37 characters long (AWS appends 26 characters; got 0)");
        assert.equal(bucketPrefixError("p", "x".repeat(38)), "p: bucket prefix must be 1-37 characters long (AWS appends 26 characters; got 38)");
        for (const ok of ["acme-", "acme.", "10.0.0.1", "acme-s3alias", "acme.mrap"]) assert.equal(bucketPrefixError("p", ok), undefined, ok);
        assert.equal(bucketPrefixError("p", "-acme"), "p: bucket name must begin with a letter or digit");
        assert.equal(bucketPrefixError("p", "sthree-"), "p: bucket name must not start with the reserved prefix 'sthree-'");
    });

    it("accepts a KMS key ARN in every partition, and nothing around it", () => {
        for (const ok of ["arn:aws-cn:kms:cn-north-1:123456789012:key/1234abcd", "arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/mrk-1234abcd"]) assert.equal(kmsKeyArnError("k", ok), undefined, ok);
        for (const bad of ["x arn:aws:kms:us-west-2:123456789012:key/1234abcd", "arn:aws:kms:us-west-2:123456789012:key/1234abcd/x", "arn:aws:kms:us-west-2:12345678901:key/1234abcd", "arn:aws:kms:us-west-2:123456789012:key/"]) {
            assert.equal(kmsKeyArnError("k", bad), `k: must be a KMS key ARN like arn:aws:kms:us-east-1:123456789012:key/<key-id> (aliases are not accepted; got ${JSON.stringify(bad)})`, bad);
        }
    });

    it("takes CIDR prefix lengths up to 32 (IPv4) and 128 (IPv6), and names the field and value when refusing", () => {
        for (const ok of ["203.0.113.7/32", "0.0.0.0/0", "2001:db8::1/128", "::/0"]) assert.equal(cidrError("c", ok), undefined, ok);
        for (const bad of ["203.0.113.7/33", "2001:db8::1/129", "10.0.0.0/8 ", " 10.0.0.0/8", "10.0.0.0/8/8", "x/10.0.0.0/8", "10.0.0.0/1000"]) {
            assert.equal(cidrError("c", bad), `c: ${JSON.stringify(bad)} is not an IPv4 or IPv6 CIDR block (e.g. 203.0.113.0/24)`, bad);
        }
        assert.equal(positiveIntegerError("d", 1), undefined);
        assert.equal(positiveIntegerError("d", 0), "d: must be a whole number of at least 1 (got 0)");
    });

    // IAM docs, "IAM identifiers": a path is / alone or /.../, of printable ASCII (U+0021-U+007E), at most 512 characters.
    it("takes an IAM path of printable ASCII between slashes, at most 512 characters", () => {
        for (const ok of ["/", "/ghes/", "/a/b/", `/${"x".repeat(510)}/`]) assert.equal(iamPathError("p", ok), undefined, ok.slice(0, 20));
        for (const bad of ["ghes/", "/ghes", "//", "/a b/", "/ünï/", `/${"x".repeat(511)}/`, "x/ghes/"]) {
            assert.equal(iamPathError("p", bad), `p: IAM path must begin and end with '/' (got ${JSON.stringify(bad)})`, bad.slice(0, 20));
        }
    });

    it("takes an IAM policy ARN of an account or of AWS, in any partition", () => {
        for (const ok of ["arn:aws:iam::123456789012:policy/ghes-boundary", "arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws-us-gov:iam::123456789012:policy/path/p"]) {
            assert.equal(iamPolicyArnError("a", ok), undefined, ok);
        }
        for (const bad of ["arn:aws:iam::123456789012:role/ghes", "arn:aws:iam::12345:policy/p", "arn:aws:iam::123456789012:policy/", "x arn:aws:iam::aws:policy/p", "arn:aws:iam::aws:policy/p\nx", "arn:aws:s3:::b"]) {
            assert.equal(iamPolicyArnError("a", bad), `a: must be an IAM policy ARN (got ${JSON.stringify(bad)})`, bad);
        }
    });

    it("takes region names of every partition (numbers above 9 too), and nothing around them", () => {
        for (const ok of ["us-west-2", "us-gov-west-1", "cn-north-1", "ap-southeast-5", "eusc-de-east-1", "us-west-10"]) assert.equal(regionError("r", ok), undefined, ok);
        for (const bad of ["us-west", "us-west-2 ", "xus-west-2x", "Xus-west-2", "us-west-2a", "u-west-2", "US-WEST-2"]) {
            assert.equal(regionError("r", bad), `r: ${JSON.stringify(bad)} is not an AWS region name (e.g. us-west-2)`, bad);
        }
    });
});
