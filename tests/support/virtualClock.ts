import { Clock } from "../../ghes/clock";

/** Real time plus a virtual offset: every sleep returns at once and moves the clock forward. */
export function virtualClock(): Clock {
    let offset = 0;
    return {
        now: () => Date.now() + offset,
        sleep: async (ms) => { offset += ms; await new Promise((r) => setImmediate(r)); },
    };
}
