/*
 * The offline rehearsal (`npm run demo`): what one PackagesStorage creates, then the real
 * provider code run through the real Pulumi dynamic-provider host (called over gRPC exactly as
 * the engine calls it during `pulumi up`; no Pulumi CLI runs) against local stand-ins
 * (a GHES simulator and an S3 server that verifies signatures and enforces the generated
 * IAM policy): create -> no-op update -> key rotation -> refresh -> delete. Then the org-wide
 * policy pack, started as `pulumi preview --policy-pack` starts it, judges two setups.
 * Exits non-zero if any step fails. Loopback only; everything it starts, it stops.
 */
import { PackagesStorageArgs } from "../index";
import { randomBytes } from "node:crypto";
import { KEYS } from "../ghes/gheConfigKeys";
import { DynamicProviderHost } from "../rehearsal/dynamicProviderHost";
import { Lifecycle } from "../rehearsal/lifecycle";
import { buildPolicyPack } from "../rehearsal/policyPackBuild";
import { Diagnostic, PolicyPackHost } from "../rehearsal/policyPackHost";
import { describePlan, planComponent } from "../rehearsal/resourcePlan";
import { Counts, StandIns } from "../rehearsal/standIns";
import { daysAgo, handWrittenStack, packagesStack } from "../rehearsal/stackSnapshots";

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
    ghes: { hostname: "ghes.example.com", sshHostKeyFingerprint: "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s", onDelete: "disable" },
};

const out = (line = "") => process.stdout.write(line + "\n");
const heading = (text: string) => { out(); out(text); out("-".repeat(text.length)); };

async function main(): Promise<void> {
    const started = Date.now();
    out("GitHub Enterprise Server Packages on S3: offline rehearsal");
    out("==========================================================");

    heading(`1. What \`new PackagesStorage("${SAMPLE_NAME}", ...)\` creates (Pulumi mocks, nothing leaves this machine)`);
    const plan = await planComponent(SAMPLE_NAME, SAMPLE_ARGS);
    out("  Values in <angle brackets> are known only after deployment (generated names, key id, secret, GHES outputs).");
    out();
    for (const line of describePlan(plan)) out(line);
    out();
    out("  Identity policy of the GHES key (exactly the seven documented S3 actions + the KMS pair):");
    for (const line of plan.identityPolicyJson.split("\n")) out(`    ${line}`);
    out();
    out("  Bucket policy (deny-only: non-TLS, TLS < 1.2, data access from outside the allow list):");
    for (const line of (plan.bucketPolicyJson ?? "").split("\n")) out(`    ${line}`);

    heading("2. Local stand-ins (loopback only)");
    // What AWS would generate, made up for the rehearsal: a bucket name and a fresh key pair. The
    // key's policy is the plan's identity policy above, for this bucket.
    const bucket = `${SAMPLE_NAME}-packages-rehearsal`;
    const key = { accessKeyId: `AKIA${randomBytes(8).toString("hex").toUpperCase()}`, secretAccessKey: randomBytes(30).toString("base64") };
    const standIns = await new StandIns({
        // A run still in progress at the provider's first status poll, so the rehearsal shows it waiting
        // for one; short, so each run costs one poll interval (ghes/configurationRun.ts RUN_POLL).
        simulator: { version: "3.14.2", applyDurationMs: 300 },
        bucket,
        key,
        policy: JSON.parse(plan.identityPolicyJson.split(plan.bucketName).join(bucket)),
    }).start();
    const { sim, s3 } = standIns;
    out(`  GHES simulator ${sim.version}: Manage API https://127.0.0.1:${sim.managePort}, admin shell ssh://admin@127.0.0.1:${sim.sshPort}`);
    out(`  S3 stand-in ${s3!.url}: bucket ${bucket}; SigV4 verified; every request authorized by the identity policy above`);
    out(`  The GHES resource's host key is given as verified out of band (sshHostKeyFingerprint), as the README asks.`);

    const host = new DynamicProviderHost();
    // The SDK's notice about Node 20 support is for the operator's machine, not this rehearsal.
    await host.start({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" }, (line) => { if (line.trim()) out(`      | ${line}`); });
    out(`  Pulumi dynamic-provider host started; serialized provider: ${host.provider.length} bytes, no secret in it`);
    const life = new Lifecycle(host, standIns, { onDelete: "disable", storageCheckTimeoutSeconds: 10 });

    let failed = false;
    const step = async (title: string, fn: () => Promise<{ summary: string; counts: Counts }>) => {
        heading(title);
        const t = Date.now();
        try {
            const { summary, counts } = await fn();
            out(`  OK (${((Date.now() - t) / 1000).toFixed(1)} s): ${summary}`);
            out(`     ${counts.requests} Manage API requests, ${counts.writes} ghe-config writes, ${counts.runs} configuration runs, ${counts.s3} S3 requests`);
        } catch (err) {
            failed = true;
            out(`  FAILED: ${(err as Error).message}`);
            throw err;
        }
    };

    try {
        const firstKey = life.key;
        await step("3. create, as `pulumi up` calls it (check + create): storage check -> write settings -> configuration run", async () => {
            const { value: state, counts } = await life.create();
            const received = Object.entries(sim.config()).map(([k, v]) => `${k}=${k === KEYS.secretAccessKey ? "****" : v}`);
            out(`  GHES now holds: ${received.join(", ")}`);
            return { summary: `configuration run ${state.applyRunId} succeeded; host key ${state.hostKeyFingerprint} recorded and pinned`, counts };
        });

        await step("4. the same program again, as `pulumi up` calls it (check + diff): no change", async () => {
            const { value: changes, counts } = await life.noChange();
            if (changes !== "none") throw new Error(`expected no change, diff said ${changes}`);
            return { summary: "diff reports no change, so the engine calls nothing else", counts };
        });

        await step("5. key rotation (check + diff + update with a new key; then the old key is deleted, as the engine does last)", async () => {
            const { value, counts } = await life.rotate({ accessKeyId: "AKIAROTATEDREHEARSAL", secretAccessKey: "rehearsal-rotated-secret-0000/+1111222233334444" });
            s3!.keys.delete(firstKey.accessKeyId); // the engine deletes the replaced key only after this update
            if ((sim.appliedConfig() ?? {})[KEYS.accessKeyId] !== life.key.accessKeyId) throw new Error("GHES does not run with the new key");
            return { summary: `diff: ${value.diff}; keys written: ${(value.outs.writtenKeys as string[]).join(", ")}; run ${value.outs.applyRunId}; GHES runs with the new key before the old one is deleted`, counts };
        });

        await step("6. ecosystem change (ghes.ecosystems: Docker read-only, Container registry enabled), as `pulumi up` calls it (check + diff + update)", async () => {
            const { value, counts } = await life.change({ ecosystems: { docker: "readonly", container: "enabled" } });
            return { summary: `diff: ${value.diff}; keys written: ${(value.outs.writtenKeys as string[]).join(", ")}; run ${value.outs.applyRunId}; the Container registry is served already (nobody configured it: GHES's rule says enabled), so only Docker is written`, counts };
        });

        await step("7. refresh, as `pulumi refresh` calls it (read): the settings read back over the admin shell", async () => {
            const { value, counts } = await life.refresh();
            return { summary: `GHES matches the stack (diff after refresh: ${value.diff}); the secret was compared, not printed`, counts };
        });

        await step('8. delete, as `pulumi destroy` calls it (onDelete: "disable"): Packages switched off, configuration applied', async () => {
            const { counts } = await life.destroy();
            return { summary: `app.packages.enabled=${sim.config()[KEYS.enabled]}; storage settings kept for a later re-enable; the bucket is retained by default`, counts };
        });
    } finally {
        await host.stop();
        await standIns.stop();
    }

    heading("9. org-wide guardrails: the policy pack, started as `pulumi preview --policy-pack node_modules/ghes-packages-s3/dist/policypack` starts it");
    await guardrails().catch((err) => { failed = true; out(`  FAILED: ${(err as Error).message}`); throw err; });

    heading("Result");
    out(`  ${failed ? "FAILED" : "All steps passed"} in ${((Date.now() - started) / 1000).toFixed(1)} s. Everything started was stopped.`);
}

/** The policy pack judges the setup PackagesStorage builds, and a public, over-privileged one written by hand. */
async function guardrails(): Promise<void> {
    const pack = buildPolicyPack();
    const policyHost = new PolicyPackHost(pack.dir, { stack: "prod", project: "ghes-packages" });
    try {
        await policyHost.start();
        const info = await policyHost.info();
        out(`  ${info.name} ${info.version}: ${info.policies.length} policies (${info.policies.filter((p) => p.level === "mandatory").length} mandatory, ${info.policies.filter((p) => p.level === "advisory").length} advisory by default)`);
        const show = (ds: Diagnostic[]) => { for (const d of ds) out(`    [${d.level}] ${d.policy}: ${d.message.split("\n").slice(1).join(" ")}`); };

        const good = await policyHost.analyzeStack(packagesStack());
        out(`  The stack PackagesStorage builds (bucket, its protections, user, key, GHES settings): ${good.length} violations`);
        if (good.length) { show(good); throw new Error("the package's own setup violates its policy pack"); }

        const bad = handWrittenStack((s) => {
            s.publicAccessBlock.props.blockPublicPolicy = false;
            s.userPolicy.props.policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] });
            s.accessKey.props.createDate = daysAgo(400);
            s.settings.props = { ...s.settings.props, dangerouslySkipTlsVerification: true, sshHostKeyFingerprint: undefined, sshHostKeyTrustOnFirstUse: true };
            delete s.settings.props.sshHostKeyFingerprint;
        });
        const settings = bad.find((r) => r.name === "hand-settings")!;
        const before = await policyHost.analyze(settings);
        out(`  Hand-written GHES settings, checked before the provider would write anything (TLS off, trust on first use in prod): ${before.length} violations`);
        show(before);
        const after = await policyHost.analyzeStack(bad);
        out(`  The same setup written by hand with raw @pulumi/aws (a public-policy bucket, s3:* on *, a 400-day-old key): ${after.length} violations`);
        show(after);
        const expected = ["ghes-settings-host-key-pinned", "ghes-settings-tls-verification", "packages-access-key-age", "packages-bucket-public-access-blocked", "packages-identity-least-privilege"];
        const seen = [...before, ...after].map((d) => d.policy).sort();
        if (JSON.stringify(seen) !== JSON.stringify(expected)) throw new Error(`expected violations of ${expected.join(", ")}; got ${seen.join(", ")}`);
    } finally {
        await policyHost.stop();
        pack.remove();
    }
}

main().then(() => process.exit(0), (err) => {
    process.stderr.write(`rehearsal failed: ${(err as Error).message}\n`);
    process.exit(1);
});
