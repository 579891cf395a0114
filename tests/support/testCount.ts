import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/*
 * How many tests this run defines, counted independently of the run itself: the same mocha
 * command line again, as `--dry-run` in a separate process (loads the files, runs no hook and
 * no test). The reporter (tests/support/countingReporter.ts) fails a run that executed fewer;
 * a worker that dies, a hook that ends a file early or a file never handed out all show up
 * as a difference here, although mocha itself would exit 0.
 */
export interface DefinedTests {
    total: number;
    pending: number;
}

/** Set in the counting child so it does not count (or pack) again. */
export const COUNTING_CHILD = "GHES_PACKAGES_TEST_COUNTING";

let counting: Promise<DefinedTests> | undefined;

/** Whether this process is a mocha run whose tests should be counted. */
export function shouldCount(argv = process.argv): boolean {
    return !process.env[COUNTING_CHILD] && !argv.includes("--dry-run") && !argv.includes("--list-files");
}

/** Starts the dry run (once); `definedTests()` awaits it. */
export function startCounting(): void {
    if (counting || !shouldCount()) return;
    counting = new Promise<DefinedTests>((resolve, reject) => {
        const dir = mkdtempSync(join(tmpdir(), "ghes-packages-count-"));
        const out = join(dir, "tests.json");
        const child = spawn(process.execPath, [...process.execArgv, process.argv[1], ...process.argv.slice(2),
            "--dry-run", "--no-parallel", "--reporter", "json", "--reporter-option", `output=${out}`], {
            env: { ...process.env, [COUNTING_CHILD]: "1" }, stdio: ["ignore", "ignore", "pipe"],
        });
        let stderr = "";
        child.stderr.on("data", (d: Buffer) => { stderr += d.toString("utf8"); });
        child.on("error", reject);
        child.on("close", (code) => {
            try {
                if (code !== 0) throw new Error(`counting the defined tests (mocha --dry-run) failed with exit status ${code}: ${stderr.trim().slice(-2000)}`);
                const { stats } = JSON.parse(readFileSync(out, "utf8"));
                resolve({ total: stats.tests, pending: stats.pending });
            } catch (err) {
                reject(err);
            } finally {
                rmSync(dir, { recursive: true, force: true });
            }
        });
    });
    // Awaited by the reporter; never an unhandled rejection if the run ends before.
    counting.catch(() => undefined);
}

/** The count of the dry run started by `startCounting`, or undefined if this run is not counted. */
export function definedTests(): Promise<DefinedTests> | undefined {
    return counting;
}
