import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { identityGrantExcess } from "../policies/grantCheck";
import { INSTANCE_TAG } from "../policies/packageTags";
import { AWS, isOneOf } from "./resourceTypes";
import { bucketView, describe, isSettings, items, read, refersTo, settingsBucketArn, str, tagsOf, UNKNOWN, whenKnown } from "./stackGraph";

/*
 * Rules for the IAM identity GHES uses for Packages storage: the user behind the access key a
 * GhesPackagesSettings resource is given, and every user carrying this package's instance tag.
 * Its policies are read from the stack (inline UserPolicy, attached aws.iam.Policy); anything
 * granted from outside the stack cannot be verified and is reported as such.
 */

type Report = (message: string, urn?: string) => void;

const KEYS = [...AWS.accessKey, ...AWS.nativeAccessKey];
const USERS = [...AWS.user, ...AWS.nativeUser];
const isNative = (r: PolicyResource) => r.type.startsWith("aws-native:");
/** The property naming a user: `user` in @pulumi/aws, `userName` in aws-native. */
const userKey = (r: PolicyResource) => (isNative(r) ? "userName" : "user");

/** The key a settings resource uses, found by dependency or by its id. */
function keyOf(resources: PolicyResource[], settings: PolicyResource): PolicyResource | undefined {
    return resources.find((r) => isOneOf(r.type, KEYS) && refersTo(settings, "accessKeyId", r, [str(read(r.props, "id"))].filter(Boolean)));
}

/** The user an access key belongs to. */
function userOf(resources: PolicyResource[], key: PolicyResource): PolicyResource | undefined {
    return resources.find((r) => isOneOf(r.type, USERS) && refersTo(key, userKey(key), r, userIds(r)));
}

const userIds = (user: PolicyResource) => [str(read(user.props, isNative(user) ? "userName" : "name")), str(read(user.props, "arn"))].filter(Boolean);
const tagged = (r: PolicyResource) => tagsOf(r)[INSTANCE_TAG] !== undefined;

/** The GHES users of a stack: each with the settings that use it (if any) and the bucket it must be scoped to. */
function ghesIdentities(resources: PolicyResource[]): { user: PolicyResource; key?: PolicyResource; bucketArn?: string; why: string }[] {
    const found = new Map<string, { user: PolicyResource; key?: PolicyResource; bucketArn?: string; why: string }>();
    for (const s of resources.filter(isSettings)) {
        const key = keyOf(resources, s);
        const user = key && userOf(resources, key);
        if (user) found.set(user.urn, { user, key, bucketArn: settingsBucketArn(resources, s), why: `its key is used by GHES settings "${s.name}"` });
    }
    for (const user of resources.filter((r) => isOneOf(r.type, USERS) && tagged(r))) {
        if (found.has(user.urn)) continue;
        // A tagged user without settings in this stack: its bucket is the tagged bucket of the same instance, if any.
        const instance = tagsOf(user)[INSTANCE_TAG];
        const bucket = resources.map(bucketView).find((b) => b && b.tags[INSTANCE_TAG] === instance);
        found.set(user.urn, { user, bucketArn: bucket?.arn, why: `tagged ${INSTANCE_TAG}=${instance}` });
    }
    return [...found.values()];
}

export const leastPrivilege: StackValidationPolicy = {
    name: "packages-identity-least-privilege",
    description: "The IAM user GHES uses for Packages is allowed only the seven documented S3 actions on its bucket, and kms:Decrypt/kms:GenerateDataKey.",
    enforcementLevel: "mandatory",
    validateStack: (args, report: Report) => {
        const rs = args.resources;
        for (const id of ghesIdentities(rs)) {
            const ids = userIds(id.user);
            const on = (types: readonly string[], key: string) => rs.filter((r) => isOneOf(r.type, types) && refersTo(r, key, id.user, ids));
            const problems: string[] = [];
            const listsUser = (r: PolicyResource, key: string) => whenKnown(() => items(read(r.props, key)).some((u) => ids.includes(u as string)), false);
            const docs: [string, unknown][] = [
                ...on(AWS.userPolicy, "user").map((r): [string, unknown] => [describe(r), read(r.props, "policy")]),
                ...on(AWS.nativeUserPolicy, "userName").map((r): [string, unknown] => [describe(r), read(r.props, "policyDocument")]),
                ...rs.filter((r) => isOneOf(r.type, AWS.nativeManagedPolicy) && listsUser(r, "users")).map((r): [string, unknown] => [describe(r), read(r.props, "policyDocument")]),
            ];
            const attachments = [
                ...on(AWS.userPolicyAttachment, "user").map((r) => ({ r, arn: read(r.props, "policyArn") })),
                ...rs.filter((r) => isOneOf(r.type, AWS.policyAttachment) && listsUser(r, "users")).map((r) => ({ r, arn: read(r.props, "policyArn") })),
            ];
            if (isNative(id.user)) {
                // aws-native carries inline policies, managed policy ARNs and groups on the user itself.
                for (const p of whenKnown(() => items(read(id.user.props, "policies")), [])) {
                    const entry = p as Record<string, unknown>;
                    docs.push([`${describe(id.user)} policy ${JSON.stringify(String(read(entry, "policyName")))}`, read(entry, "policyDocument")]);
                }
                for (const arn of whenKnown(() => items(read(id.user.props, "managedPolicyArns")), [])) attachments.push({ r: id.user, arn });
            }
            for (const { r, arn } of attachments) {
                const managed = rs.find((p) => (isOneOf(p.type, AWS.managedPolicy) && refersTo(r, "policyArn", p, [str(read(p.props, "arn"))].filter(Boolean)))
                    || (isOneOf(p.type, AWS.nativeManagedPolicy) && typeof arn === "string" && arn === str(read(p.props, "policyArn"))));
                if (managed) docs.push([describe(managed), read(managed.props, isNative(managed) ? "policyDocument" : "policy")]);
                else if (arn !== UNKNOWN) problems.push(`${describe(r)} attaches ${String(arn)}, a policy outside this stack that cannot be verified`);
            }
            const nativeGroups = isNative(id.user) && whenKnown(() => items(read(id.user.props, "groups")).length > 0, false);
            for (const r of [...on(AWS.userGroupMembership, "user"),
                ...rs.filter((g) => isOneOf(g.type, AWS.groupMembership) && listsUser(g, "users")), ...(nativeGroups ? [id.user] : [])]) {
                problems.push(`${describe(r)} puts it in groups, whose policies grant it more than this stack shows`);
            }
            // Without the bucket's ARN (a tagged user, no bucket in the stack) actions and wildcards are still judged.
            for (const [where, doc] of docs) {
                if (doc === UNKNOWN || doc === undefined) continue;
                try {
                    const excess = whenKnown(() => identityGrantExcess(typeof doc === "string" ? doc : JSON.parse(JSON.stringify(doc)), { bucketArn: id.bucketArn }), []);
                    problems.push(...excess.map((e) => `${where}: ${e}`));
                } catch (e) {
                    problems.push(`${where}: the policy cannot be read (${(e as Error).message})`);
                }
            }
            if (problems.length) {
                report(`${describe(id.user)} (${id.why}) may do more than GHES Packages needs: ${problems.join("; ")}. `
                    + "Fix: allow only s3:ListBucket and s3:ListBucketMultipartUploads on the bucket ARN, s3:GetObject, s3:PutObject, s3:DeleteObject, "
                    + "s3:AbortMultipartUpload and s3:ListMultipartUploadParts on BUCKET/*, and kms:Decrypt + kms:GenerateDataKey on the bucket's key (StorageIdentity writes exactly this).", id.user.urn);
            }
        }
    },
};

export const identityInStack: StackValidationPolicy = {
    name: "packages-identity-in-stack",
    description: "The access key GHES settings use is created in the stack, so packages-identity-least-privilege can judge its user.",
    enforcementLevel: "mandatory",
    validateStack: (args, report: Report) => {
        const rs = args.resources;
        for (const s of rs.filter(isSettings)) {
            const keyId = str(read(s.props, "accessKeyId"));
            if (!keyId || keyOf(rs, s)) continue; // unknown in preview, or found
            report(`GHES settings "${s.name}" use access key ${keyId}, which is not created in this stack, so the rights of its user cannot be verified `
                + "(a key made elsewhere may belong to an administrator). Fix: create the key and its user in this stack (PackagesStorage or StorageIdentity do), "
                + "or, where keys are managed centrally, lower this policy to advisory in the pack's configuration.", s.urn);
        }
    },
};

export const ACCESS_KEY_MAX_AGE_DAYS = 90;
const DAY_MS = 24 * 3600 * 1000;

export const accessKeyAge: StackValidationPolicy = {
    name: "packages-access-key-age",
    description: `The access key GHES uses for Packages is younger than maxAgeDays (default ${ACCESS_KEY_MAX_AGE_DAYS}).`,
    enforcementLevel: "advisory",
    configSchema: { properties: { maxAgeDays: { type: "integer", minimum: 1, default: ACCESS_KEY_MAX_AGE_DAYS, description: "Oldest allowed age of the GHES access key, in days." } } },
    validateStack: (args, report: Report) => {
        const { maxAgeDays = ACCESS_KEY_MAX_AGE_DAYS } = args.getConfig<{ maxAgeDays?: number }>();
        const rs = args.resources;
        const keys = new Map<string, { key: PolicyResource; why: string }>();
        for (const s of rs.filter(isSettings)) {
            const key = keyOf(rs, s);
            if (key) keys.set(key.urn, { key, why: `used by GHES settings "${s.name}"` });
        }
        for (const key of rs.filter((r) => isOneOf(r.type, KEYS) && !keys.has(r.urn))) {
            const user = userOf(rs, key);
            if (user && tagged(user)) keys.set(key.urn, { key, why: `of ${describe(user)}, tagged ${INSTANCE_TAG}` });
        }
        for (const { key, why } of keys.values()) {
            const created = str(read(key.props, "createDate"));
            if (!created || read(key.props, "status") === "Inactive") continue; // not created yet (preview), or not in use
            const age = Math.floor((Date.now() - Date.parse(created)) / DAY_MS);
            if (!(age > maxAgeDays)) continue;
            report(`${describe(key)} (${why}) was created ${created}, ${age} days ago; the limit is ${maxAgeDays} days. `
                + "Fix: rotate it without downtime by changing keyRotation on PackagesStorage or StorageIdentity (a new key is written to GHES before the old one is deleted).", key.urn);
        }
    },
};

export const identityPolicies = [leastPrivilege, identityInStack, accessKeyAge];
