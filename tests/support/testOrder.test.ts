import { strict as assert } from "node:assert";
import { LONGEST_FIRST, testFiles, testOrder } from "./testOrder";

describe("tests/support/testOrder: npm test starts its longest files first", () => {
    it("hands out every test file of npm test exactly once (none of tests/install), the longest first, then the others by name", () => {
        const order = testOrder();
        assert.deepEqual([...order].sort(), testFiles());
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
