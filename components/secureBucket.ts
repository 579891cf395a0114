import * as pulumi from "@pulumi/pulumi";
import { Bucket } from "@pulumi/aws/s3/bucket";
import { BucketLifecycleConfiguration } from "@pulumi/aws/s3/bucketLifecycleConfiguration";
import { BucketLogging } from "@pulumi/aws/s3/bucketLogging";
import { BucketOwnershipControls } from "@pulumi/aws/s3/bucketOwnershipControls";
import { BucketPolicy } from "@pulumi/aws/s3/bucketPolicy";
import { BucketPublicAccessBlock } from "@pulumi/aws/s3/bucketPublicAccessBlock";
import { BucketServerSideEncryptionConfiguration } from "@pulumi/aws/s3/bucketServerSideEncryptionConfiguration";
import { BucketVersioning } from "@pulumi/aws/s3/bucketVersioning";
import { ghesBucketPolicy } from "../policies/bucketPolicy";
import { withPackageTags } from "../policies/packageTags";
import {
    bucketNameError,
    bucketPrefixError,
    cidrError,
    kmsKeyArnError,
    positiveIntegerError,
    regionError,
} from "../validation/awsNames";
import { ArgChecks, bucketPrefixFromName } from "./argChecks";
import { componentType, isInstanceOf, PACKAGE } from "./typeTokens";

/** Server access logging for the Packages bucket. */
export interface BucketAccessLoggingArgs {
    /** Bucket that receives the access logs. It must allow the S3 logging service to write. Required. */
    targetBucket: pulumi.Input<string>;
    /** Key prefix of the log objects. Default: `"ghes-packages/"`. */
    targetPrefix?: pulumi.Input<string>;
}

export interface SecureBucketArgs {
    /**
     * Exact bucket name. Mutually exclusive with `bucketPrefix`.
     * Default: none (a unique name is generated from `bucketPrefix`).
     */
    bucketName?: pulumi.Input<string>;
    /**
     * Prefix of a generated unique bucket name (1-37 characters). Default: the component
     * name, lowercased, followed by `-packages-`.
     */
    bucketPrefix?: pulumi.Input<string>;
    /**
     * Region to create the bucket in (per-resource region of `@pulumi/aws` 7). Default: the
     * region of the AWS provider in use.
     */
    region?: pulumi.Input<string>;
    /**
     * KMS key ARN for SSE-KMS default encryption (with an S3 bucket key to cut KMS calls).
     * Default: none, SSE-S3 (AES256). The key policy must let the GHES key's user use the key.
     */
    kmsKeyArn?: pulumi.Input<string>;
    /** Keep previous object versions, so a deleted or overwritten package can be recovered. Default: `true`. */
    versioning?: boolean;
    /** Days after which noncurrent object versions expire (only with versioning). Default: `30`. */
    noncurrentVersionExpirationDays?: number;
    /** Days after which incomplete multipart uploads are aborted (their parts cost money). Default: `7`. */
    abortIncompleteMultipartUploadDays?: number;
    /**
     * When given, data access from outside these CIDR blocks is denied by the bucket policy.
     * It MUST include the GHES instance's egress addresses AND all end users' address
     * ranges: GHES hands package clients pre-signed S3 URLs. Must not be empty.
     * Default: no source-address restriction.
     */
    allowedSourceCidrs?: string[];
    /**
     * With `allowedSourceCidrs`: VPC endpoint ids (`vpce-...`) whose requests are allowed too.
     * Needed when GHES reaches S3 through a VPC endpoint (such requests have no public source
     * address). Default: none.
     */
    allowedVpcEndpointIds?: string[];
    /** Server access logging. Default: off. */
    accessLogging?: BucketAccessLoggingArgs;
    /**
     * Account ID expected to own the bucket; AWS refuses configuration calls otherwise
     * (guards against a bucket name taken by another account). Default: not checked.
     */
    expectedBucketOwner?: pulumi.Input<string>;
    /**
     * Keep the bucket (and its configuration) in AWS when the component is deleted, so
     * packages survive a `pulumi destroy`. Default: `true`.
     */
    retainOnDelete?: boolean;
    /** Tags for the bucket. Default: `{}` (plus `managed-by` and `ghes-packages-instance`). */
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export const SECURE_BUCKET_DEFAULTS = {
    versioning: true,
    noncurrentVersionExpirationDays: 30,
    abortIncompleteMultipartUploadDays: 7,
    retainOnDelete: true,
    accessLogPrefix: "ghes-packages/",
} as const;

/**
 * The public access block with all four flags on. Not configurable on purpose: GHES applies
 * no ACLs or object permissions, so a public Packages bucket leaks every package.
 */
export function blockAllPublicAccess(name: string, bucket: pulumi.Input<string>, region: pulumi.Input<string> | undefined, opts: pulumi.CustomResourceOptions): BucketPublicAccessBlock {
    return new BucketPublicAccessBlock(`${name}-public-access-block`, {
        bucket,
        region,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
    }, opts);
}

/** Validates SecureBucketArgs; throws an InputError naming every bad argument. */
export function validateSecureBucketArgs(component: string, args: SecureBucketArgs, field = "bucket"): void {
    const checks = new ArgChecks(component);
    checkSecureBucketArgs(checks, args, field);
    checks.throwIfAny();
}

/** Adds every problem of SecureBucketArgs to `checks` (a caller composing several groups throws once). */
export function checkSecureBucketArgs(checks: ArgChecks, args: SecureBucketArgs, field = "bucket"): void {
    if (args.bucketName !== undefined && args.bucketPrefix !== undefined) {
        checks.fail(`${field}.bucketName and ${field}.bucketPrefix are mutually exclusive`);
    }
    checks.add(args.bucketName, (v) => bucketNameError(`${field}.bucketName`, v));
    checks.add(args.bucketPrefix, (v) => bucketPrefixError(`${field}.bucketPrefix`, v));
    checks.add(args.region, (v) => regionError(`${field}.region`, v));
    checks.add(args.kmsKeyArn, (v) => kmsKeyArnError(`${field}.kmsKeyArn`, v));
    checks.add(args.noncurrentVersionExpirationDays, (v) => positiveIntegerError(`${field}.noncurrentVersionExpirationDays`, v));
    checks.add(args.abortIncompleteMultipartUploadDays, (v) => positiveIntegerError(`${field}.abortIncompleteMultipartUploadDays`, v));
    if (args.versioning === false && args.noncurrentVersionExpirationDays !== undefined) {
        checks.fail(`${field}.noncurrentVersionExpirationDays needs versioning; it is off`);
    }
    if (args.allowedSourceCidrs !== undefined) {
        if (!Array.isArray(args.allowedSourceCidrs) || args.allowedSourceCidrs.length === 0) {
            checks.fail(`${field}.allowedSourceCidrs: the list is empty, which would deny all data access; omit it to allow any source, or list the GHES instance's and end users' ranges`);
        } else {
            args.allowedSourceCidrs.forEach((c, i) => checks.add(c, (v) => cidrError(`${field}.allowedSourceCidrs[${i}]`, v)));
        }
    }
    if (args.allowedVpcEndpointIds !== undefined) {
        if (args.allowedSourceCidrs === undefined) checks.fail(`${field}.allowedVpcEndpointIds only applies together with ${field}.allowedSourceCidrs`);
        args.allowedVpcEndpointIds.forEach((id, i) => checks.add(id, (v) => (/^vpce-[0-9a-f]{8,17}$/.test(v) ? undefined : `${field}.allowedVpcEndpointIds[${i}]: ${JSON.stringify(v)} is not a VPC endpoint id (vpce-...)`)));
    }
    if (args.accessLogging) {
        checks.add(args.accessLogging.targetBucket, (v) => bucketNameError(`${field}.accessLogging.targetBucket`, v));
    }
    checks.add(args.expectedBucketOwner, (v) => (/^\d{12}$/.test(v) ? undefined : `${field}.expectedBucketOwner: must be a 12-digit AWS account ID`));
}

/**
 * A dedicated, locked-down S3 bucket for GitHub Packages: no public access (all four
 * blocks, not overridable), ACLs disabled, default encryption, TLS 1.2+ only, versioning,
 * lifecycle clean-up, optional source-address allow list and access logging.
 */
export class SecureBucket extends pulumi.ComponentResource {
    /** Whether `obj` is a SecureBucket (also one created by another copy of this package). */
    static isInstance(obj: unknown): obj is SecureBucket {
        return isInstanceOf(obj, `${PACKAGE}:storage:SecureBucket`);
    }

    /** Name of the bucket (generated from the prefix unless given). */
    public readonly bucketName: pulumi.Output<string>;
    /** ARN of the bucket. */
    public readonly bucketArn: pulumi.Output<string>;
    /** Region of the bucket. */
    public readonly region: pulumi.Output<string>;
    /** The bucket policy document as JSON, for review. */
    public readonly policyJson: pulumi.Output<string>;

    constructor(name: string, args: SecureBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        validateSecureBucketArgs(`SecureBucket ${name}`, args); // before anything is registered
        const [type, options] = componentType("storage", "SecureBucket", opts);
        super(type, name, {}, options);

        const versioning = args.versioning ?? SECURE_BUCKET_DEFAULTS.versioning;
        const retain = args.retainOnDelete ?? SECURE_BUCKET_DEFAULTS.retainOnDelete;
        const common = { region: args.region, expectedBucketOwner: args.expectedBucketOwner };
        // The configuration is retained with the bucket: a kept bucket without its policy
        // and public access block would silently lose its protections.
        const child = (deps: pulumi.Resource[] = []): pulumi.CustomResourceOptions => ({ parent: this, retainOnDelete: retain, dependsOn: deps });

        const bucket = new Bucket(`${name}-bucket`, {
            bucket: args.bucketName,
            bucketPrefix: args.bucketName === undefined ? (args.bucketPrefix ?? bucketPrefixFromName(name)) : undefined,
            region: args.region,
            forceDestroy: false,
            tags: pulumi.output(args.tags ?? {}).apply((t) => withPackageTags(t, name)),
        }, child());

        const publicAccessBlock = blockAllPublicAccess(name, bucket.bucket, args.region, child());

        const ownership = new BucketOwnershipControls(`${name}-ownership`, {
            bucket: bucket.bucket,
            region: args.region,
            rule: { objectOwnership: "BucketOwnerEnforced" },
        }, child());

        const kmsKeyArn = args.kmsKeyArn;
        new BucketServerSideEncryptionConfiguration(`${name}-encryption`, {
            bucket: bucket.bucket,
            ...common,
            rules: [kmsKeyArn
                ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: kmsKeyArn }, bucketKeyEnabled: true }
                : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
        }, child());

        const versioningResource = new BucketVersioning(`${name}-versioning`, {
            bucket: bucket.bucket,
            ...common,
            versioningConfiguration: { status: versioning ? "Enabled" : "Suspended" },
        }, child());

        const rules: pulumi.Input<import("@pulumi/aws/types/input").s3.BucketLifecycleConfigurationRule>[] = [{
            id: "abort-incomplete-multipart-uploads",
            status: "Enabled",
            filter: {},
            abortIncompleteMultipartUpload: {
                daysAfterInitiation: args.abortIncompleteMultipartUploadDays ?? SECURE_BUCKET_DEFAULTS.abortIncompleteMultipartUploadDays,
            },
        }];
        if (versioning) {
            rules.push({
                id: "expire-noncurrent-versions",
                status: "Enabled",
                filter: {},
                noncurrentVersionExpiration: {
                    noncurrentDays: args.noncurrentVersionExpirationDays ?? SECURE_BUCKET_DEFAULTS.noncurrentVersionExpirationDays,
                },
                // Once its last noncurrent version has expired, a delete marker is clutter: remove it.
                expiration: { expiredObjectDeleteMarker: true },
            });
        }
        new BucketLifecycleConfiguration(`${name}-lifecycle`, { bucket: bucket.bucket, ...common, rules }, child([versioningResource]));

        this.policyJson = bucket.arn.apply((bucketArn) =>
            JSON.stringify(ghesBucketPolicy({ bucketArn, allowedSourceCidrs: args.allowedSourceCidrs, allowedVpcEndpointIds: args.allowedVpcEndpointIds }), null, 2));
        // After the public access block and ownership: S3 rejects concurrent configuration changes.
        new BucketPolicy(`${name}-policy`, { bucket: bucket.bucket, region: args.region, policy: this.policyJson },
            child([publicAccessBlock, ownership]));

        if (args.accessLogging) {
            new BucketLogging(`${name}-access-logging`, {
                bucket: bucket.bucket,
                ...common,
                targetBucket: args.accessLogging.targetBucket,
                targetPrefix: args.accessLogging.targetPrefix ?? SECURE_BUCKET_DEFAULTS.accessLogPrefix,
            }, child());
        }

        this.bucketName = bucket.bucket;
        this.bucketArn = bucket.arn;
        this.region = args.region !== undefined ? pulumi.output(args.region) : bucket.region;
        this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn, region: this.region, policyJson: this.policyJson });
    }
}
