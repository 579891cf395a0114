import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { registered, settle } from "../rehearsal/pulumiMocks";

/** The config keys Pulumi.yaml declares, with their defaults (a small reader for this one file's shape). */
function declaredConfig(): Map<string, unknown> {
    const lines = readFileSync("Pulumi.yaml", "utf8").split("\n");
    const start = lines.indexOf("config:");
    const out = new Map<string, unknown>();
    let key = "";
    for (const line of lines.slice(start + 1)) {
        const k = /^ {2}(\w+):\s*$/.exec(line);
        if (k) { key = k[1]; out.set(key, undefined); continue; }
        const d = /^ {4}default:\s*(.*)$/.exec(line);
        if (d && key) out.set(key, JSON.parse(d[1].replace(/^retain$/, '"retain"')));
    }
    return out;
}

describe("stack: the reference stack behind Pulumi.yaml", () => {
    it("declares every config key stack/index.ts reads, each with a default", () => {
        const source = readFileSync("stack/index.ts", "utf8");
        const read = new Set([...source.matchAll(/(?:config\.\w+|optional)(?:<[^>]+>)?\("(\w+)"\)/g)].map((m) => m[1]));
        const declared = declaredConfig();
        assert.deepEqual([...read].sort(), [...declared.keys()].sort());
        for (const [k, v] of declared) assert.notEqual(v, undefined, `${k} has a default`);
    });

    it("runs with those defaults (the AWS side only) under Pulumi mocks", async () => {
        const config: Record<string, string> = {};
        for (const [k, v] of declaredConfig()) config[`ghes-packages:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
        pulumi.runtime.setAllConfig(config, ["ghes-packages:ghesPassword"]);
        const before = registered.length;
        require("../stack/index"); // eslint-disable-line @typescript-eslint/no-require-imports
        await settle();
        const types = registered.slice(before).map((r) => r.type);
        assert.ok(types.includes("ghes-packages-s3:index:PackagesStorage"));
        assert.ok(!types.some((t) => t.includes("GhesPackagesSettings")), "no appliance without ghesHostname");
    });
});
