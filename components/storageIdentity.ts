import * as pulumi from "@pulumi/pulumi";
import { AccessKey } from "@pulumi/aws/iam/accessKey";
import { User } from "@pulumi/aws/iam/user";
import { UserPolicy } from "@pulumi/aws/iam/userPolicy";
import { ghesIdentityPolicy } from "../policies/identityPolicy";
import { withPackageTags } from "../policies/packageTags";
import { iamPathError, iamPolicyArnError, kmsKeyArnError } from "../validation/awsNames";
import { ArgChecks } from "./argChecks";
import { componentType, isInstanceOf, PACKAGE } from "./typeTokens";

export interface StorageIdentityArgs {
    /** ARN of the Packages bucket the key may use. Required. */
    bucketArn: pulumi.Input<string>;
    /** KMS key of the bucket's SSE-KMS encryption; adds `kms:Decrypt` and `kms:GenerateDataKey` on it. Default: none. */
    kmsKeyArn?: pulumi.Input<string>;
    /** Exact IAM user name. Default: generated from the component name. */
    userName?: pulumi.Input<string>;
    /** IAM path of the user, so reviewers and SCPs can target it. Default: `"/ghes/"`. */
    path?: string;
    /** ARN of a managed policy used as the user's permissions boundary. Default: none. */
    permissionsBoundaryArn?: pulumi.Input<string>;
    /**
     * Any value; changing it replaces the access key. The new key is created before the old
     * one is deleted, so GHES can be switched over without downtime. Default: none.
     */
    keyRotation?: pulumi.Input<string | number>;
    /** Tags for the IAM user. Default: `{}` (plus `managed-by` and `ghes-packages-instance`). */
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export const STORAGE_IDENTITY_DEFAULTS = { path: "/ghes/" } as const;

export function validateStorageIdentityArgs(component: string, args: Partial<StorageIdentityArgs>, field = "identity"): void {
    const checks = new ArgChecks(component);
    checkStorageIdentityArgs(checks, args, field);
    checks.throwIfAny();
}

/** Adds every problem of StorageIdentityArgs to `checks` (a caller composing several groups throws once). */
export function checkStorageIdentityArgs(checks: ArgChecks, args: Partial<StorageIdentityArgs>, field = "identity"): void {
    checks.add(args.path, (v) => iamPathError(`${field}.path`, v));
    checks.add(args.permissionsBoundaryArn, (v) => iamPolicyArnError(`${field}.permissionsBoundaryArn`, v));
    checks.add(args.kmsKeyArn, (v) => kmsKeyArnError(`${field}.kmsKeyArn`, v));
    checks.add(args.userName, (v) => (/^[\w+=,.@-]{1,64}$/.test(v) ? undefined : `${field}.userName: 1-64 characters of letters, digits and +=,.@_- (got ${JSON.stringify(v)})`));
}

/**
 * The identity GHES uses for Packages storage: an IAM user with an inline policy allowing
 * exactly the seven S3 actions on one bucket (plus the KMS pair on its key), and an access
 * key. GHES Packages storage takes only a static key (no role/OIDC option exists).
 */
export class StorageIdentity extends pulumi.ComponentResource {
    /** Whether `obj` is a StorageIdentity (also one created by another copy of this package). */
    static isInstance(obj: unknown): obj is StorageIdentity {
        return isInstanceOf(obj, `${PACKAGE}:storage:StorageIdentity`);
    }

    /** Name of the IAM user. */
    public readonly userName: pulumi.Output<string>;
    /** ARN of the IAM user. */
    public readonly userArn: pulumi.Output<string>;
    /** Id of the access key. */
    public readonly accessKeyId: pulumi.Output<string>;
    /** The secret access key, always a Pulumi secret. */
    public readonly secretAccessKey: pulumi.Output<string>;
    /** The inline identity policy as JSON, for review. */
    public readonly policyJson: pulumi.Output<string>;
    /** The access key resource (for dependencies: GHES must be updated before an old key is deleted). */
    public readonly accessKey: AccessKey;

    constructor(name: string, args: StorageIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        validateStorageIdentityArgs(`StorageIdentity ${name}`, args); // before anything is registered
        const [type, options] = componentType("storage", "StorageIdentity", opts);
        super(type, name, {}, options);

        const user = new User(`${name}-user`, {
            name: args.userName,
            path: args.path ?? STORAGE_IDENTITY_DEFAULTS.path,
            permissionsBoundary: args.permissionsBoundaryArn,
            // Deleting the user must not fail because of a login profile or MFA someone added by hand.
            forceDestroy: true,
            tags: pulumi.output(args.tags ?? {}).apply((t) => withPackageTags(t, name)),
        }, { parent: this });

        this.policyJson = pulumi.all([args.bucketArn, args.kmsKeyArn]).apply(([bucketArn, kmsKeyArn]) =>
            JSON.stringify(ghesIdentityPolicy({ bucketArn, kmsKeyArn }), null, 2));
        const policy = new UserPolicy(`${name}-user-policy`, {
            user: user.name,
            name: "ghes-packages-storage",
            policy: this.policyJson,
        }, { parent: this });

        // Pulumi's default replacement order is create-before-delete: during a rotation both
        // keys exist (IAM allows two per user) until GHES has switched to the new one.
        this.accessKey = new AccessKey(`${name}-key`, { user: user.name }, {
            parent: this,
            dependsOn: [policy],
            replacementTrigger: args.keyRotation,
        });

        this.userName = user.name;
        this.userArn = user.arn;
        this.accessKeyId = this.accessKey.id;
        // The engine marks `secret` secret, but mocks and some code paths do not: make it explicit.
        this.secretAccessKey = pulumi.secret(this.accessKey.secret);
        this.registerOutputs({
            userName: this.userName,
            userArn: this.userArn,
            accessKeyId: this.accessKeyId,
            secretAccessKey: this.secretAccessKey,
            policyJson: this.policyJson,
        });
    }
}
