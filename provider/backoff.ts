/** Injectable clock so polling and retry schedules can be measured without waiting. */
export interface Clock {
    now(): number;
    sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface BackoffOptions {
    initialMs: number;
    factor: number;
    maxMs: number;
}

/** The n-th delay (0-based) of an exponential schedule, capped. */
export function backoffDelay(n: number, o: BackoffOptions): number {
    return Math.min(o.maxMs, Math.round(o.initialMs * Math.pow(o.factor, n)));
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
        if (remaining <= 0) throw new Error(`timed out after ${formatDuration(opts.timeoutMs)} waiting for ${opts.describe}`);
        await clock.sleep(Math.min(remaining, backoffDelay(n, opts)));
    }
}

/** "250 ms", "12 s", "3 min": durations in messages. */
export function formatDuration(ms: number): string {
    if (ms < 1000) return `${Math.round(ms)} ms`;
    if (ms < 120000) return `${Math.round(ms / 1000)} s`;
    return `${Math.round(ms / 60000)} min`;
}
