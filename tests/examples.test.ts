import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

/*
 * The examples are programs a reader runs: each has its own Pulumi.yaml and a strict
 * tsconfig.json (type-checked with the rest by `npm run typecheck`), and what `npm install`
 * leaves in them (node_modules, a lockfile of the freshly packed tarball, compiled output)
 * never shows up as untracked files.
 */
for (const example of ["examples/minimal", "examples/org-wide"]) {
    describe(`${example}: a runnable program`, () => {
        it("has a strict tsconfig.json and a Pulumi.yaml", () => {
            assert.equal(JSON.parse(readFileSync(join(example, "tsconfig.json"), "utf8")).compilerOptions.strict, true);
            assert.match(readFileSync(join(example, "Pulumi.yaml"), "utf8"), /^name: ghes-packages-/m);
        });

        it("ignores what npm install and the compiler leave behind", () => {
            const paths = ["package-lock.json", "node_modules/x", "bin/index.js"].map((p) => join(example, p));
            const ignored = execFileSync("git", ["check-ignore", ...paths], { encoding: "utf8" }).trim().split("\n");
            assert.deepEqual(ignored, paths);
        });
    });
}
