import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { testOrder } from "../support/testOrder";

/*
 * The rule that picks what CI's Node 24 and peer-floor legs run (.ci/tests-reaching.mjs): a test
 * file runs on a leg when what it loads, or runs in a child process, reaches a module the leg
 * changes. Shown on a small tree of its own, then on this checkout's tests that prove the most
 * on the peer floor.
 */
const RULE = resolve(__dirname, "../../.ci/tests-reaching.mjs");
const PULUMI = "^@pulumi/(pulumi|aws|policy)(/|$)";
const FIXTURE_TESTS = ["tests/transitive.test.ts", "tests/runsDemo.test.ts", "tests/byName.test.ts", "tests/direct.test.ts", "tests/typeOnly.test.ts",
    "tests/pure.test.ts", "tests/runsOther.test.ts", "tests/resolved.test.ts"];

/** The rule run in `cwd` over `candidates` (npm test's files: tests/support/testOrder.ts lists them). */
function reaching(cwd: string, pattern: string, candidates: string[]) {
    const r = spawnSync(process.execPath, [RULE, pattern], { cwd, encoding: "utf8", input: candidates.join("\n") });
    return { status: r.status, files: r.stdout.split("\n").filter(Boolean), stderr: r.stderr };
}

describe(".ci/tests-reaching.mjs: which tests a CI leg runs", () => {
    let dir: string;
    const write = (file: string, text: string) => {
        mkdirSync(dirname(join(dir, file)), { recursive: true });
        writeFileSync(join(dir, file), text);
    };
    before(() => {
        dir = mkdtempSync(join(tmpdir(), "tests-reaching-"));
        write("package.json", JSON.stringify({ name: "ghes-packages-s3", scripts: { demo: "node --require sucrase/register/ts scripts/demo.ts", other: "echo" } }));
        write("index.ts", `export * from "./components/c";\n`);
        write("components/c.ts", `import * as pulumi from "@pulumi/pulumi";\nexport const c = pulumi;\n`);
        write("pure/p.ts", `export const p = 1;\n`);
        write("scripts/demo.ts", `import "../index";\n`);
        write("tests/direct.test.ts", `import { c } from "../components/c";\n`);
        write("tests/transitive.test.ts", `import "../index";\n`);
        write("tests/typeOnly.test.ts", `import type { c } from "../components/c";\nimport { p } from "../pure/p";\n`);
        write("tests/pure.test.ts", `import { p } from "../pure/p";\n`);
        write("tests/runsDemo.test.ts", `import { spawnSync } from "node:child_process";\nspawnSync("npm", ["run", "--silent", "demo"]);\n`);
        write("tests/runsOther.test.ts", `import { spawnSync } from "node:child_process";\nspawnSync("npm", ["run", "other"]);\n`);
        write("tests/byName.test.ts", `execFileSync(process.execPath, ["-e", "require('ghes-packages-s3/dist/components/c')"]);\n`);
        write("tests/resolved.test.ts", `readFileSync(require.resolve("@pulumi/aws/types/enums/index.d.ts"));\n`);
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("picks what imports the leg's modules directly or through this repository's files, in the order given; a type-only import does not count", () => {
        const r = reaching(dir, PULUMI, FIXTURE_TESTS);
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(r.files, ["tests/transitive.test.ts", "tests/runsDemo.test.ts", "tests/byName.test.ts", "tests/direct.test.ts", "tests/resolved.test.ts"]);
    });

    it("counts a Node module of the leg's runtime as reaching it", () => {
        assert.deepEqual(reaching(dir, "^(node:)?child_process$", FIXTURE_TESTS).files, ["tests/runsDemo.test.ts", "tests/runsOther.test.ts"]);
    });

    it("fails when no test reaches the pattern (a rule that selects nothing proves nothing)", () => {
        const r = reaching(dir, "^nothing-imports-this$", FIXTURE_TESTS);
        assert.notEqual(r.status, 0);
        assert.match(r.stderr, /no test reaches/);
    });

    it("on this checkout, the peer-floor leg runs the component, policy-pack, dynamic-provider host, consumer and demo tests", () => {
        const files = reaching(resolve(__dirname, "../.."), PULUMI, testOrder()).files;
        for (const f of ["tests/components/packagesStorage.test.ts", "tests/policypack/analyzerPlugin.test.ts", "tests/provider/dynamicProviderHost.test.ts",
            "tests/consumer/packedPackage.test.ts", "tests/scripts/demo.test.ts", "tests/packageImports.test.ts"]) assert.ok(files.includes(f), f);
        assert.ok(!files.includes("tests/ghes/shellQuote.test.ts"));
    });
});
