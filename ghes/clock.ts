/** Injectable clock so polling and retry schedules can be measured without waiting. */
export interface Clock {
    now(): number;
    sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** "250 ms", "12 s", "3 min": durations in messages. */
export function formatDuration(ms: number): string {
    if (ms < 1000) return `${Math.round(ms)} ms`;
    if (ms < 120000) return `${Math.round(ms / 1000)} s`;
    return `${Math.round(ms / 60000)} min`;
}
