import { AdminShell, CommandResult } from "./adminShell";
import { Clock, formatDuration, realClock } from "./clock";
import { GhesOperationError } from "./errors";
import { printable } from "./printable";
import { shellQuote } from "./shellQuote";

/*
 * A lock on the appliance itself, so two stacks (or two resources) configuring one appliance
 * never interleave: one holds it from reading the settings until the configuration run it
 * started has been verified. `mkdir` is atomic, so the lock is a directory in the admin
 * user's home holding the holder's id and the appliance's clock at acquisition. A holder
 * killed mid-way leaves it behind; it is broken once older than the stale bound.
 */
const LOCK_DIR = `"$HOME/.ghes-packages-s3.lock"`;

export interface LockOptions {
    /** Who holds it, for the other writer's message (no secret: runner host, process, random). */
    holder: string;
    /** Longest wait for another holder to finish. */
    waitMs: number;
    /**
     * This holder's own stale bound, written into the lock: another writer breaks the lock only
     * once it is older than what its holder declared (holders may have longer runs than it).
     */
    staleMs: number;
    /** Whether a holder is known to be gone (e.g. a process of this machine that no longer runs). */
    holderIsGone?: (holder: string) => boolean;
    clock?: Clock;
    log: (message: string) => void;
}

function acquireScript(holder: string, staleSeconds: number): string {
    return `d=${LOCK_DIR}; if mkdir "$d" 2>/dev/null; then printf '%s %s %s\\n' ${shellQuote(holder)} "$(date +%s)" ${staleSeconds} > "$d/holder"; echo acquired; exit 0; fi; ` +
        `h=; t=; s=; [ -f "$d/holder" ] && read -r h t s < "$d/holder"; now=$(date +%s); echo "held $h $(( now - \${t:-$now} )) \${s:-0}"; exit 3`;
}

/**
 * A shell condition, true while `holder` holds the lock: writes that are only valid under the
 * lock (the operation journal) run behind it. The stored holder is only compared, never evaluated.
 */
export function lockHeldBy(holder: string): string {
    return `{ h=; [ -f ${LOCK_DIR}/holder ] && read -r h t < ${LOCK_DIR}/holder; [ "$h" = ${shellQuote(holder)} ]; }`;
}

/** Removes the lock only if `holder` still holds it (compare and delete). */
function releaseScript(holder: string): string {
    return `if ${lockHeldBy(holder)}; then rm -rf ${LOCK_DIR}; fi; exit 0`;
}

/** Takes the appliance lock, waiting (with a bound) for another holder; breaks a stale one. */
export async function acquireApplianceLock(shell: AdminShell, o: LockOptions): Promise<void> {
    const clock = o.clock ?? realClock;
    const started = clock.now();
    let announced = false;
    for (;;) {
        const r = await shell.exec(acquireScript(o.holder, Math.ceil(o.staleMs / 1000)));
        if (r.code === 0) return;
        const m = /^held (\S*) (-?\d+) (\d+)/m.exec(r.stdout);
        if (r.code !== 3 || !m) throw new GhesOperationError(`could not take the configuration lock on the appliance (exit status ${r.code}): ${r.stderr.trim().slice(0, 200)}`);
        const [, other, age, declared] = m;
        if (other === o.holder) return; // ours, from before a reconnect
        // A lock without a declared bound (written by hand, or torn) falls back to ours.
        const staleAfterMs = Number(declared) > 0 ? Number(declared) * 1000 : o.staleMs;
        if (other && (Number(age) * 1000 > staleAfterMs || o.holderIsGone?.(other))) {
            o.log(`breaking a stale configuration lock held by ${printable(other)} for ${formatDuration(Number(age) * 1000)} (an interrupted operation)`);
            await shell.exec(releaseScript(other));
            continue;
        }
        if (clock.now() - started >= o.waitMs) {
            throw new GhesOperationError(`another operation (${printable(other) || "starting"}) is configuring this appliance and still holds its configuration lock after ${formatDuration(o.waitMs)}. ` +
                `Two writers on one appliance would mix their settings; nothing was written. Run pulumi up again when the other one has finished.`);
        }
        if (!announced) o.log(`another operation (${printable(other) || "starting"}) is configuring this appliance; waiting for it to finish`);
        announced = true;
        await clock.sleep(Math.min(2000, Math.max(1, o.waitMs - (clock.now() - started))));
    }
}

/**
 * Releases the lock if `holder` holds it; `thenRun` (a shell snippet) runs first in the same
 * command, and only while `holder` still holds the lock. Resolves with the command's result.
 */
export async function releaseApplianceLock(shell: AdminShell, holder: string, thenRun?: string): Promise<CommandResult> {
    return shell.exec(thenRun ? `if ${lockHeldBy(holder)}; then ${thenRun}; fi; ${releaseScript(holder)}` : releaseScript(holder));
}
