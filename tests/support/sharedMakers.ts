import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

/** Runs `make` holding `lockDir`; waits for another holder (bounded), breaks a lock whose holder died. */
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
        const holder = Number(readFileSync(join(lockDir, "pid"), { encoding: "utf8", flag: "a+" }) || 0);
        if (holder && !pidAlive(holder)) {
            rmSync(lockDir, { recursive: true, force: true });
            continue;
        }
        if (Date.now() > deadline) throw new Error(`${lockDir} is still held by process ${holder} after ${waitMs / 60000} min`);
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
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
