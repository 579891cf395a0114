import { strict as assert } from "node:assert";
import { runsFile } from "./runChecks";

describe("tests/support/runChecks: what a run makes before its workers start", () => {
    it("makes what a test file needs when the run names that file or a glob, never for other files or option values", () => {
        const consumer = "tests/consumer/packedPackage.test.ts";
        assert.equal(runsFile(consumer, ["tests/ghes/shellQuote.test.ts", consumer, "--grep", "x"]), true, "npm test's ordered list, a CI leg's list");
        assert.equal(runsFile(consumer, [`./${consumer}`]), true);
        assert.equal(runsFile(consumer, ["tests/**/*.test.ts"]), true, "a glob may hold it");
        assert.equal(runsFile(consumer, ["tests/ghes/shellQuote.test.ts", "--grep", consumer.replace(".ts", "")]), false, "npm test -- FILE: only that file");
        assert.equal(runsFile(consumer, ["--file", "-x"]), false);
        assert.equal(runsFile(consumer, ["tests/ghes/shellQuote*.test.ts"]), false, "a glob that cannot hold it");
        assert.equal(runsFile(consumer, ["tests/consumer/*.test.ts"]), true);
        assert.equal(runsFile(consumer, ["tests/consumer"]), true, "its folder");
        assert.equal(runsFile(consumer, ["tests"]), true);
        assert.equal(runsFile(consumer, ["tests/con"]), false);
    });
});
