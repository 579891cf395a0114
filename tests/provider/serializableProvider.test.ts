import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DynamicProviderHost, serializedProvider } from "../../rehearsal/dynamicProviderHost";
import { Lifecycle } from "../../rehearsal/lifecycle";
import { StandIns } from "../../rehearsal/standIns";

/*
 * The serialized provider is stored in the state of every resource, and a stack is deployed
 * from wherever its program is checked out: a laptop today, a CI runner tomorrow. So the text
 * must name no path of the machine that wrote it, and a stack "moved" to another checkout
 * (the first one gone) must keep working. The package-name path is covered by the consumer
 * test; here the other path: a source checkout of this repository (no dist/, nothing
 * installed under the package's name), as the reference stack in Pulumi.yaml runs.
 */
const SOURCES = ["index.ts", "package.json", "tsconfig.json", "components", "policies", "provider", "ghes", "storage", "validation"];

/** A source checkout of this repository at a new path, sharing this checkout's node_modules. */
function checkoutAt(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    for (const entry of SOURCES) cpSync(entry, join(dir, entry), { recursive: true });
    symlinkSync(resolve("node_modules"), join(dir, "node_modules"), "dir");
    return dir;
}

const SERIALIZE = `const pulumi = require("@pulumi/pulumi");
const { ghesSettingsProvider } = require("./provider/serializableProvider");
pulumi.runtime.serializeFunction(() => ghesSettingsProvider, { allowSecrets: true }).then((r) => process.stdout.write(r.text));`;

describe("provider/serializableProvider: the text in state is machine-independent", function () {
    this.timeout(180000);

    it("names no absolute path: nothing of this checkout or machine is captured", async () => {
        const text = await serializedProvider();
        assert.ok(!text.includes(process.cwd()), "this checkout's path is not in the text");
        assert.deepEqual(text.match(/"\/[^"\n]*"/g) ?? [], [], "no absolute path string in the text");
        assert.ok(text.includes('"ghes-packages-s3/dist/provider/ghesSettingsProvider"'), "the package-name contract path is kept");
    });

    it("keeps working for a stack moved to another checkout: written in one, the first one deleted, run from the other", async () => {
        const first = checkoutAt("ghes-packages-checkout-a-");
        const second = checkoutAt("ghes-packages-checkout-b-");
        try {
            const text = execFileSync(process.execPath, ["-r", "sucrase/register/ts", "-e", SERIALIZE], { cwd: first, encoding: "utf8" });
            rmSync(first, { recursive: true, force: true });
            const standIns = await new StandIns({ simulator: { applyDurationMs: 0 } }).start(); // runs end at once: nothing here is about waiting
            const host = await new DynamicProviderHost({ cwd: second, provider: text }).start({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" });
            try {
                const life = new Lifecycle(host, standIns, { onDelete: "disable" });
                const created = await life.create();
                assert.deepEqual([created.counts.writes, created.counts.runs], [6, 1]);
                assert.equal((await life.noChange()).value, "none");
                await life.destroy();
                assert.equal(standIns.sim.config()["app.packages.enabled"], "false");
            } finally {
                await host.stop();
                await standIns.stop();
            }
        } finally {
            rmSync(first, { recursive: true, force: true });
            rmSync(second, { recursive: true, force: true });
        }
    });
});
