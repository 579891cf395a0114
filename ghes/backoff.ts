import { Clock, formatDuration, realClock } from "./clock";

export interface BackoffOptions {
    initialMs: number;
    factor: number;
    maxMs: number;
}

/** The n-th delay (0-based) of an exponential schedule, capped. */
export function backoffDelay(n: number, o: BackoffOptions): number {
    return Math.min(o.maxMs, Math.round(o.initialMs * Math.pow(o.factor, n)));
}

/** Thrown when a bounded wait ran out; names what was awaited. */
export class WaitTimeoutError extends Error {
    constructor(timeoutMs: number, readonly awaited: string) {
        super(`timed out after ${formatDuration(timeoutMs)} waiting for ${awaited}`);
        this.name = "WaitTimeoutError";
    }
}

/**
 * Polls `probe` until it returns a value other than undefined, with exponential backoff, and
 * fails once `timeoutMs` has passed. `describe` names what was awaited in the timeout error.
 */
export async function pollUntil<T>(
    probe: () => Promise<T | undefined>,
    opts: BackoffOptions & { timeoutMs: number; describe: string; clock?: Clock },
): Promise<T> {
    const clock = opts.clock ?? realClock;
    const deadline = clock.now() + opts.timeoutMs;
    for (let n = 0; ; n++) {
        const result = await probe();
        if (result !== undefined) return result;
        const remaining = deadline - clock.now();
        if (remaining <= 0) throw new WaitTimeoutError(opts.timeoutMs, opts.describe);
        await clock.sleep(Math.min(remaining, backoffDelay(n, opts)));
    }
}
