import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { testOrder } from "../support/testOrder";

/*
 * `npm test` itself (scripts/test.sh): mocha and the checks (`npm run checks`) side by side,
 * the run failing when either fails, and an interrupted run ending both with everything they
 * started. Shown with stand-ins for mocha and npm (first on PATH) that record what they were
 * given and start a long child, so the script's own behaviour is what is tested.
 */
const SCRIPT = resolve(__dirname, "../../scripts/test.sh");

describe("scripts/test.sh: npm test", function () {
    this.timeout(30000);
    let dir: string;
    beforeEach(() => { dir = mkdtempSync(join(tmpdir(), "test-sh-")); });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    /** Stand-ins: each writes its arguments and the pid of a child it starts, then exits with `rc` after that child (`sleep s`). */
    function standIns(mocha: { rc: number; s: number }, checks: { rc: number; s: number }) {
        const standIn = (name: string, { rc, s }: { rc: number; s: number }) => {
            writeFileSync(join(dir, name), `#!/bin/sh\nprintf '%s\\n' "$@" > "${dir}/${name}.args"\nsleep ${s} & echo $! > "${dir}/${name}.child"\nwait\nexit ${rc}\n`);
            chmodSync(join(dir, name), 0o755);
        };
        standIn("mocha", mocha);
        standIn("npm", checks);
        return { ...process.env, PATH: `${dir}:${process.env.PATH}` };
    }
    const run = (env: NodeJS.ProcessEnv, ...args: string[]) => spawnSync("bash", [SCRIPT, ...args], { encoding: "utf8", env });
    /** Running (a zombie waiting for its reaper counts as ended). */
    const alive = (pid: number) => { try { return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8")); } catch { return false; } };
    const pidIn = (file: string) => Number(readFileSync(join(dir, file), "utf8"));

    it("runs every test file, the longest first, and the checks beside them; passes when both pass", () => {
        const r = run(standIns({ rc: 0, s: 0 }, { rc: 0, s: 0 }));
        assert.equal(r.status, 0, r.stdout + r.stderr);
        assert.equal(readFileSync(join(dir, "mocha.args"), "utf8"), testOrder().map((f) => `${f}\n`).join(""));
        const args = readFileSync(join(dir, "mocha.args"), "utf8").split("\n").filter(Boolean);
        assert.equal(args[0], "tests/consumer/packedPackage.test.ts", "the longest first");
        assert.ok(args.length > 60 && args.includes("tests/ghes/shellQuote.test.ts") && new Set(args).size === args.length);
        assert.equal(readFileSync(join(dir, "npm.args"), "utf8"), "run\n-s\nchecks\n");
        assert.match(r.stdout, /type-check and lint \(npm run checks\): passed/);
    });

    it("given test files (npm test -- FILE), runs those files only; options go to mocha as they are", () => {
        run(standIns({ rc: 0, s: 0 }, { rc: 0, s: 0 }), "tests/ghes/shellQuote.test.ts", "--grep", "quotes");
        assert.equal(readFileSync(join(dir, "mocha.args"), "utf8"), "tests/ghes/shellQuote.test.ts\n--grep\nquotes\n");
        run(standIns({ rc: 0, s: 0 }, { rc: 0, s: 0 }), "--grep", "quotes");
        assert.equal(readFileSync(join(dir, "mocha.args"), "utf8"), `${testOrder().join("\n")}\n--grep\nquotes\n`);
        // An option's value is no test file, even where it names one that exists.
        for (const option of [["--grep", "provider"], ["-g", "tests"], ["--reporter", "tests/support/countingReporter.ts"], ["--require", "tests/support/mochaSetup.ts"]]) {
            run(standIns({ rc: 0, s: 0 }, { rc: 0, s: 0 }), ...option);
            assert.equal(readFileSync(join(dir, "mocha.args"), "utf8"), `${testOrder().join("\n")}\n${option.join("\n")}\n`, option.join(" "));
        }
        run(standIns({ rc: 0, s: 0 }, { rc: 0, s: 0 }), "tests/provider", "--grep=x");
        assert.equal(readFileSync(join(dir, "mocha.args"), "utf8"), "tests/provider\n--grep=x\n", "a folder (mocha goes into its subfolders: .mocharc.json recursive)");
    });

    it("fails with the tests' status when tests fail, and with the checks' status (their output shown) when only they fail", () => {
        assert.equal(run(standIns({ rc: 3, s: 0 }, { rc: 0, s: 0 })).status, 3);
        const r = run(standIns({ rc: 0, s: 0 }, { rc: 2, s: 0 }));
        assert.equal(r.status, 2);
        assert.match(r.stdout, /FAILED: the type-check or lint \(npm run checks\) exited 2/);
    });

    for (const signal of ["SIGTERM", "SIGINT"] as const) it(`ended by ${signal}, ends mocha, the checks and what they started, and exits non-zero`, async () => {
        const env = standIns({ rc: 0, s: 60 }, { rc: 0, s: 60 });
        const child = spawn("bash", [SCRIPT], { env, stdio: "ignore" });
        const exited = new Promise<number | null>((done) => child.on("exit", (code, sig) => done(code ?? (sig ? 128 : null))));
        // Both stand-ins under way, each with its child.
        for (let i = 0; i < 200 && !(existsSync(join(dir, "mocha.child")) && existsSync(join(dir, "npm.child"))); i++) await new Promise((r) => setTimeout(r, 25));
        const started = [pidIn("mocha.child"), pidIn("npm.child")];
        assert.ok(started.every(alive));
        child.kill(signal);
        let timer: NodeJS.Timeout | undefined;
        const code = await Promise.race([exited, new Promise<string>((r) => { timer = setTimeout(() => r("still running 10 s after the signal"), 10000); })]);
        clearTimeout(timer);
        // The script has ended; what it killed may take a moment to go.
        for (let i = 0; i < 100 && started.some(alive); i++) await new Promise((r) => setTimeout(r, 50));
        const left = started.filter(alive);
        for (const pid of left) process.kill(pid, "SIGKILL");
        assert.equal(code, signal === "SIGTERM" ? 143 : 130);
        assert.deepEqual(left, [], "nothing the run started is left");
    });
});
