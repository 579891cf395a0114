#!/usr/bin/env node
// The rule that picks a CI leg's tests (.ci/run): of the test files given on stdin, prints those
// that reach, at run time, a module matching the pattern given (argument 1). Run from the
// checkout's root.
// Tested by tests/ci/testsReaching.test.ts.
import fs from "node:fs";
import path from "node:path";

const pattern = new RegExp(process.argv[2]);
const { scripts } = JSON.parse(fs.readFileSync("package.json", "utf8"));
const seen = new Map();
function reaches(file) {
    if (seen.has(file)) return seen.get(file);
    seen.set(file, false);
    let hit = false;
    // A type-only import (`import type ... from`) is erased before the code runs: it loads
    // nothing, so it does not make a test behave differently on the leg (the leg's type-check
    // covers the types).
    const code = fs.readFileSync(file, "utf8").replace(/^\s*(?:import|export)\s+type\s[^;]*;/gm, "");
    const follow = (base) => {
        const local = [`${base}.ts`, path.join(base, "index.ts"), base].find((p) => p.endsWith(".ts") && fs.existsSync(p));
        if (local) hit = reaches(local) || hit;
    };
    // Imports and requires, and what a test runs in a child process: a module it resolves, this
    // package by its name (the built package: the same sources), `npm run NAME` (the .ts files
    // NAME's command names).
    for (const [, spec] of code.matchAll(/(?:from\s+|\bimport\s+|require(?:\.resolve)?\(|import\()\s*["'`]([^"'`$]+)["'`]/g)) {
        const own = /^ghes-packages-s3(?:\/dist)?(?:\/(.*))?$/.exec(spec);
        if (own) follow(path.resolve(own[1] ?? "index"));
        else if (spec.startsWith(".")) follow(path.resolve(path.dirname(file), spec));
        else hit ||= pattern.test(spec);
    }
    for (const [, name] of code.matchAll(/["']run["'],\s*(?:["']-[\w-]+["'],\s*)*["']([\w:-]+)["']/g)) {
        for (const [ts] of (scripts[name] ?? "").matchAll(/[\w./-]+\.ts\b/g)) follow(path.resolve(ts));
    }
    seen.set(file, hit);
    return hit;
}
// The candidates: npm test's files, one per line on stdin (tests/support/testOrder.ts lists them,
// longest first; the order is kept, so a leg's workers start on its longest files too).
const candidates = fs.readFileSync(0, "utf8").split("\n").filter(Boolean);
const picked = candidates.filter((f) => reaches(path.resolve(f)));
if (!picked.length) throw new Error(`no test reaches ${pattern}`);
console.log(picked.join("\n"));
