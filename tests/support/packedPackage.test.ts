import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { leftoverOutputs } from "./packedPackage";

/*
 * tsc never removes what it once compiled from a source that is gone; packing such a dist/
 * would ship it (tests/package.test.ts), so the packer builds it again from nothing.
 */
describe("tests/support/packedPackage: a dist/ holding the output of a removed source is built again", () => {
    let dir: string;
    const write = (f: string) => {
        mkdirSync(dirname(join(dir, f)), { recursive: true });
        writeFileSync(join(dir, f), "");
    };
    beforeEach(() => { dir = mkdtempSync(join(tmpdir(), "leftover-")); });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("names the compiled files whose source is gone, and nothing else", () => {
        for (const f of ["index.ts", "ghes/kept.ts", "dist/index.js", "dist/index.d.ts", "dist/ghes/kept.js", "dist/ghes/kept.d.ts",
            "dist/ghes/gone.js", "dist/ghes/gone.d.ts", "dist/policypack/PulumiPolicy.yaml", "dist/tsconfig.tsbuildinfo"]) write(f);
        assert.deepEqual(leftoverOutputs(join(dir, "dist")).map((f) => f.slice(dir.length + 1)).sort(), ["dist/ghes/gone.d.ts", "dist/ghes/gone.js"]);
    });

    it("no dist/ yet: nothing left over", () => assert.deepEqual(leftoverOutputs(join(dir, "dist")), []));
});
