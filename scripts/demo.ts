/*
 * The offline rehearsal (`npm run demo`): what one PackagesStorage creates, then the real
 * provider code run through the real Pulumi dynamic-provider host against local stand-ins
 * (a GHES simulator and an S3 server that verifies signatures and enforces the generated
 * IAM policy): create -> no-op update -> key rotation -> refresh -> delete.
 * Exits non-zero if any step fails. Loopback only; everything it starts, it stops.
 */
import { PackagesStorageArgs } from "../index";
import { KEYS } from "../provider/settings";
import { DynamicProviderHost } from "../tests/support/dynamicProviderHost";
import { GhesSimulator } from "../tests/support/ghesSimulator";
import { LocalS3 } from "../tests/support/localS3";
import { describePlan, planComponent } from "./resourcePlan";

/** The embedded default: a production-like configuration of one instance. */
const SAMPLE_NAME = "ghes-prod";
const SAMPLE_ARGS: PackagesStorageArgs = {
    bucket: {
        kmsKeyArn: "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        allowedSourceCidrs: ["203.0.113.0/24", "198.51.100.0/24"],
        accessLogging: { targetBucket: "acme-s3-access-logs" },
    },
    identity: { permissionsBoundaryArn: "arn:aws:iam::123456789012:policy/platform-boundary" },
    keyRotation: "2026-11",
    ghes: { hostname: "ghes.example.com", onDelete: "disable" },
};

const out = (line = "") => process.stdout.write(line + "\n");
const heading = (text: string) => { out(); out(text); out("-".repeat(text.length)); };

interface Counters { requests: number; writes: number; runs: number; s3: number }

async function main(): Promise<void> {
    const started = Date.now();
    out("GitHub Enterprise Server Packages on S3: offline rehearsal");
    out("==========================================================");

    heading(`1. What \`new PackagesStorage("${SAMPLE_NAME}", ...)\` creates (Pulumi mocks, nothing leaves this machine)`);
    const plan = await planComponent(SAMPLE_NAME, SAMPLE_ARGS);
    for (const line of describePlan(plan)) out(line);
    out();
    out("  Identity policy of the GHES key (exactly the seven documented S3 actions + the KMS pair):");
    for (const line of plan.identityPolicyJson.split("\n")) out(`    ${line}`);
    out();
    out("  Bucket policy (deny-only: non-TLS, TLS < 1.2, data access from outside the allow list):");
    for (const line of (plan.bucketPolicyJson ?? "").split("\n")) out(`    ${line}`);

    heading("2. Local stand-ins (loopback only)");
    const sim = await new GhesSimulator({ version: "3.14.2", applyDurationMs: 1500 }).start();
    const s3 = await new LocalS3([plan.bucketName]).start();
    const identityPolicy = JSON.parse(plan.identityPolicyJson);
    s3.addKey({ accessKeyId: plan.accessKeyId, secretAccessKey: plan.secretAccessKey, policy: identityPolicy });
    out(`  GHES simulator ${sim.version}: Manage API https://127.0.0.1:${sim.managePort}, admin shell ssh://admin@127.0.0.1:${sim.sshPort}`);
    out(`  S3 stand-in ${s3.url}: bucket ${plan.bucketName}; SigV4 verified; every request authorized by the identity policy above`);

    const host = new DynamicProviderHost();
    // The SDK's notice about Node 20 support is for the operator's machine, not this rehearsal.
    await host.start({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" }, (line) => { if (line.trim()) out(`      | ${line}`); });
    out(`  Pulumi dynamic-provider host started; serialized provider: ${host.provider.length} bytes, no secret in it`);

    const counters = (): Counters => ({ requests: sim.requests.length, writes: sim.writes(), runs: sim.clientRuns().length, s3: s3.requests.length });
    const delta = (a: Counters, b: Counters) => `${b.requests - a.requests} Manage API requests, ${b.writes - a.writes} ghe-config writes, ${b.runs - a.runs} configuration runs, ${b.s3 - a.s3} S3 requests`;
    const raw = (key: { accessKeyId: string; secretAccessKey: string }) => ({
        hostname: "127.0.0.1",
        managementPort: sim.managePort,
        sshPort: sim.sshPort,
        caBundle: sim.caBundle,
        managementPassword: sim.password,
        serviceUrl: s3.url,
        bucket: plan.bucketName,
        accessKeyId: key.accessKeyId,
        secretAccessKey: key.secretAccessKey,
        onDelete: "disable",
        storageCheckTimeoutSeconds: 10,
    });
    let failed = false;
    const step = async (title: string, fn: () => Promise<string>) => {
        heading(title);
        const before = counters();
        const t = Date.now();
        try {
            const summary = await fn();
            out(`  OK (${((Date.now() - t) / 1000).toFixed(1)} s): ${summary}`);
            out(`     ${delta(before, counters())}`);
        } catch (err) {
            failed = true;
            out(`  FAILED: ${(err as Error).message}`);
            throw err;
        }
    };

    try {
        const key1 = { accessKeyId: plan.accessKeyId, secretAccessKey: plan.secretAccessKey };
        let id = "";
        let state: Record<string, unknown> = {};
        await step("3. pulumi up (create): storage check -> write settings -> configuration run", async () => {
            const checked = await host.check({}, raw(key1));
            if (checked.failures.length) throw new Error(checked.failures.map((f) => f.reason).join("; "));
            const r = await host.create(checked.inputs);
            id = r.id;
            state = r.outs;
            const received = Object.entries(sim.config()).map(([k, v]) => `${k}=${k === KEYS.secretAccessKey ? "****" : v}`);
            out(`  GHES now holds: ${received.join(", ")}`);
            return `configuration run ${state.applyRunId} succeeded; host key ${state.hostKeyFingerprint} recorded and pinned`;
        });

        await step("4. pulumi up again (no change): check + diff only", async () => {
            const checked = await host.check(state, raw(key1));
            const d = await host.diff(id, state, checked.inputs);
            if (d.changes !== "none") throw new Error(`expected no change, diff said ${d.changes}`);
            return "diff reports no change, so the engine calls nothing else";
        });

        await step("5. key rotation (keyRotation changed): new key -> storage check -> GHES updated -> old key deleted", async () => {
            const key2 = { accessKeyId: "AKIAROTATEDREHEARSAL", secretAccessKey: "rehearsal-rotated-secret-0000/+1111222233334444" };
            s3.addKey({ ...key2, policy: identityPolicy }); // the new IAM access key, same policy
            const checked = await host.check(state, raw(key2));
            const d = await host.diff(id, state, checked.inputs);
            state = await host.update(id, state, checked.inputs);
            s3.keys.delete(key1.accessKeyId); // the engine deletes the replaced key only after this update
            const applied = sim.appliedConfig() ?? {};
            if (applied[KEYS.accessKeyId] !== key2.accessKeyId) throw new Error("GHES does not run with the new key");
            return `diff: ${d.changes}; keys written: ${(state.writtenKeys as string[]).join(", ")}; run ${state.applyRunId}; GHES runs with the new key before the old one is deleted`;
        });

        await step("6. pulumi refresh: read the settings back over the admin shell", async () => {
            const r = await host.read(id, state);
            const checked = await host.check(state, raw({ accessKeyId: String(state.accessKeyId), secretAccessKey: String(state.secretAccessKey) }));
            const d = await host.diff(id, r.props, checked.inputs);
            return `GHES matches the stack (diff after refresh: ${d.changes}); the secret was compared, not printed`;
        });

        await step('7. pulumi destroy (onDelete: "disable"): Packages switched off, configuration applied', async () => {
            await host.delete(id, state);
            return `app.packages.enabled=${sim.config()[KEYS.enabled]}; storage settings kept for a later re-enable; the bucket is retained by default`;
        });
    } finally {
        await host.stop();
        await s3.stop();
        await sim.stop();
    }
    heading("Result");
    out(`  ${failed ? "FAILED" : "All steps passed"} in ${((Date.now() - started) / 1000).toFixed(1)} s. Everything started was stopped.`);
}

main().then(() => process.exit(0), (err) => {
    process.stderr.write(`rehearsal failed: ${(err as Error).message}\n`);
    process.exit(1);
});
