import { resolve, sep } from "node:path";
import { startInstallingConsumerDependencies } from "./consumerInstall";
import { startPacking } from "./packedPackage";
import { shouldCount, startCounting } from "./testCount";

/*
 * What makes a test run trustworthy, whatever it runs: nothing left open, every defined test
 * run (tests/support/countingReporter.ts), the package packed once before the workers start.
 */

/** What keeps the event loop alive now, by kind ("TCPServerWrap", "Timeout", "ProcessWrap", ...). */
const openResources = (): string[] => process.getActiveResourcesInfo().filter((r) => r !== "TTYWrap");

/** `now` minus `before`, counting each kind as often as it occurs. */
function added(before: string[], now: string[]): string[] {
    const left = [...before];
    return now.filter((r) => {
        const i = left.indexOf(r);
        if (i < 0) return true;
        left.splice(i, 1);
        return false;
    });
}

let openBefore: string[] = [];

/*
 * Every test server must stop by itself. Root hooks run around each file (in a parallel worker)
 * or around the whole run (serially): whatever a file opened and left open a few seconds after
 * its last test fails that file's "after all" hook, naming the kinds. It never ends a process,
 * so it cannot cut another file short.
 */
export const mochaHooks = {
    async beforeAll(): Promise<void> {
        // Taken once mocha's timer for this hook runs, so that timer is on both lists.
        await new Promise((r) => setImmediate(r));
        openBefore = openResources();
    },
    async afterAll(this: Mocha.Context): Promise<void> {
        await new Promise((r) => setImmediate(r)); // as in beforeAll: mocha's timer for this hook is on both lists
        const deadline = Date.now() + 5000;
        let left = added(openBefore, openResources());
        while (left.length && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 25));
            left = added(openBefore, openResources());
        }
        if (!left.length) return;
        const files = [...new Set(this.test?.parent?.suites.map((s) => s.file) ?? [])].join(", ");
        throw new Error(`${files || "the tests"} left these open (every test server must stop by itself): ${left.join(", ")}`);
    },
};

/*
 * Before any worker starts (main process; mocha does not run these in workers): start counting
 * the defined tests, and, when the run has the files that need them, start making the packed
 * package the package and consumer tests share (tests/support/packedPackage.ts) and the
 * consumer's dependency tree (tests/support/consumerInstall.ts), each in a process of its own
 * that holds its lock, so the other files run meanwhile; the tests that need them wait for the
 * lock. `npm test`, a CI leg and a single file run alike.
 */
export function mochaGlobalSetup(): void {
    if (!shouldCount()) return;
    startCounting();
    if (runsFile(CONSUMER_TEST) || runsFile("tests/package.test.ts")) startPacking();
    if (runsFile(CONSUMER_TEST)) startInstallingConsumerDependencies();
}

const CONSUMER_TEST = "tests/consumer/packedPackage.test.ts";

/** Whether this mocha run's arguments name `file`: the file, a folder holding it, or a glob matching it. */
export function runsFile(file: string, argv = process.argv.slice(2)): boolean {
    const target = resolve(file);
    return argv.some((a) => {
        if (a.startsWith("-")) return false;
        if (/[*?]/.test(a)) return globPattern(resolve(a)).test(target);
        return target === resolve(a) || target.startsWith(`${resolve(a)}${sep}`);
    });
}

/** A glob (`*`, `**`, `?`) as a pattern over whole paths. */
function globPattern(glob: string): RegExp {
    const source = glob.split(/(\*\*\/|\*\*|\*|\?)/).map((part) => ({ "**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]" })[part]
        ?? part.replace(/[.+^${}()|[\]\\]/g, "\\$&")).join("");
    return new RegExp(`^${source}$`);
}

/*
 * After the last test of the run (main process): if something still keeps this process alive
 * (a serial run whose server never stopped), say what and fail instead of hanging until CI's
 * time limit. The timer is unref'd: it fires only if the process would otherwise not exit.
 */
export function mochaGlobalTeardown(): void {
    setTimeout(() => {
        process.stderr.write(`test run finished but these are still open: ${openResources().join(", ")}\n`);
        process.exit(1);
    }, 10000).unref();
}
