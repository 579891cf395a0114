import { strict as assert } from "node:assert";
import { formatDuration, realClock } from "../../ghes/clock";

describe("ghes/clock: time as messages show it", () => {
    it("formats durations in the unit a reader expects, rounded", () => {
        const cases: [number, string][] = [
            [0, "0 ms"], [250, "250 ms"], [999.4, "999 ms"],
            [1000, "1 s"], [1499, "1 s"], [1500, "2 s"], [119_499, "119 s"],
            [120_000, "2 min"], [149_999, "2 min"], [150_000, "3 min"], [3_600_000, "60 min"],
        ];
        for (const [ms, text] of cases) assert.equal(formatDuration(ms), text, String(ms));
    });

    it("the real clock reads the system time and sleeps on a timer", async () => {
        const before = Date.now();
        const now = realClock.now();
        assert.ok(now >= before && now <= Date.now());
        const sleeping = realClock.sleep(1);
        assert.ok(sleeping instanceof Promise, "a promise that a timer resolves");
        assert.equal(await sleeping, undefined);
    });
});
