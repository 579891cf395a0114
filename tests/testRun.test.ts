import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";

/*
 * The test run itself: `npm test` fails when fewer tests ran than the files define, whatever
 * the cause, and counts skipped tests as pending, never as run. Shown on fixture files
 * (tests/fixtures/testRun) run in two parallel workers with this suite's reporter and checks,
 * loaded as .mocharc.json loads them.
 */
function mocha(...extra: string[]) {
    const r = spawnSync(process.execPath, [require.resolve("mocha/bin/mocha.js"), "--no-config", "--parallel", "--jobs", "2",
        "--require", "sucrase/register/ts", "--require", "tests/support/runChecks.ts",
        "--reporter", "tests/support/countingReporter.ts", ...extra,
        "tests/fixtures/testRun/quick.spec.js", "tests/fixtures/testRun/slow.spec.js", "tests/fixtures/testRun/slower.spec.js"],
    // Not `npm test` for these runs: they need no packed package (tests/support/runChecks.ts packs under `npm test`).
    { encoding: "utf8", env: { ...process.env, npm_lifecycle_event: undefined } });
    return { status: r.status, out: r.stdout + r.stderr };
}

describe("the test run: every defined test runs, or the run fails", function () {
    this.timeout(60000);

    it("passes when every test ran, and lists skipped tests as pending", () => {
        const r = mocha();
        assert.equal(r.status, 0, r.out);
        assert.match(r.out, /test count: 12 defined, 11 ran, 1 pending \(quick q2 \(skipped\)\)/);
    });

    it("fails when a worker ends early (the watchdog this suite once had), naming how many never ran", () => {
        const r = mocha("--require", "tests/fixtures/testRun/watchdog.js");
        assert.match(r.out, /test count: 12 defined, \d+ ran, 1 pending/);
        assert.match(r.out, /FAILED: \d+ defined test\(s\) never ran/);
        assert.notEqual(r.status, 0);
    });
});
