import * as Mocha from "mocha";
import { definedTests } from "./testCount";

const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING } = Mocha.Runner.constants;

/*
 * mocha's spec reporter, plus the check that every defined test ran: it compares the tests
 * that passed, failed or were pending with the independent count of tests/support/testCount.ts
 * and adds a failure (non-zero exit) when fewer ran. Pending tests are listed by title, never
 * counted as passed.
 */
class CountingReporter extends Mocha.reporters.Spec {
    private readonly ran = new Set<string>();
    private readonly pending = new Set<string>();

    constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
        super(runner, options);
        const id = (t: Mocha.Runnable) => `${t.file ?? ""} :: ${typeof t.fullTitle === "function" ? t.fullTitle() : t.title}`;
        runner.on(EVENT_TEST_PASS, (t) => this.ran.add(id(t)));
        // A failing hook is reported through the same event; only tests count as run.
        runner.on(EVENT_TEST_FAIL, (t) => { if (t.type === "test") this.ran.add(id(t)); });
        runner.on(EVENT_TEST_PENDING, (t) => this.pending.add(id(t)));
    }

    done(failures: number, fn?: (failures: number) => void): void {
        const finish = fn ?? (() => undefined);
        const counting = definedTests();
        if (!counting) return finish(failures);
        counting.then((defined) => {
            const ran = this.ran.size;
            const pending = [...this.pending].filter((t) => !this.ran.has(t));
            const accounted = ran + pending.length;
            const line = `  test count: ${defined.total} defined, ${ran} ran, ${pending.length} pending${pending.length ? ` (${pending.map((t) => t.split(" :: ")[1]).join("; ")})` : ""}`;
            if (accounted < defined.total) {
                process.stdout.write(`\n${line}\n  FAILED: ${defined.total - accounted} defined test(s) never ran (a worker ended early, or a hook cut a file short)\n\n`);
                return finish(failures + 1);
            }
            process.stdout.write(`${line}\n\n`);
            finish(failures);
        }, (err: Error) => {
            process.stdout.write(`\n  FAILED: ${err.message}\n\n`);
            finish(failures + 1);
        });
    }
}

export = CountingReporter;
