import { strict as assert } from "node:assert";
import { SnapshotResource, UNKNOWN_STRING } from "../../rehearsal/policyPackHost";
import { GHES_SETTINGS } from "../../policypack/resourceTypes";
import { analyzeStack, of, urnOf } from "../support/policyHarness";
import { BUCKET_ARN, daysAgo, handWrittenStack, KEY_ID, packagesStack, USER } from "../../rehearsal/stackSnapshots";

const only = async (rs: SnapshotResource[], policy: string) => of(await analyzeStack(rs), policy);
const grant = (Action: string | string[], Resource: string | string[]) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action, Resource }] });

describe("policy pack: the identity GHES uses (stack validation)", () => {
    it("passes the user, policy and key StorageIdentity creates, and the same written by hand", async () => {
        for (const stack of [packagesStack(), handWrittenStack()]) {
            assert.deepEqual(await only(stack, "packages-identity-least-privilege"), []);
            assert.deepEqual(await only(stack, "packages-access-key-age"), []);
        }
    });

    it("packages-identity-least-privilege: a wider inline policy is a violation naming the user, why it is judged, each excess and the fix", async () => {
        const ds = await only(handWrittenStack((s) => { s.userPolicy.props.policy = grant("s3:*", [BUCKET_ARN, `${BUCKET_ARN}/*`]); }), "packages-identity-least-privilege");
        assert.equal(ds.length, 1);
        assert.equal(ds[0].level, "mandatory");
        assert.equal(ds[0].urn, urnOf({ type: "aws:iam/user:User", name: "hand-user" }));
        assert.match(ds[0].message, /aws:iam\/user:User "hand-user" \(its key is used by GHES settings "hand-settings"\) may do more than GHES Packages needs: aws:iam\/userPolicy:UserPolicy "hand-user-policy": statement #1 allows s3:\*: a wildcard grants actions GHES does not need\./);
        assert.match(ds[0].message, /Fix: allow only s3:ListBucket and s3:ListBucketMultipartUploads on the bucket ARN/);
    });

    it("scopes to the bucket the settings point at: the right actions on another bucket are a violation", async () => {
        const ds = await only(packagesStack((s) => { s.userPolicy.props.policy = grant("s3:GetObject", "arn:aws:s3:::someone-elses/*"); }), "packages-identity-least-privilege");
        assert.match(ds[0].message, new RegExp(`statement #1 allows s3:GetObject on arn:aws:s3:::someone-elses/\\*: GHES needs it on ${BUCKET_ARN}/\\* only`));
    });

    it("reads attached managed policies from the stack, and reports attachments it cannot verify and group memberships", async () => {
        const managed: SnapshotResource = { type: "aws:iam/policy:Policy", name: "wide", props: { arn: "arn:aws:iam::123456789012:policy/wide", policy: grant("s3:PutBucketPolicy", BUCKET_ARN) } };
        const attach: SnapshotResource = { type: "aws:iam/userPolicyAttachment:UserPolicyAttachment", name: "attach-wide", props: { user: USER, policyArn: "arn:aws:iam::123456789012:policy/wide" } };
        const outside: SnapshotResource = { type: "aws:iam/userPolicyAttachment:UserPolicyAttachment", name: "attach-s3-full", props: { user: USER, policyArn: "arn:aws:iam::aws:policy/AmazonS3FullAccess" } };
        const groups: SnapshotResource = { type: "aws:iam/userGroupMembership:UserGroupMembership", name: "groups", props: { user: USER, groups: ["admins"] } };
        const ds = await only([...handWrittenStack(), managed, attach, outside, groups], "packages-identity-least-privilege");
        assert.equal(ds.length, 1);
        assert.match(ds[0].message, /aws:iam\/policy:Policy "wide": statement #1 allows s3:PutBucketPolicy, which GHES Packages does not use/);
        assert.match(ds[0].message, /aws:iam\/userPolicyAttachment:UserPolicyAttachment "attach-s3-full" attaches arn:aws:iam::aws:policy\/AmazonS3FullAccess, a policy outside this stack that cannot be verified/);
        assert.match(ds[0].message, /aws:iam\/userGroupMembership:UserGroupMembership "groups" puts it in groups/);
    });

    it("judges a user carrying the package's tag even without GHES settings in the stack", async () => {
        const rs = packagesStack((s) => { s.userPolicy.props.policy = grant("s3:DeleteBucket", BUCKET_ARN); }).filter((r) => r.name !== "ghes-prod-settings");
        const ds = await only(rs, "packages-identity-least-privilege");
        assert.match(ds[0].message, /aws:iam\/user:User "ghes-prod-user" \(tagged ghes-packages-instance=ghes-prod\).*s3:DeleteBucket, which GHES Packages does not use/);
    });

    it("judges wildcards of a tagged user whose bucket is not in the stack", async () => {
        const user: SnapshotResource = { type: "aws:iam/user:User", name: "u", props: { name: "ghes-u", tags: { "ghes-packages-instance": "other" } } };
        const pol: SnapshotResource = { type: "aws:iam/userPolicy:UserPolicy", name: "p", props: { user: "ghes-u", policy: grant("*", "*") } };
        const ds = await only([user, pol], "packages-identity-least-privilege");
        assert.equal(ds.length, 1);
        assert.match(ds[0].message, /aws:iam\/user:User "u" \(tagged ghes-packages-instance=other\) may do more than GHES Packages needs: aws:iam\/userPolicy:UserPolicy "p": statement #1 allows \*: a wildcard grants actions GHES does not need\./);
        const scoped: SnapshotResource = { ...pol, props: { user: "ghes-u", policy: grant("s3:GetObject", "*") } };
        assert.match((await only([user, scoped], "packages-identity-least-privilege"))[0].message, /allows s3:GetObject on \*: GHES needs it on its bucket's objects \(BUCKET\/\*\) only/);
    });

    it("judges an aws-native user behind the GHES key: its managedPolicyArns and inline policies, and aws-native UserPolicy/ManagedPolicy resources", async () => {
        const native = (change: (u: SnapshotResource, rs: SnapshotResource[]) => void = () => undefined) => packagesStack((s) => {
            s.user = { type: "aws-native:iam:User", name: "native-user", props: { userName: USER, arn: `arn:aws:iam::123456789012:user/${USER}` } };
            s.userPolicy = { type: "aws-native:iam:UserPolicy", name: "native-policy", props: { userName: USER, policyName: "ghes", policyDocument: JSON.parse(s.userPolicy.props.policy as string) } };
            s.accessKey = { type: "aws-native:iam:AccessKey", name: "native-key", props: { userName: USER, id: KEY_ID, status: "Active" } };
            delete s.settings.propertyDependencies;
            change(s.user, []);
        });
        assert.deepEqual(await only(native(), "packages-identity-least-privilege"), [], "the package's policy in aws-native resources");
        const admin = await only(native((u) => { u.props.managedPolicyArns = ["arn:aws:iam::aws:policy/AdministratorAccess"]; }), "packages-identity-least-privilege");
        assert.equal(admin.length, 1);
        assert.match(admin[0].message, /aws-native:iam:User "native-user" \(its key is used by GHES settings "ghes-prod-settings"\) may do more than GHES Packages needs: aws-native:iam:User "native-user" attaches arn:aws:iam::aws:policy\/AdministratorAccess, a policy outside this stack that cannot be verified/);
        const inline = await only(native((u) => { u.props.policies = [{ policyName: "wide", policyDocument: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] } }]; }), "packages-identity-least-privilege");
        assert.match(inline[0].message, /aws-native:iam:User "native-user" policy "wide": statement #1 allows s3:\*: a wildcard/);
        const managed: SnapshotResource = { type: "aws-native:iam:ManagedPolicy", name: "native-managed", props: { users: [USER], policyArn: "arn:aws:iam::123456789012:policy/m", policyDocument: { Statement: [{ Effect: "Allow", Action: "iam:*", Resource: "*" }] } } };
        const withManaged = await only([...native(), managed], "packages-identity-least-privilege");
        assert.match(withManaged[0].message, /aws-native:iam:ManagedPolicy "native-managed": statement #1 allows iam:\*/);
        const groups = await only(native((u) => { u.props.groups = ["admins"]; }), "packages-identity-least-privilege");
        assert.match(groups[0].message, /aws-native:iam:User "native-user" puts it in groups/);
    });

    it("packages-identity-in-stack: a known accessKeyId that resolves to no key in the stack is a violation naming the settings and the fix; an unknown one (preview) is not judged", async () => {
        const outside = packagesStack((s) => { s.settings.props.accessKeyId = "AKIAOUTSIDETHESTACK1"; delete s.settings.propertyDependencies; });
        const ds = await only(outside, "packages-identity-in-stack");
        assert.equal(ds.length, 1);
        assert.equal(ds[0].level, "mandatory");
        assert.equal(ds[0].urn, urnOf({ type: GHES_SETTINGS[0], name: "ghes-prod-settings" }));
        assert.match(ds[0].message, /GHES settings "ghes-prod-settings" use access key AKIAOUTSIDETHESTACK1, which is not created in this stack, so the rights of its user cannot be verified .*Fix: create the key and its user in this stack/);
        assert.deepEqual(await only(packagesStack(), "packages-identity-in-stack"), []);
        assert.deepEqual(await only(packagesStack((s) => { s.settings.props.accessKeyId = UNKNOWN_STRING; delete s.settings.propertyDependencies; }), "packages-identity-in-stack"), []);
        assert.deepEqual(await only(handWrittenStack(), "packages-identity-in-stack"), []);
    });

    it("packages-access-key-age: a key older than 90 days is advisory by default, naming its age, the limit and the rotation", async () => {
        const created = daysAgo(120);
        const ds = await only(handWrittenStack((s) => { s.accessKey.props.createDate = created; }), "packages-access-key-age");
        assert.equal(ds.length, 1);
        assert.equal(ds[0].level, "advisory");
        assert.equal(ds[0].urn, urnOf({ type: "aws:iam/accessKey:AccessKey", name: "hand-key" }));
        assert.match(ds[0].message, new RegExp(`aws:iam/accessKey:AccessKey "hand-key" \\(used by GHES settings "hand-settings"\\) was created ${created.replace(/[.]/g, "\\.")}, 120 days ago; the limit is 90 days\\. Fix: rotate it without downtime by changing keyRotation`));
        assert.deepEqual(await only(handWrittenStack((s) => { s.accessKey.props.createDate = daysAgo(89); }), "packages-access-key-age"), []);
        assert.deepEqual(await only(handWrittenStack((s) => { s.accessKey.props.createDate = created; s.accessKey.props.status = "Inactive"; }), "packages-access-key-age"), [], "an inactive key is not in use");
    });

    it("never puts a secret into a message", async () => {
        const ds = await analyzeStack(handWrittenStack((s) => { s.accessKey.props.createDate = daysAgo(400); s.userPolicy.props.policy = grant("*", "*"); }));
        assert.ok(ds.length >= 2);
        for (const d of ds) assert.doesNotMatch(d.message, /not-a-real-secret/);
    });
});
