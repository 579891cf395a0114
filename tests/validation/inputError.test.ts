import { strict as assert } from "node:assert";
import { InputError } from "../../validation/inputError";

describe("validation/inputError: one error naming every bad argument", () => {
    it("lists each problem on its own line under the component's name", () => {
        const e = new InputError("PackagesStorage", ["bucket.name: too long", "ghes.hostname: is required"]);
        assert.equal(e.message, "PackagesStorage: invalid arguments:\n  - bucket.name: too long\n  - ghes.hostname: is required");
        assert.deepEqual([e.name, e instanceof Error], ["InputError", true]);
    });
});
