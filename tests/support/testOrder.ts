import { readdirSync } from "node:fs";
import { join } from "node:path";

/*
 * The order in which `npm test` (scripts/test.sh) hands its files to mocha's workers: the files
 * that hold a worker longest start first, the rest follow by name (mocha hands files out in the
 * order given). By name alone the demo and the test-run tests (seconds of waiting on their
 * child processes) started last, when nothing else was left to fill the cores; longest first,
 * the workers end together on short files.
 * Wall seconds, measured in a quiet `npm test` (file's first hook to its last).
 */
export const LONGEST_FIRST = [
    "tests/consumer/packedPackage.test.ts", // 9.5-15 (waits for the packed package and its dependency tree)
    "tests/provider/crashSweep/createWithMaintenanceMode.test.ts", // 10
    "tests/provider/crashSweep/create.test.ts", // 7
    "tests/scripts/demo.test.ts", // 7
    "tests/provider/crashSweep/keyRotation.test.ts", // 7
    "tests/provider/safety.test.ts", // 6.6
    "tests/provider/crashSweep/deleteWithOnDeleteDisable.test.ts", // 6
    "tests/testRun.test.ts", // 4.3-5.3
    "tests/provider/ghesSettingsProvider.test.ts", // 4.7
    "tests/provider/dynamicProviderHost.test.ts", // 3.7
    "tests/provider/ecosystems.test.ts", // 3
    "tests/provider/crashSweep/restore.test.ts", // 3
    "tests/provider/undocumentedAnswers.test.ts", // 3
];

/** npm test's files (.mocharc.json leaves out tests/install, which test:install runs), by name. */
export function testFiles(dir = "tests"): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const path = join(dir, e.name);
        // Not tests/install (test:install runs it), nor a hidden folder (mocha's globs skip them).
        if (e.isDirectory()) return path === join("tests", "install") || e.name.startsWith(".") ? [] : testFiles(path);
        return e.name.endsWith(".test.ts") ? [path] : [];
    }).sort();
}

/** Every file once: LONGEST_FIRST (those that exist), then the others by name. */
export function testOrder(files = testFiles()): string[] {
    return [...LONGEST_FIRST.filter((f) => files.includes(f)), ...files.filter((f) => !LONGEST_FIRST.includes(f))];
}

if (require.main === module) console.log(testOrder().join("\n"));
