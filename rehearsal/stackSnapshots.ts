import { ghesBucketPolicy } from "../policies/bucketPolicy";
import { ghesIdentityPolicy } from "../policies/identityPolicy";
import { GHES_SETTINGS } from "../policypack/resourceTypes";
import { SnapshotResource, urnOf } from "./policyPackHost";

/*
 * Stack snapshots for the policy pack (tests and the demo), as the engine hands them to AnalyzeStack: outputs, and
 * the property dependencies the engine records. `packagesStack` has the shape PackagesStorage
 * registers (same types, properties and links; tests/policypack/componentStack.test.ts judges the
 * real registrations too); `handWrittenStack` is the same setup written
 * by hand with raw @pulumi/aws resources, linked by values only, under the pre-0.2 settings token.
 */

export const BUCKET = "ghes-prod-packages-0a1b2c3d";
export const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
export const FINGERPRINT = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s";
export const USER = "ghes-prod-user-5f6e7d";
export const KEY_ID = "AKIAEXAMPLEPACKAGES1";
const DAY = 24 * 3600 * 1000;

/** An ISO time `days` ago. */
export const daysAgo = (days: number): string => new Date(Date.now() - days * DAY).toISOString();

export type Named<K extends string> = Record<K, SnapshotResource>;
type Parts = "bucket" | "publicAccessBlock" | "ownership" | "encryption" | "bucketPolicy" | "user" | "userPolicy" | "accessKey" | "settings";

const linkTo = (r: SnapshotResource) => [urnOf(r)];

/** The resources PackagesStorage "ghes-prod" registers, each open to changes by `change`. */
export function packagesStack(change: (s: Named<Parts>) => void = () => undefined): SnapshotResource[] {
    const bucket: SnapshotResource = {
        type: "aws:s3/bucket:Bucket", name: "ghes-prod-bucket",
        props: { bucket: BUCKET, arn: BUCKET_ARN, region: "us-west-2", forceDestroy: false, tags: { "managed-by": "pulumi", "ghes-packages-instance": "ghes-prod" } },
    };
    const onBucket = (type: string, name: string, props: Record<string, unknown>): SnapshotResource =>
        ({ type, name, props: { bucket: BUCKET, ...props }, propertyDependencies: { bucket: linkTo(bucket) }, dependencies: linkTo(bucket) });
    const user: SnapshotResource = {
        type: "aws:iam/user:User", name: "ghes-prod-user",
        props: { name: USER, arn: `arn:aws:iam::123456789012:user/ghes/${USER}`, path: "/ghes/", tags: { "managed-by": "pulumi", "ghes-packages-instance": "ghes-prod" } },
    };
    const accessKey: SnapshotResource = {
        type: "aws:iam/accessKey:AccessKey", name: "ghes-prod-key",
        props: { user: USER, id: KEY_ID, status: "Active", createDate: daysAgo(10), secret: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "not-a-real-secret" } },
        propertyDependencies: { user: linkTo(user) },
    };
    const s: Named<Parts> = {
        bucket,
        publicAccessBlock: onBucket("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "ghes-prod-public-access-block",
            { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }),
        ownership: onBucket("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "ghes-prod-ownership", { rule: { objectOwnership: "BucketOwnerEnforced" } }),
        encryption: onBucket("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "ghes-prod-encryption",
            { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }),
        bucketPolicy: onBucket("aws:s3/bucketPolicy:BucketPolicy", "ghes-prod-policy", { policy: JSON.stringify(ghesBucketPolicy({ bucketArn: BUCKET_ARN })) }),
        user,
        userPolicy: {
            type: "aws:iam/userPolicy:UserPolicy", name: "ghes-prod-user-policy",
            props: { user: USER, name: "ghes-packages-storage", policy: JSON.stringify(ghesIdentityPolicy({ bucketArn: BUCKET_ARN })) },
            propertyDependencies: { user: linkTo(user) },
        },
        accessKey,
        settings: {
            type: GHES_SETTINGS[0], name: "ghes-prod-settings",
            props: {
                hostname: "ghes.example.com", sshHostKeyFingerprint: FINGERPRINT, serviceUrl: "https://s3.us-west-2.amazonaws.com",
                bucket: BUCKET, accessKeyId: KEY_ID, applyTimeoutSeconds: 1800, packagesEnabled: true,
                secretAccessKey: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "not-a-real-secret" },
            },
            propertyDependencies: { bucket: linkTo(bucket), accessKeyId: linkTo(accessKey), secretAccessKey: linkTo(accessKey) },
        },
    };
    change(s);
    return Object.values(s);
}

/** The same setup written by hand: raw resources, no package tags, links by value only, the pre-0.2 settings token. */
export function handWrittenStack(change: (s: Named<Parts>) => void = () => undefined): SnapshotResource[] {
    return packagesStack((s) => {
        for (const r of Object.values(s)) {
            delete r.propertyDependencies;
            delete r.dependencies;
            r.name = r.name.replace(/^ghes-prod-/, "hand-");
        }
        delete s.bucket.props.tags;
        delete s.user.props.tags;
        s.settings.type = GHES_SETTINGS[1];
        change(s);
    });
}
