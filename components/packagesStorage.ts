import * as pulumi from "@pulumi/pulumi";
import { bucketArnFor, s3ServiceUrl } from "../policies/s3Endpoint";
import { bucketNameError, regionError } from "../validation/awsNames";
import { ArgChecks } from "./argChecks";
import { componentType, isInstanceOf, PACKAGE } from "./typeTokens";
import { checkGhesArgs, claimAppliance, GHES_ARG_FIELDS, GhesBehaviourArgs, GhesConnectionArgs, GhesPackagesSettings } from "./ghesPackagesSettings";
import { blockAllPublicAccess, checkSecureBucketArgs, SecureBucket, SecureBucketArgs } from "./secureBucket";
import { checkStorageIdentityArgs, StorageIdentity, StorageIdentityArgs } from "./storageIdentity";

/** A bucket the caller already manages (bring your own bucket). */
export interface ExistingBucketArgs {
    /** Bucket name. Required. */
    name: pulumi.Input<string>;
    /** Bucket region, e.g. `us-west-2`. Required (it selects the service URL and ARN partition). */
    region: pulumi.Input<string>;
    /** The bucket's SSE-KMS key, if it has one (adds the KMS pair to the key's policy). Default: none. */
    kmsKeyArn?: pulumi.Input<string>;
}

/** GHES connection and behaviour; see GhesPackagesSettings for every field. */
export type PackagesStorageGhesArgs = GhesConnectionArgs & GhesBehaviourArgs;

export interface PackagesStorageArgs {
    /**
     * The dedicated Packages bucket to create, with its security settings. Every field has a
     * secure default. Mutually exclusive with `existingBucket`. Default: `{}`.
     */
    bucket?: SecureBucketArgs;
    /**
     * Use a bucket managed elsewhere instead of creating one. The component still creates the
     * least-privilege key and enforces the bucket's public access block (all four flags).
     * Default: none (a bucket is created).
     */
    existingBucket?: ExistingBucketArgs;
    /** The IAM user of the key (name, path, permissions boundary, tags). Default: `{}`. */
    identity?: Omit<StorageIdentityArgs, "bucketArn" | "kmsKeyArn" | "keyRotation">;
    /**
     * Any value; changing it rotates the access key without downtime: new key, storage check,
     * GHES updated and its configuration run succeeded, then the old key is deleted.
     * Default: none.
     */
    keyRotation?: pulumi.Input<string | number>;
    /**
     * S3 service URL given to GHES. Default: `https://s3.<bucket region>.amazonaws.com`.
     * Override for a VPC interface endpoint or a FIPS endpoint.
     */
    serviceUrl?: pulumi.Input<string>;
    /**
     * The GHES appliance to configure. Default: none (only the AWS side is created; wire the
     * outputs into GHES yourself).
     */
    ghes?: PackagesStorageGhesArgs;
}

/** Validates every argument (nested ones included); throws an InputError naming each bad one. */
export function validatePackagesStorageArgs(name: string, args: PackagesStorageArgs): void {
    const component = `PackagesStorage ${name}`;
    const checks = new ArgChecks(component);
    if (args.bucket && args.existingBucket) checks.fail("bucket and existingBucket are mutually exclusive");
    if (args.existingBucket) {
        checks.add(args.existingBucket.name, (v) => bucketNameError("existingBucket.name", v));
        checks.add(args.existingBucket.region, (v) => regionError("existingBucket.region", v));
    }
    if (args.ghes) {
        checkGhesArgs(checks, "ghes.", args.ghes, GHES_ARG_FIELDS);
        claimAppliance(checks, "ghes.", args.ghes.hostname, `${name}-ghes`);
    }
    if (!args.existingBucket) checkSecureBucketArgs(checks, args.bucket ?? {});
    checkStorageIdentityArgs(checks, { ...args.identity, kmsKeyArn: args.existingBucket?.kmsKeyArn });
    checks.throwIfAny(); // one error naming every problem, before anything is registered
}

/**
 * GitHub Enterprise Server Packages on AWS S3, end to end: a locked-down bucket, a
 * least-privilege IAM user and access key, and (with `ghes`) the GHES settings written,
 * applied and verified.
 */
export class PackagesStorage extends pulumi.ComponentResource {
    /** Whether `obj` is a PackagesStorage (also one created by another copy of this package). */
    static isInstance(obj: unknown): obj is PackagesStorage {
        return isInstanceOf(obj, `${PACKAGE}:index:PackagesStorage`);
    }

    /** Name of the Packages bucket (created, or the existing one). */
    public readonly bucketName: pulumi.Output<string>;
    /** ARN of the bucket, in its region's partition. */
    public readonly bucketArn: pulumi.Output<string>;
    /** Region of the bucket. */
    public readonly region: pulumi.Output<string>;
    /** The "AWS Service URL" GHES is given. */
    public readonly serviceUrl: pulumi.Output<string>;
    /** Name of the IAM user that owns GHES's access key. */
    public readonly userName: pulumi.Output<string>;
    /** ARN of that IAM user. */
    public readonly userArn: pulumi.Output<string>;
    /** Id of the access key GHES uses. */
    public readonly accessKeyId: pulumi.Output<string>;
    /** Always a Pulumi secret. */
    public readonly secretAccessKey: pulumi.Output<string>;
    /** The key's identity policy (JSON), for review. */
    public readonly identityPolicyJson: pulumi.Output<string>;
    /** The bucket policy (JSON) when the component created the bucket. */
    public readonly bucketPolicyJson: pulumi.Output<string | undefined>;
    /** The GHES settings resource, when `ghes` was given. */
    public readonly ghesSettings?: GhesPackagesSettings;
    /** GHES version and the id of the last configuration run (undefined without `ghes`). */
    public readonly ghesVersion: pulumi.Output<string | undefined>;
    /** Id of the last configuration run the GHES resource started (undefined without `ghes`). */
    public readonly ghesApplyRunId: pulumi.Output<string | undefined>;

    constructor(name: string, args: PackagesStorageArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        validatePackagesStorageArgs(name, args); // before anything is registered
        const [type, options] = componentType("index", "PackagesStorage", opts);
        super(type, name, {}, options);

        let kmsKeyArn: pulumi.Input<string> | undefined;
        let bucketDeps: pulumi.Resource[];
        if (args.existingBucket) {
            const existing = args.existingBucket;
            this.bucketName = pulumi.output(existing.name);
            this.region = pulumi.output(existing.region);
            this.bucketArn = pulumi.all([existing.name, existing.region]).apply(([n, r]) => bucketArnFor(n, r));
            this.bucketPolicyJson = pulumi.output(undefined);
            kmsKeyArn = existing.kmsKeyArn;
            // A Packages bucket must never be public, whoever manages it.
            bucketDeps = [blockAllPublicAccess(name, existing.name, existing.region, { parent: this, retainOnDelete: true })];
        } else {
            const bucket = new SecureBucket(name, args.bucket ?? {}, { parent: this });
            this.bucketName = bucket.bucketName;
            this.bucketArn = bucket.bucketArn;
            this.region = bucket.region;
            this.bucketPolicyJson = bucket.policyJson;
            kmsKeyArn = args.bucket?.kmsKeyArn;
            bucketDeps = [bucket];
        }

        const identity = new StorageIdentity(name, {
            ...args.identity,
            bucketArn: this.bucketArn,
            kmsKeyArn,
            keyRotation: args.keyRotation,
        }, { parent: this });
        this.userName = identity.userName;
        this.userArn = identity.userArn;
        this.accessKeyId = identity.accessKeyId;
        this.secretAccessKey = identity.secretAccessKey;
        this.identityPolicyJson = identity.policyJson;
        this.serviceUrl = args.serviceUrl !== undefined ? pulumi.output(args.serviceUrl) : this.region.apply(s3ServiceUrl);

        if (args.ghes) {
            // The settings take the key's outputs, so the engine updates GHES before it deletes
            // a replaced (rotated) key: GHES never points at a deleted key.
            this.ghesSettings = new GhesPackagesSettings(`${name}-ghes`, {
                ...args.ghes,
                serviceUrl: this.serviceUrl,
                bucket: this.bucketName,
                accessKeyId: this.accessKeyId,
                secretAccessKey: this.secretAccessKey,
            }, { parent: this, dependsOn: [...bucketDeps, identity] });
            this.ghesVersion = this.ghesSettings.ghesVersion;
            this.ghesApplyRunId = this.ghesSettings.applyRunId;
        } else {
            this.ghesVersion = pulumi.output(undefined);
            this.ghesApplyRunId = pulumi.output(undefined);
        }

        this.registerOutputs({
            bucketName: this.bucketName,
            bucketArn: this.bucketArn,
            region: this.region,
            serviceUrl: this.serviceUrl,
            userName: this.userName,
            userArn: this.userArn,
            accessKeyId: this.accessKeyId,
            secretAccessKey: this.secretAccessKey,
            identityPolicyJson: this.identityPolicyJson,
            bucketPolicyJson: this.bucketPolicyJson,
            ghesVersion: this.ghesVersion,
            ghesApplyRunId: this.ghesApplyRunId,
        });
    }
}
