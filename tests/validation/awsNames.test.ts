import { strict as assert } from "node:assert";
import { bucketNameError, bucketPrefixError, cidrError, iamPathError, kmsKeyArnError, positiveIntegerError, regionError } from "../../validation/awsNames";
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
});
