import { strict as assert } from "node:assert";
import { backoffDelay, pollUntil, WaitTimeoutError } from "../../ghes/backoff";
import { Clock } from "../../ghes/clock";

/** A clock that only moves when slept on, recording each sleep. */
function steppedClock(): Clock & { slept: number[] } {
    let now = 1_000_000;
    const slept: number[] = [];
    return { slept, now: () => now, sleep: async (ms) => { slept.push(ms); now += ms; } };
}

describe("ghes/backoff: bounded exponential waits", () => {
    it("grows each delay by the factor, rounded, up to the cap", () => {
        const o = { initialMs: 500, factor: 1.5, maxMs: 10000 };
        assert.deepEqual([0, 1, 2, 3, 4, 8, 9, 30].map((n) => backoffDelay(n, o)), [500, 750, 1125, 1688, 2531, 10000, 10000, 10000]);
        assert.equal(backoffDelay(7, o), 8543);
    });

    it("polls until the probe answers, sleeping the schedule in between", async () => {
        const clock = steppedClock();
        const answers = [undefined, undefined, "ready"];
        let probes = 0;
        const r = await pollUntil(async () => answers[probes++], { initialMs: 300, factor: 2, maxMs: 5000, timeoutMs: 60000, describe: "x", clock });
        assert.equal(r, "ready");
        assert.equal(probes, 3);
        assert.deepEqual(clock.slept, [300, 600]);
    });

    it("accepts any answer but undefined (false and 0 are answers)", async () => {
        assert.equal(await pollUntil(async () => false, { initialMs: 1, factor: 2, maxMs: 1, timeoutMs: 10, describe: "x", clock: steppedClock() }), false);
        assert.equal(await pollUntil(async () => 0, { initialMs: 1, factor: 2, maxMs: 1, timeoutMs: 10, describe: "x", clock: steppedClock() }), 0);
    });

    it("never sleeps past the deadline, then fails naming what it waited for and how long", async () => {
        const clock = steppedClock();
        let probes = 0;
        await assert.rejects(pollUntil(async () => { probes++; return undefined; }, { initialMs: 300, factor: 2, maxMs: 5000, timeoutMs: 1000, describe: "configuration run r-1", clock }),
            (e: Error) => e instanceof WaitTimeoutError && e.name === "WaitTimeoutError" && e.awaited === "configuration run r-1" &&
                e.message === "timed out after 1 s waiting for configuration run r-1");
        assert.deepEqual(clock.slept, [300, 600, 100]);
        assert.equal(probes, 4, "one last look at the deadline");
    });

    it("with no time at all, looks once and fails", async () => {
        const clock = steppedClock();
        let probes = 0;
        await assert.rejects(pollUntil(async () => { probes++; return undefined; }, { initialMs: 300, factor: 2, maxMs: 5000, timeoutMs: 0, describe: "y", clock }), /timed out after 0 ms waiting for y/);
        assert.deepEqual([probes, clock.slept.length], [1, 0]);
    });
});
