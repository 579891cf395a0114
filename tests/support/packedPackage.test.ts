import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { builtAlready } from "./packedPackage";

/*
 * The packed package is built once: `npm ci` builds dist/ (`prepare`), and the first pack of a
 * fresh checkout packs that build instead of building again, only while every output the build
 * writes is newer than every input it reads.
 */
describe("tests/support/packedPackage: packing reuses a build only while it is the build of the sources", () => {
    let dir: string;
    const files = {
        "tsconfig.json": JSON.stringify({ compilerOptions: { outDir: "dist", rootDir: ".", declaration: true }, files: ["index.ts"], include: ["ghes/**/*.ts"] }),
        "package.json": "{}", "index.ts": "export const a = 1;\n", "ghes/b.ts": "export const b = 2;\n",
        "policypack/PulumiPolicy.yaml": "runtime: nodejs\n", "policypack/package.json": "{}", "node_modules/typescript/package.json": "{}",
    };
    const outputs = ["dist/index.js", "dist/index.d.ts", "dist/ghes/b.js", "dist/ghes/b.d.ts", "dist/policypack/PulumiPolicy.yaml", "dist/policypack/package.json"];
    const write = (f: string, text: string, at: number) => {
        mkdirSync(dirname(join(dir, f)), { recursive: true });
        writeFileSync(join(dir, f), text);
        utimesSync(join(dir, f), at, at);
    };
    beforeEach(() => {
        dir = mkdtempSync(join(tmpdir(), "built-already-"));
        for (const [f, text] of Object.entries(files)) write(f, text, 1_000_000);
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("never built: build", () => assert.equal(builtAlready(dir), false));

    it("every output newer than every input: packed as it is", () => {
        for (const f of outputs) write(f, "", 2_000_000);
        assert.equal(builtAlready(dir), true);
    });

    for (const input of ["ghes/b.ts", "tsconfig.json", "package.json", "policypack/PulumiPolicy.yaml", "node_modules/typescript/package.json"]) {
        it(`${input} changed after the build: build`, () => {
            for (const f of outputs) write(f, "", 2_000_000);
            write(input, files[input as keyof typeof files], 3_000_000);
            assert.equal(builtAlready(dir), false);
        });
    }

    it("a source added since (its output missing), or one output gone: build", () => {
        for (const f of outputs) write(f, "", 2_000_000);
        write("ghes/c.ts", "export const c = 3;\n", 1_000_000);
        assert.equal(builtAlready(dir), false);
        rmSync(join(dir, "ghes/c.ts"));
        assert.equal(builtAlready(dir), true);
        rmSync(join(dir, "dist/ghes/b.d.ts"));
        assert.equal(builtAlready(dir), false);
    });
});
