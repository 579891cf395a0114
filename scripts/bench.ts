/*
 * `npm run bench`: sizes, request counts and ratios measured in one run (never asserted as
 * wall-clock time in a test: machines are shared and noisy). Loopback only.
 */
import * as pulumi from "@pulumi/pulumi";
import { AccessKey } from "@pulumi/aws/iam/accessKey";
import { User } from "@pulumi/aws/iam/user";
import { UserPolicy } from "@pulumi/aws/iam/userPolicy";
import { Bucket } from "@pulumi/aws/s3/bucket";
import { BucketLifecycleConfiguration } from "@pulumi/aws/s3/bucketLifecycleConfiguration";
import { BucketOwnershipControls } from "@pulumi/aws/s3/bucketOwnershipControls";
import { BucketPolicy } from "@pulumi/aws/s3/bucketPolicy";
import { BucketPublicAccessBlock } from "@pulumi/aws/s3/bucketPublicAccessBlock";
import { BucketServerSideEncryptionConfiguration } from "@pulumi/aws/s3/bucketServerSideEncryptionConfiguration";
import { BucketVersioning } from "@pulumi/aws/s3/bucketVersioning";
import { PackagesStorage } from "../index";
import { ghesBucketPolicy } from "../policies/bucketPolicy";
import { ghesIdentityPolicy } from "../policies/identityPolicy";
import { Clock } from "../ghes/clock";
import { runConfiguration } from "../ghes/configurationRun";
import { ManageClient } from "../ghes/manageClient";
import { DynamicProviderHost } from "../rehearsal/dynamicProviderHost";
import { Lifecycle } from "../rehearsal/lifecycle";
import { installMocks, valueOf } from "../rehearsal/pulumiMocks";
import { Counts, StandIns } from "../rehearsal/standIns";
import { checkStorage } from "../storage/storageCheck";

const out = (s = "") => process.stdout.write(s + "\n");
const row = (cells: (string | number)[], widths: number[]) => out("  " + cells.map((c, i) => String(c).padEnd(widths[i])).join("  "));

async function ghesCounts(): Promise<void> {
    out("GHES traffic per operation (real dynamic-provider host -> GHES simulator 3.14.2, local S3)");
    const standIns = await new StandIns({ simulator: { applyDurationMs: 300 } }).start();
    const host = await new DynamicProviderHost().start({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" });
    out(`  serialized provider (__provider, stored in state for every resource): ${host.provider.length} bytes`);
    const life = new Lifecycle(host, standIns);
    const widths = [46, 9, 9, 7, 5, 4];
    row(["operation", "API reqs", "SSH cmds", "writes", "runs", "S3"], widths);
    const show = (name: string, c: Counts) => row([name, c.requests, c.commands, c.writes, c.runs, c.s3], widths);
    try {
        show("create", (await life.create()).counts);
        const noop = await life.noChange();
        if (noop.value !== "none") throw new Error("no-op diff reported a change");
        show("no-op pulumi up (check + diff)", noop.counts);
        show("re-apply with identical values (create again)", (await life.create()).counts);
        show("secret-only change (key rotation)", (await life.rotate({ accessKeyId: "AKIABENCHROTATED0001", secretAccessKey: "bench-rotated-secret-00000/+111122223333" })).counts);
        show("refresh (read + diff)", (await life.refresh()).counts);
        show("delete (retain)", (await life.destroy()).counts);
    } finally {
        await host.stop();
        await standIns.stop();
    }
}

/** A Manage API whose run ends at `endsAt` on a virtual clock; counts status polls. */
async function pollRun(durationMs: number): Promise<{ latencyMs: number; polls: number }> {
    let now = 0;
    let polls = 0;
    const clock: Clock = { now: () => now, sleep: async (ms) => { now += ms; } };
    const fake = {
        applyStatus: async (runId?: string) => {
            if (runId) polls++;
            const running = runId !== undefined && now < durationMs;
            return { runId, running, successful: !running, nodes: [] };
        },
        startApply: async () => "bench-run",
        maintenance: async () => false,
        setMaintenance: async () => undefined,
        applyEvents: async () => [],
    } as unknown as ManageClient;
    await runConfiguration(fake, { timeoutMs: 3600_000, maintenanceMode: false }, { log: () => undefined, clock });
    return { latencyMs: now - durationMs, polls };
}

async function polling(): Promise<void> {
    out();
    out("Configuration-run polling (the provider's real poll loop on a virtual clock)");
    const widths = [16, 22, 12];
    row(["run length", "noticed after end", "status polls"], widths);
    for (const s of [5, 60, 300, 600, 1800]) {
        const r = await pollRun(s * 1000);
        row([`${s} s`, `${(r.latencyMs / 1000).toFixed(2)} s`, r.polls], widths);
    }
    let worst = 0;
    let total = 0;
    const samples = 600;
    for (let i = 1; i <= samples; i++) {
        const r = await pollRun(i * 1000);
        worst = Math.max(worst, r.latencyMs);
        total += r.latencyMs;
    }
    out(`  over runs of 1..600 s: mean ${(total / samples / 1000).toFixed(2)} s, worst ${(worst / 1000).toFixed(2)} s from run end to the provider noticing`);
}

function rawSet(i: number): pulumi.Output<string>[] {
    const name = `raw${i}`;
    const bucket = new Bucket(`${name}-bucket`, { bucketPrefix: `${name}-packages-`, forceDestroy: false }, { retainOnDelete: true });
    new BucketPublicAccessBlock(`${name}-pab`, { bucket: bucket.bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    new BucketOwnershipControls(`${name}-own`, { bucket: bucket.bucket, rule: { objectOwnership: "BucketOwnerEnforced" } });
    new BucketServerSideEncryptionConfiguration(`${name}-sse`, { bucket: bucket.bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] });
    const v = new BucketVersioning(`${name}-ver`, { bucket: bucket.bucket, versioningConfiguration: { status: "Enabled" } });
    new BucketLifecycleConfiguration(`${name}-lc`, { bucket: bucket.bucket, rules: [{ id: "abort", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } }] }, { dependsOn: [v] });
    const policy = bucket.arn.apply((bucketArn) => JSON.stringify(ghesBucketPolicy({ bucketArn })));
    new BucketPolicy(`${name}-pol`, { bucket: bucket.bucket, policy });
    const user = new User(`${name}-user`, { path: "/ghes/" });
    const up = new UserPolicy(`${name}-up`, { user: user.name, policy: bucket.arn.apply((bucketArn) => JSON.stringify(ghesIdentityPolicy({ bucketArn }))) });
    const key = new AccessKey(`${name}-key`, { user: user.name }, { dependsOn: [up] });
    return [bucket.bucket, key.secret, policy];
}

async function timeIt(fn: () => Promise<unknown>): Promise<number> {
    const t = process.hrtime.bigint();
    await fn();
    return Number(process.hrtime.bigint() - t) / 1e6;
}

async function construction(): Promise<void> {
    out();
    out("Constructing N components vs the same N sets of raw AWS resources (Pulumi mocks, best of 3, one run)");
    installMocks();
    let seq = 0;
    const component = async (n: number) => {
        const outs: Promise<unknown>[] = [];
        for (let i = 0; i < n; i++) {
            const s = new PackagesStorage(`c${seq++}`);
            outs.push(valueOf(s.secretAccessKey), valueOf(s.bucketPolicyJson));
        }
        await Promise.all(outs);
    };
    const raw = async (n: number) => {
        const outs: Promise<unknown>[] = [];
        for (let i = 0; i < n; i++) outs.push(...rawSet(seq++).map(valueOf));
        await Promise.all(outs);
    };
    await component(2); await raw(2); // warm-up: module loading and JIT
    const widths = [6, 14, 14, 8];
    row(["N", "component ms", "raw ms", "ratio"], widths);
    for (const n of [1, 10, 50]) {
        let c = Infinity;
        let r = Infinity;
        for (let k = 0; k < 3; k++) {
            r = Math.min(r, await timeIt(() => raw(n)));
            c = Math.min(c, await timeIt(() => component(n)));
        }
        row([n, c.toFixed(1), r.toFixed(1), (c / r).toFixed(2)], widths);
    }
    await pulumi.runtime.disconnect(); // drain the mock monitor's queue before exiting
}

async function storageCheckCost(): Promise<void> {
    out();
    out("Storage check against the local S3 (SigV4 verified, IAM policy enforced)");
    const h = await new StandIns().start();
    try {
        const durations: number[] = [];
        let requests = 0;
        for (let i = 0; i < 5; i++) {
            const t = process.hrtime.bigint();
            const r = await checkStorage({ serviceUrl: h.s3!.url, bucket: h.bucket, ...h.key, timeoutMs: 0 });
            durations.push(Number(process.hrtime.bigint() - t) / 1e6);
            requests = r.requests;
        }
        durations.sort((a, b) => a - b);
        out(`  ${requests} S3 requests per check; median ${durations[2].toFixed(0)} ms over 5 checks; ${(await h.s3!.objectKeys(h.bucket)).length} objects left behind`);
    } finally {
        await h.stop();
    }
}

async function main(): Promise<void> {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
    out("ghes-packages-s3 benchmark");
    out("==========================");
    await ghesCounts();
    await polling();
    await storageCheckCost();
    await construction();
}

main().then(() => process.exit(0), (err) => {
    process.stderr.write(`bench failed: ${(err as Error).stack}\n`);
    process.exit(1);
});
