import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/*
 * What several test files share and one of them makes (the packed package, the consumer's
 * dependency tree): a lock directory keeps concurrent makers apart (parallel workers, the
 * background maker the global setup starts, another run in the same checkout). A maker that
 * died leaves its lock behind; the next one breaks it, since the pid inside is gone.
 */

function pidAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

/** How long a lock may hold no pid before its maker counts as dead: it writes its pid right after taking the lock. */
const PID_GRACE_MS = 10_000;

/** `read()`, or undefined when what it reads is gone (a lock is removed by its holder at any moment). */
function unlessGone<T>(read: () => T): T | undefined {
    try {
        return read();
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw err;
    }
}

/** How long ago `path` was made or last changed; undefined when it is gone. */
const ageMs = (path: string) => unlessGone(() => Date.now() - statSync(path).mtimeMs);

/** The pid in a lock; undefined while there is none (just taken, or being removed). Never creates anything in the lock. */
const holderOf = (lockDir: string) => unlessGone(() => Number(readFileSync(join(lockDir, "pid"), "utf8")) || undefined);

/** Whether a lock is stale: its holder is gone, or it has held no pid for longer than writing one takes. Undefined: the lock is gone. */
function stale(lockDir: string, holder: number | undefined): boolean | undefined {
    if (holder !== undefined) return !pidAlive(holder);
    const age = ageMs(lockDir);
    return age === undefined ? undefined : age > PID_GRACE_MS;
}

/**
 * Removes a lock judged stale while it held `judged` (a pid, or none) if it still holds that and
 * is still stale; false when it did not (another waiter is breaking it, or has broken and taken
 * it since). Two waiters can judge the same lock stale: the second must not remove the lock the
 * first took meanwhile, so the judgment is made again under a breaker lock (`<lock>.break`,
 * held for microseconds; one left by a waiter that died breaking is itself broken by age).
 */
export function breakStaleLock(lockDir: string, judged: number | undefined): boolean {
    const breaker = `${lockDir}.break`;
    try {
        mkdirSync(breaker);
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
        if ((ageMs(breaker) ?? 0) > PID_GRACE_MS) rmSync(breaker, { recursive: true, force: true });
        return false;
    }
    try {
        if (holderOf(lockDir) !== judged || !stale(lockDir, judged)) return false;
        rmSync(lockDir, { recursive: true, force: true });
        return true;
    } finally {
        rmSync(breaker, { recursive: true, force: true });
    }
}

/**
 * Runs `make` holding `lockDir`; waits for another holder (bounded), breaks a lock whose holder
 * died. A waiter only reads the lock: it must stay removable by its holder at any moment.
 */
export function withDirLock<T>(lockDir: string, make: () => T, waitMs = 300_000): T {
    const deadline = Date.now() + waitMs;
    for (;;) {
        try {
            mkdirSync(lockDir);
            writeFileSync(join(lockDir, "pid"), String(process.pid));
            break;
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
        }
        const holder = holderOf(lockDir);
        const isStale = stale(lockDir, holder);
        if (isStale === undefined) continue; // released meanwhile: take it
        if (isStale && breakStaleLock(lockDir, holder)) continue;
        if (Date.now() > deadline) {
            throw new Error(`${lockDir} is still held by ${holder ? `process ${holder}` : "a process that has not written its pid yet"} after ${waitMs / 60000} min`);
        }
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
    try {
        return make();
    } finally {
        rmSync(lockDir, { recursive: true, force: true });
    }
}

/**
 * Calls `exportName` of `modulePath` in a child process, for a run that will need what it makes:
 * the maker takes its lock at once and works while other test files run; those that need it
 * wait for the lock. Its output goes to this run's stderr.
 */
export function makeInBackground(modulePath: string, exportName: string): void {
    const child = spawn(process.execPath, ["-r", "sucrase/register/ts", "-e", `require(${JSON.stringify(modulePath)}).${exportName}()`], { stdio: ["ignore", "ignore", "inherit"] });
    child.unref();
}
