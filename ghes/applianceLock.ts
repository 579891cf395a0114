import { AdminShell } from "./adminShell";
import { Clock, formatDuration, realClock } from "./clock";
import { GhesOperationError } from "./errors";
import { describeHolder, isDeadProcessOfThisMachine } from "./holderIdentity";
import { excerpt } from "./redaction";
import { shellQuote } from "./shellQuote";

/*
 * A lock on the appliance itself, so two stacks (or two resources) configuring one appliance
 * never interleave: one holds it from reading the settings until the configuration run it
 * started has been verified. `mkdir` is atomic, so the lock is a directory in the admin
 * user's home; its `holder` file holds one line `HOLDER ACQUIRED STALE`: who (a token, see
 * ghes/holderIdentity.ts), the appliance's clock at acquisition (epoch seconds) and the bound
 * after which the holder itself would call it stale (seconds).
 *
 * It cannot wedge: the holder line is written beside the lock and moved in whole, and a
 * failed write removes the lock again; a lock whose line is missing, torn or garbage (a
 * killed writer, an older version, a hand-made one) is aged by its directory's mtime
 * (`stat -c %Y`: GNU coreutils, which the appliance has: github/backup-utils runs
 * `stat -c %U` there over the admin shell). Stored values never reach shell evaluation: the
 * line travels back as hex and is parsed strictly here; all arithmetic happens here.
 */
const LOCK_NAME = ".ghes-packages-s3.lock";
const LOCK_DIR = `"$HOME/${LOCK_NAME}"`;
/** The holder line is written here first, then moved into the lock (one rename: never half a line). */
const HOLDER_TMP = `"$HOME/${LOCK_NAME}.holder"`;
/** At most this much of a holder file is read (a real line is < 200 bytes). */
const MAX_LINE = 512;
/** A declared bound beyond the longest allowed configuration run plus margin is garbage. */
const MAX_DECLARED_S = 6 * 3600 + 3600;
/** A holder timestamp further ahead of the appliance's clock than this is not believed. */
const CLOCK_SLACK_S = 300;

export interface LockOptions {
    /** Who holds it: one token of [A-Za-z0-9._:,=@+/-] (ghes/holderIdentity.ts formatHolder). */
    holder: string;
    /** Longest wait for another holder to finish. */
    waitMs: number;
    /**
     * This holder's own stale bound, written into the lock: another writer breaks the lock only
     * once it is older than what its holder declared (holders may have longer runs than it).
     */
    staleMs: number;
    /** Whether a holder is known to be gone. Default: a dead process of this machine (ghes/holderIdentity.ts). */
    holderIsGone?: (holder: string) => boolean;
    /** How a person reaches the admin shell: for the command that breaks the lock by hand. */
    ssh: { hostname: string; port: number };
    clock?: Clock;
    log: (message: string) => void;
}

/** What the appliance showed of a lock held by someone (parsed strictly; nothing here is trusted). */
export interface LockSighting {
    /** The appliance's clock, epoch seconds. */
    now: number;
    /** The lock directory's mtime, epoch seconds. */
    dirTime: number;
    /** The holder file's content (at most MAX_LINE bytes), undefined when there is none. */
    content?: string;
    /** Hex of the content as read, for compare-and-delete. */
    contentHex: string;
}

/** A holder line `HOLDER ACQUIRED [STALE]`, strictly. */
export function parseHolderLine(content: string | undefined): { holder: string; acquired: number; declaredS?: number } | undefined {
    const m = /^([A-Za-z0-9._:,=@+/-]{1,256}) (\d{1,12})(?: (\d{1,9}))?\n?$/.exec(content ?? "");
    if (!m) return undefined;
    return { holder: m[1], acquired: Number(m[2]), declaredS: m[3] === undefined ? undefined : Number(m[3]) };
}

export type LockVerdict =
    | { kind: "ours" }
    | { kind: "break"; why: string; sighting: LockSighting }
    | { kind: "wait"; who: string; sinceS: number; ageMs: number; staleAfterMs: number; bound: string };

/** What to do about a lock someone holds. Pure: every number comes from the appliance's clock. */
export function judgeLock(s: LockSighting, o: { holder: string; staleMs: number; holderIsGone: (holder: string) => boolean }): LockVerdict {
    const line = parseHolderLine(s.content);
    if (line?.holder === o.holder) return { kind: "ours" };
    // A timestamp from the future is as unusable as none: age by the directory instead.
    const usable = line !== undefined && line.acquired <= s.now + CLOCK_SLACK_S;
    const who = usable ? describeHolder(line.holder) : "unknown holder: the lock has no usable holder line";
    const sinceS = usable ? line.acquired : s.dirTime;
    const ageMs = Math.max(0, s.now - sinceS) * 1000;
    const declared = usable && line.declaredS !== undefined && line.declaredS > 0 ? Math.min(line.declaredS, MAX_DECLARED_S) * 1000 : undefined;
    const staleAfterMs = declared ?? o.staleMs;
    const bound = declared !== undefined ? `the ${formatDuration(declared)} its holder declared` : `this operation's bound of ${formatDuration(o.staleMs)}`;
    if (usable && o.holderIsGone(line.holder)) {
        return { kind: "break", why: `breaking the configuration lock of ${who}: that process no longer runs on this machine`, sighting: s };
    }
    if (ageMs > staleAfterMs) {
        const held = usable ? `held by ${who}` : `(${who}; aged by its directory's time)`;
        return { kind: "break", why: `breaking a stale configuration lock ${held} for ${formatDuration(ageMs)}, longer than ${bound} (an interrupted operation)`, sighting: s };
    }
    return { kind: "wait", who, sinceS, ageMs, staleAfterMs, bound };
}

/** The holder file as hex (a regular file only: a FIFO would block the read). */
const HEX_OF_HOLDER = `{ [ -f "$d/holder" ] && head -c ${MAX_LINE} "$d/holder"; } 2>/dev/null | od -An -v -tx1 | tr -d ' \\n'`;

function acquireScript(holder: string, staleSeconds: number): string {
    return [
        "trap '' HUP PIPE",
        `d=${LOCK_DIR}; t=${HOLDER_TMP}`,
        `if mkdir "$d" 2>/dev/null; then`,
        `  if printf '%s %s %s\\n' ${shellQuote(holder)} "$(date +%s)" ${staleSeconds} > "$t" && mv -f "$t" "$d/holder"; then echo acquired; exit 0; fi`,
        `  rm -rf "$d" "$t"; exit 4`,
        "fi",
        // Gone again already (released in between): the caller tries again. Anything else at
        // the lock's path (even a plain file) is a lock without a usable holder line.
        `m=$(stat -c %Y "$d" 2>/dev/null) || exit 5`,
        `printf 'lock %s %s ' "$(date +%s)" "$m"; ${HEX_OF_HOLDER}; echo`,
        "exit 3",
    ].join("\n");
}

/**
 * A shell condition, true while `holder` holds the lock: writes that are only valid under the
 * lock (the operation journal, ghes/applianceJournal.ts) run behind it. The stored holder is
 * only compared, never evaluated.
 */
export function lockHeldBy(holder: string): string {
    return `{ h=; [ -f ${LOCK_DIR}/holder ] && read -r h _ < ${LOCK_DIR}/holder; [ "$h" = ${shellQuote(holder)} ]; }`;
}

/** Removes the lock only if it is still exactly what was seen (compare and delete). */
function breakScript(s: LockSighting): string {
    return `d=${LOCK_DIR}; [ "$(stat -c %Y "$d" 2>/dev/null)" = ${shellQuote(String(s.dirTime))} ] && [ "$(${HEX_OF_HOLDER})" = ${shellQuote(s.contentHex)} ] && rm -rf "$d"; exit 0`;
}

/**
 * Removes the lock only if `holder` holds it, and only then runs `thenRun` (a shell snippet)
 * first, in the same command. Exit 0 released, 7 not held by `holder`, 6 released but
 * `thenRun` failed.
 */
function releaseScript(holder: string, thenRun?: string): string {
    return [
        "trap '' HUP PIPE",
        `d=${LOCK_DIR}; h=; [ -f "$d/holder" ] && read -r h _ < "$d/holder"`,
        `[ "$h" = ${shellQuote(holder)} ] || exit 7`,
        ...(thenRun ? [`{ ${thenRun}`, `} || { s=$?; rm -rf "$d"; echo "exit status $s" >&2; exit 6; }`] : []),
        `rm -rf "$d"`,
    ].join("\n");
}

/** Parses the sighting line the acquire script prints; undefined when it is not exactly that. */
function parseSighting(stdout: string): LockSighting | undefined {
    const m = /^lock (\d{1,12}) (\d{1,12}) ([0-9a-f]*)$/m.exec(stdout);
    if (!m || m[3].length % 2 !== 0) return undefined;
    const bytes = Buffer.from(m[3], "hex");
    return { now: Number(m[1]), dirTime: Number(m[2]), content: bytes.length > 0 ? bytes.toString("utf8") : undefined, contentHex: m[3] };
}

/** The command that breaks the lock by hand (sshd runs a command in the user's home directory). */
export function breakCommand(ssh: { hostname: string; port: number }): string {
    return `ssh -p ${ssh.port} admin@${ssh.hostname} -- rm -rf ${LOCK_NAME}`;
}

/** Takes the appliance lock, waiting (with a bound) for another holder; breaks a stale one or one whose holder is gone. */
export async function acquireApplianceLock(shell: AdminShell, o: LockOptions): Promise<void> {
    const clock = o.clock ?? realClock;
    const holderIsGone = o.holderIsGone ?? ((h: string) => isDeadProcessOfThisMachine(h));
    const started = clock.now();
    let announced = false;
    let vanished = 0;
    for (;;) {
        const r = await shell.exec(acquireScript(o.holder, Math.ceil(o.staleMs / 1000)));
        if (r.code === 0) return;
        if (r.code === 4) {
            throw new GhesOperationError(`could not write the configuration lock's holder line on the appliance (full disk?): the lock was removed again; nothing was written. ${excerpt(r.stderr, [], 200)}`);
        }
        // Released between mkdir and the look: try again at once (bounded: a home without mkdir rights would loop).
        if (r.code === 5 && ++vanished < 10) continue;
        const seen = r.code === 3 ? parseSighting(r.stdout) : undefined;
        if (!seen) throw new GhesOperationError(`could not take the configuration lock on the appliance (exit status ${r.code}): ${excerpt(r.stderr, [], 200)}`);
        const verdict = judgeLock(seen, { holder: o.holder, staleMs: o.staleMs, holderIsGone });
        if (verdict.kind === "ours") return; // ours, from before a reconnect
        if (verdict.kind === "break") {
            o.log(verdict.why);
            await shell.exec(breakScript(verdict.sighting));
            continue;
        }
        const waitedMs = clock.now() - started;
        const state = describeWait(verdict, o.ssh);
        if (waitedMs >= o.waitMs) {
            throw new GhesOperationError(`another operation (${verdict.who}) is configuring this appliance and still holds its configuration lock after waiting ${formatDuration(o.waitMs)}: ${state}. ` +
                `Two writers on one appliance would mix their settings; nothing was written. Run pulumi up again when the other one has finished.`);
        }
        if (!announced) o.log(`another operation (${verdict.who}) is configuring this appliance; waiting up to ${formatDuration(o.waitMs)} for it to finish: ${state}`);
        announced = true;
        await clock.sleep(Math.min(2000, Math.max(1, o.waitMs - waitedMs)));
    }
}

function describeWait(v: Extract<LockVerdict, { kind: "wait" }>, ssh: { hostname: string; port: number }): string {
    const since = new Date(v.sinceS * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
    return `held since ${since} (appliance clock, ${formatDuration(v.ageMs)} ago); stale in ${formatDuration(v.staleAfterMs - v.ageMs)} (${v.bound}), then the next operation breaks it. ` +
        `If you know that operation is gone, break it now: ${breakCommand(ssh)}`;
}

/**
 * Releases the lock if `holder` still holds it; `thenRun` (a shell snippet) runs in the same
 * command, before the lock goes, and only for its holder. "not-held": someone broke it as
 * stale meanwhile, and nothing was touched. A failed `thenRun` still releases, then throws.
 */
export async function releaseApplianceLock(shell: AdminShell, holder: string, thenRun?: string): Promise<"released" | "not-held"> {
    const r = await shell.exec(releaseScript(holder, thenRun));
    if (r.code === 0) return "released";
    if (r.code === 7) return "not-held";
    if (r.code === 6) throw new GhesOperationError(`the configuration lock was released, but the command run with it failed (${excerpt(r.stderr, [], 200)})`);
    throw new GhesOperationError(`releasing the configuration lock ended with exit status ${r.code}, which this package does not recognise: it may still be held (${excerpt(r.stderr, [], 200)})`);
}
