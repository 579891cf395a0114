import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DynamicProviderHost } from "../../rehearsal/dynamicProviderHost";
import { Lifecycle } from "../../rehearsal/lifecycle";
import { StandIns } from "../../rehearsal/standIns";
import { compileConsumer } from "../support/consumerCompile";
import { installConsumer } from "../support/consumerInstall";
import { packedPackage } from "../support/packedPackage";
import { CONSUMER_PROGRAM, CONSUMER_TSCONFIG, RUN_UNDER_MOCKS, SERIALIZE_PROVIDER } from "./fixtures";

/*
 * The package as a new user meets it: packed with `npm pack`, installed from the tarball
 * into a fresh program next to its own @pulumi/pulumi and @pulumi/aws (the versions this
 * run's node_modules holds: the lockfile's, or the latest on the second CI leg), compiled
 * strictly, run under mocks, and its GHES resource driven through the dynamic-provider host
 * *from the consumer's node_modules*, as `pulumi up` would. It also pins the state contract:
 * the serialized provider a 0.1.0 stack stores must keep working with this version.
 * The dependencies come from a tree installed once per versions (tests/support/consumerInstall.ts);
 * the package itself is installed from the tarball by npm in every run.
 */
describe("consumer: the packed package installed into a fresh program", function () {
    this.timeout(600000);
    let dir = "";
    const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, npm_config_yes: "true" } });
    before(() => {
        dir = mkdtempSync(join(tmpdir(), "ghes-packages-consumer-"));
        installConsumer(dir, packedPackage().tarball);
        writeFileSync(join(dir, "index.ts"), CONSUMER_PROGRAM);
        writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(CONSUMER_TSCONFIG));
        writeFileSync(join(dir, "run.js"), RUN_UNDER_MOCKS);
        writeFileSync(join(dir, "serialize.js"), SERIALIZE_PROVIDER);
    });
    after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

    it("installs from the tarball: compiled JavaScript and types, no sources or tests", () => {
        const pkg = join(dir, "node_modules", "ghes-packages-s3");
        for (const f of ["dist/index.js", "dist/index.d.ts", "dist/provider/ghesSettingsProvider.js", "LICENSE", "CHANGELOG.md"]) assert.ok(existsSync(join(pkg, f)), f);
        for (const f of ["tests", "rehearsal", "index.ts", "dist/rehearsal"]) assert.ok(!existsSync(join(pkg, f)), f);
        assert.ok(!existsSync(join(pkg, "node_modules", "@pulumi")), "no second copy of @pulumi/* inside the package");
    });

    it("type-checks a strict consumer program", () => {
        const compiled = compileConsumer(dir);
        assert.deepEqual(compiled.problems, []);
        assert.ok(existsSync(join(dir, "out", "index.js")));
        // The same compile reports what a user's mistakes would make tsc report: a wrong type, an implicit any (strict).
        const wrong = CONSUMER_PROGRAM.replace('hostname: "ghes-consumer.example.com"', "hostname: 42") + "export const f = (x) => x;\n";
        assert.deepEqual(compiled.problemsWith("index.ts", wrong), [
            "index.ts: Type 'number' is not assignable to type 'Input<string>'.",
            "index.ts: Parameter 'x' implicitly has an 'any' type.",
        ]);
    });

    it("runs under the consumer's Pulumi mocks: the component, its GHES resource, secrets kept secret", () => {
        const out = JSON.parse(run(process.execPath, ["run.js"]).trim().split("\n").pop()!);
        assert.ok(out.types.includes("ghes-packages-s3:index:PackagesStorage"));
        assert.ok(out.types.includes("pulumi-nodejs:dynamic/ghes-packages-s3:GhesPackagesSettings"));
        assert.equal(out.secret, true);
        assert.equal(out.isComponent, true);
        assert.equal(out.hasSettings, true);
    });

    /** create, no-op, delete through a host spawned from the consumer, with `provider` as __provider. */
    async function lifecycle(provider: string): Promise<void> {
        const standIns = await new StandIns({ simulator: { applyDurationMs: 50 } }).start();
        const host = await new DynamicProviderHost({ pulumiDir: join(dir, "node_modules", "@pulumi", "pulumi"), cwd: dir, provider })
            .start({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" });
        try {
            const life = new Lifecycle(host, standIns, { onDelete: "disable" });
            const created = await life.create();
            assert.deepEqual([created.counts.writes, created.counts.runs], [6, 1]);
            const noop = await life.noChange();
            assert.deepEqual([noop.value, noop.counts.requests], ["none", 0]);
            await life.destroy();
            assert.equal(standIns.sim.config()["app.packages.enabled"], "false");
        } finally {
            await host.stop();
            await standIns.stop();
        }
    }

    it("drives the GHES resource through the consumer's own dynamic-provider host: create, no-op, delete", async () => {
        const provider = run(process.execPath, ["serialize.js"]);
        assert.ok(provider.includes('"ghes-packages-s3/dist/provider/ghesSettingsProvider"'), "resolves the implementation by package name");
        assert.ok(!provider.includes(resolve(".")), "nothing of this checkout is captured");
        await lifecycle(provider);
    });

    it("keeps the state contract: what a 0.1.0 stack stored as __provider still works (its old file path gone)", async () => {
        const stored = readFileSync("tests/fixtures/serialized-provider-0.1.0.txt", "utf8")
            .replace(/LOCAL_IMPL: "[^"]*"/, 'LOCAL_IMPL: "/nonexistent/ghes-packages-s3/dist/provider/ghesSettingsProvider.js"');
        await lifecycle(stored);
    });
});
