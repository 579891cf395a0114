import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { LONGEST_FIRST, testFiles, testOrder } from "./testOrder";

describe("tests/support/testOrder: npm test starts its longest files first", () => {
    it("hands out every test file of npm test exactly once (none of tests/install), the longest first, then the others by name", () => {
        const order = testOrder();
        // What git knows (tracked, or new and not ignored): npm test's files as mocha's glob finds them.
        const known = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "--", "tests/*.test.ts", "tests/**/*.test.ts"], { encoding: "utf8" })
            .split("\n").filter((f) => f && !f.startsWith("tests/install/") && !f.split("/").some((p) => p.startsWith(".")));
        assert.deepEqual([...order].sort(), [...new Set(known)].sort());
        assert.deepEqual(testFiles(), [...new Set(known)].sort());
        assert.equal(new Set(order).size, order.length);
        assert.deepEqual(order.slice(0, LONGEST_FIRST.length), LONGEST_FIRST);
        const rest = order.slice(LONGEST_FIRST.length);
        assert.deepEqual(rest, [...rest].sort());
        assert.ok(order.includes("tests/support/testOrder.test.ts"));
        assert.ok(!order.some((f) => f.startsWith("tests/install/")));
    });

    it("names only files that exist (a renamed file would drop out of the order unnoticed)", () => {
        const files = testFiles();
        assert.deepEqual(LONGEST_FIRST.filter((f) => !files.includes(f)), []);
    });

    it("leaves out a listed file that a run does not have", () => {
        assert.deepEqual(testOrder(["tests/b.test.ts", "tests/scripts/demo.test.ts", "tests/a.test.ts"]), ["tests/scripts/demo.test.ts", "tests/b.test.ts", "tests/a.test.ts"]);
    });
});
