import { strict as assert } from "node:assert";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { BuiltPack, buildPolicyPack } from "../../rehearsal/policyPackBuild";
import { PolicyPackHost, SnapshotResource } from "../../rehearsal/policyPackHost";
import { daysAgo, handWrittenStack, packagesStack } from "../../rehearsal/stackSnapshots";

/*
 * The pack as the Pulumi CLI loads it for `pulumi preview --policy-pack DIR`: compiled as the
 * package ships it, started through @pulumi/pulumi's run-policy-pack in its folder, spoken to
 * over gRPC (GetAnalyzerInfo, Configure, Analyze, AnalyzeStack). No CLI; 127.0.0.1 only; every
 * process is stopped in after().
 */

const POLICIES: [string, string, string[]][] = [
    ["ghes-settings-tls-verification", "mandatory", ["allowedStacks"]],
    ["ghes-settings-host-key-pinned", "mandatory", ["trustOnFirstUseStacks"]],
    ["ghes-settings-apply-timeout", "mandatory", ["maxSeconds", "minSeconds"]],
    ["ghes-settings-one-per-appliance", "mandatory", []],
    ["packages-bucket-public-access-blocked", "mandatory", []],
    ["packages-bucket-acls-disabled", "mandatory", []],
    ["packages-bucket-encrypted", "mandatory", ["requireKms"]],
    ["packages-bucket-tls-only", "mandatory", []],
    ["packages-bucket-policy-no-allow", "mandatory", []],
    ["packages-bucket-not-actions-storage", "mandatory", ["actionsBucketNames", "actionsBucketTags"]],
    ["packages-identity-least-privilege", "mandatory", []],
    ["packages-identity-in-stack", "mandatory", []],
    ["packages-access-key-age", "advisory", ["maxAgeDays"]],
];

const settingsOf = (rs: SnapshotResource[], props: Record<string, unknown>) => {
    const s = rs.find((r) => r.type.startsWith("pulumi-nodejs:dynamic/"))!;
    return { ...s, props: { ...s.props, ...props } };
};

describe("policy pack: loaded as the analyzer plugin `pulumi preview --policy-pack` starts", function () {
    this.timeout(180000);
    let pack: BuiltPack | undefined;
    const hosts: PolicyPackHost[] = [];
    const start = async (stack: string) => {
        const h = new PolicyPackHost(pack!.dir, { stack, project: "guardrails" });
        hosts.push(h);
        return h.start();
    };
    // One unconfigured pack for stack prod, shared by the tests that do not configure it (the CLI, too, starts a pack once per preview).
    let unconfigured: Promise<PolicyPackHost> | undefined;
    const prod = () => (unconfigured ??= start("prod"));
    /** The shared one, handed to a test that configures it: a later test gets a fresh, unconfigured one. */
    const takeProd = () => {
        const h = prod();
        unconfigured = undefined;
        return h;
    };
    before(() => { pack = buildPolicyPack(); });
    after(async () => {
        await Promise.all(hosts.map((h) => h.stop()));
        pack?.remove();
    });

    it("ships what the CLI needs in the pack's folder: PulumiPolicy.yaml (runtime nodejs), package.json with the version, the entry point", () => {
        assert.match(readFileSync(join(pack!.dir, "PulumiPolicy.yaml"), "utf8"), /^runtime: nodejs$/m);
        const manifest = JSON.parse(readFileSync(join(pack!.dir, "package.json"), "utf8"));
        assert.equal(manifest.version, JSON.parse(readFileSync("package.json", "utf8")).version, "the pack's version is the package's (PolicyPack reads it from here)");
        assert.ok(existsSync(join(pack!.dir, manifest.main)));
    });

    it("answers GetAnalyzerInfo with its name, version and every policy with its level and config keys", async () => {
        const info = await (await prod()).info();
        assert.equal(info.name, "ghes-packages-s3");
        assert.equal(info.version, JSON.parse(readFileSync("package.json", "utf8")).version);
        assert.equal(info.supportsConfig, true);
        assert.deepEqual(info.policies.map((p) => [p.name, p.level, p.configKeys.sort()]), POLICIES);
    });

    it("analyzes a stack snapshot: the package's setup passes; a hand-written public, over-privileged one is named rule by rule", async () => {
        const host = await prod();
        assert.deepEqual(await host.analyzeStack(packagesStack()), []);
        const bad = handWrittenStack((s) => {
            s.publicAccessBlock.props.blockPublicPolicy = false;
            s.userPolicy.props.policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] });
            s.accessKey.props.createDate = daysAgo(200);
        });
        const ds = await host.analyzeStack(bad);
        assert.deepEqual(ds.map((d) => [d.policy, d.level]).sort(), [
            ["packages-access-key-age", "advisory"],
            ["packages-bucket-public-access-blocked", "mandatory"],
            ["packages-identity-least-privilege", "mandatory"],
        ]);
        assert.ok(ds.every((d) => d.pack === "ghes-packages-s3" && d.urn?.startsWith("urn:pulumi:test::guardrails::")));
        assert.match(ds.find((d) => d.policy === "packages-bucket-public-access-blocked")!.message, /aws:s3\/bucket:Bucket "hand-bucket" .*blockPublicPolicy not true/);
    });

    it("analyzes a resource before its step: TLS verification off stops the GHES settings", async () => {
        const host = await prod();
        const ds = await host.analyze(settingsOf(packagesStack(), { dangerouslySkipTlsVerification: true }));
        assert.deepEqual(ds.map((d) => [d.policy, d.level]), [["ghes-settings-tls-verification", "mandatory"]]);
        assert.match(ds[0].message, /in stack guardrails\/prod/);
    });

    it("loads as the README publishes it: a wrapper folder whose index.js requires ghes-packages-s3/policypack, under the wrapper's version", async () => {
        // The built output laid out as the installed package: its package.json (name, exports) beside dist/.
        const installed = dirname(dirname(pack!.dir));
        copyFileSync("package.json", join(installed, "package.json"));
        const wrapper = mkdtempSync(join(tmpdir(), "ghes-guardrails-"));
        try {
            copyFileSync(join(pack!.dir, "PulumiPolicy.yaml"), join(wrapper, "PulumiPolicy.yaml"));
            writeFileSync(join(wrapper, "index.js"), 'require("ghes-packages-s3/policypack");\n');
            writeFileSync(join(wrapper, "package.json"), JSON.stringify({ name: "ghes-guardrails", version: "7.1.0", main: "index.js" }));
            mkdirSync(join(wrapper, "node_modules"));
            symlinkSync(installed, join(wrapper, "node_modules", "ghes-packages-s3"), "dir");
            symlinkSync(resolve("node_modules", "@pulumi"), join(wrapper, "node_modules", "@pulumi"), "dir");
            const host = new PolicyPackHost(wrapper, { stack: "prod", project: "guardrails" });
            hosts.push(host);
            const info = await (await host.start()).info();
            assert.deepEqual([info.name, info.version], ["ghes-packages-s3", "7.1.0"]);
            assert.deepEqual(info.policies.map((p) => p.name), POLICIES.map(([name]) => name));
            await host.stop();
        } finally {
            rmSync(wrapper, { recursive: true, force: true });
        }
    });

    it("follows its configuration: lab stacks may skip TLS and trust on first use, limits and levels change, Actions buckets are recognised", async () => {
        const config = {
            "ghes-settings-tls-verification": { allowedStacks: ["lab"] },
            "ghes-settings-host-key-pinned": { trustOnFirstUseStacks: ["guardrails/lab"] },
            "ghes-settings-apply-timeout": { maxSeconds: 900 },
            "packages-bucket-encrypted": { requireKms: true },
            "packages-bucket-not-actions-storage": { actionsBucketNames: ["ghes-prod-packages-*"] },
            "packages-access-key-age": { enforcementLevel: "mandatory" as const, maxAgeDays: 30 },
            "packages-bucket-tls-only": "disabled" as const,
        };
        const labSettings = settingsOf(packagesStack(), { dangerouslySkipTlsVerification: true, sshHostKeyFingerprint: undefined, sshHostKeyTrustOnFirstUse: true, applyTimeoutSeconds: 600 });
        delete labSettings.props.sshHostKeyFingerprint;

        const lab = await start("lab");
        await lab.configure(config);
        assert.deepEqual(await lab.analyze(labSettings), [], "the lab stack is listed for both opt-outs");

        const configured = await takeProd();
        await configured.configure(config);
        assert.deepEqual((await configured.analyze(labSettings)).map((d) => d.policy).sort(), ["ghes-settings-host-key-pinned", "ghes-settings-tls-verification"]);
        assert.deepEqual((await configured.analyze(settingsOf(packagesStack(), { applyTimeoutSeconds: 1800 }))).map((d) => d.message.split("\n")[1]),
            ["GhesPackagesSettings \"ghes-prod-settings\": applyTimeoutSeconds is 1800, outside 300-900: too short fails configuration runs that would succeed, too long holds the appliance's lock and hides a stuck run. Fix: set applyTimeoutSeconds between 300 and 900."]);

        const ds = await configured.analyzeStack(packagesStack((s) => {
            s.accessKey.props.createDate = daysAgo(45);
            delete s.bucketPolicy.props.policy;
        }));
        assert.deepEqual(ds.map((d) => [d.policy, d.level]).sort(), [
            ["packages-access-key-age", "mandatory"],
            ["packages-bucket-encrypted", "mandatory"],
            ["packages-bucket-not-actions-storage", "mandatory"],
        ], "tls-only is disabled; the key limit is 30 days and mandatory");
        assert.match(ds.find((d) => d.policy === "packages-bucket-not-actions-storage")!.message, /it is a GitHub Actions storage bucket \(name matches "ghes-prod-packages-\*"\)/);
        assert.match(ds.find((d) => d.policy === "packages-bucket-encrypted")!.message, /default encryption is AES256 and this organisation requires SSE-KMS/);
    });
});
