import { Clock } from "../../ghes/clock";

/**
 * Virtual time: starts at the real time of its creation and moves only when someone sleeps on
 * it, by exactly what they slept. Real time passing (a loaded machine) never ends a simulated
 * run or a wait early, so what a test sees does not depend on the machine's speed.
 */
export function virtualClock(): Clock {
    let now = Date.now();
    return {
        now: () => now,
        sleep: async (ms) => { now += Math.max(0, ms); await new Promise((r) => setImmediate(r)); },
    };
}
