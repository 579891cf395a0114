import { shellQuote } from "./shellQuote";

/*
 * Several `ghe-config` reads or writes in one remote command (one round trip each), built as
 * POSIX shell scripts that run the same under bash (GHES's admin shell) and dash.
 */

export interface ConfigEntry {
    key: string;
    value: string;
    secret: boolean;
}

/** What a key holds after a failed batch write (read back on the appliance). */
export type StoredState = "previous" | "new" | "unknown";

/** How a batch write that did not succeed ended; what the exit status and the report lines say. */
export type BatchWriteOutcome =
    /** Ended before its first write (a secret missing on stdin, a previous value unreadable). */
    | { kind: "nothing-written"; reason: string }
    /** The write of `failedKey` (or the follow-up) failed; every key holds its previous value again, read back. */
    | { kind: "restored"; failedKey?: string }
    /** As above, but some restores failed: `stored` says what each key the batch touched holds now. */
    | { kind: "restore-failed"; failedKey?: string; stored: { key: string; state: StoredState }[] }
    /** An exit status this package does not know: the settings may have landed, fully or in part. */
    | { kind: "unknown"; status: number | null };

/*
 * Exit statuses of a batch write (anything else, e.g. of a shell that could not start, is
 * "unknown": the settings may have landed):
 *   0          every key written (and the follow-up, if any, succeeded)
 *   98         a previous value could not be read: nothing written
 *   99         a secret value was missing on stdin: nothing written
 *   100 + i    write i failed (i = number of keys: the follow-up failed); every key restored
 *   150 + i    write i failed; restoring failed for at least one key (the report lines say which)
 */
export const BATCH_EXIT = { nothingWrittenUnreadable: 98, nothingWrittenStdin: 99, restored: 100, restoreFailed: 150 } as const;
/** At most this many keys in one batch, so every status above stays distinct (and below 200). */
export const MAX_BATCH_KEYS = 40;
const REPORT = "ghes-packages-s3-restore";

/**
 * One shell script that writes several keys in order, all or nothing:
 * - secret values are read from standard input first, one line each (they hold no newline),
 *   so they never appear in the command line;
 * - every key's previous value (or that it was unset) is read into a shell variable before
 *   anything is written: no value leaves the appliance;
 * - hang-ups are ignored, so a dropped SSH connection does not stop the script half-way;
 * - when a write (or the follow-up, `thenRun`) fails, every key written so far, the failed
 *   one included (a write may land although ghe-config reports failure), gets its previous
 *   value back: `ghe-config KEY OLD`, or `ghe-config --unset KEY` for a key that was unset
 *   (documented in GitHub's docs, e.g. "Backing up and restoring GitHub Enterprise Server with
 *   GitHub Actions enabled"). Each is then read back and reported on stdout as
 *   `ghes-packages-s3-restore <index> <previous|restored|new|unknown>`, and the exit status
 *   (BATCH_EXIT) says whether every key holds its previous value again.
 * So a rotated key pair is never left half-written: a configuration run started by anyone
 * afterwards applies the old pair (or, when even the restore failed, the report says exactly
 * what is stored).
 */
export function gheConfigSetBatch(entries: readonly ConfigEntry[], thenRun?: string): string {
    if (entries.length > MAX_BATCH_KEYS) throw new Error(`at most ${MAX_BATCH_KEYS} keys in one batch`);
    const n = entries.length;
    const reads: string[] = [];
    const words: string[] = [];
    let s = 0;
    for (const { key, value, secret } of entries) {
        if (secret) {
            if (/[\r\n]/.test(value)) throw new Error(`the value of ${key} holds a line break and cannot be sent as one line`);
            reads.push(`IFS= read -r __s${s} || [ -n "$__s${s}" ] || exit ${BATCH_EXIT.nothingWrittenStdin}`);
            words.push(`"$__s${s++}"`);
        } else {
            words.push(shellQuote(value));
        }
    }
    const lines = ["trap '' HUP PIPE", ...reads, "__nl='\n'"];
    // __get KEY: __r = ghe-config's status (1 = unset), __v = the value without the newline it prints.
    lines.push(`__get() { __v=$(ghe-config "$1"; __r=$?; printf x; exit $__r); __r=$?; __v=\${__v%x}; __v=\${__v%"$__nl"}; }`);
    // __is INDEX KEY PREV_STATUS PREV_VALUE: whether the key holds its previous value now.
    lines.push(`__is() { __get "$2"; [ "$__r" = "$3" ] && { [ "$3" != 0 ] || [ "$__v" = "$4" ]; }; }`);
    // __restore INDEX KEY PREV_STATUS PREV_VALUE NEW_VALUE: put the previous value back, read back, report.
    lines.push(`__restore() { if __is "$@"; then echo "${REPORT} $1 previous"; return 0; fi; ` +
        // Its output is dropped: it could echo the previous value, which the caller cannot mask (it never saw it); the read-back reports.
        `if [ "$3" = 0 ]; then ghe-config "$2" "$4" >/dev/null 2>&1; else ghe-config --unset "$2" >/dev/null 2>&1; fi; ` +
        `if __is "$@"; then echo "${REPORT} $1 restored"; return 0; fi; ` +
        `if [ "$__r" = 0 ] && [ "$__v" = "$5" ]; then echo "${REPORT} $1 new"; else echo "${REPORT} $1 unknown"; fi; return 1; }`);
    // __undo I: restore keys I..0 (I = n: the follow-up failed after every write), then exit.
    const cases = entries.map(({ key }, i) => `${i}) __restore ${i} ${shellQuote(key)} "$__q${i}" "$__p${i}" ${words[i]} ;;`).join(" ");
    lines.push(`__undo() { __j=$1; [ "$__j" -lt ${n} ] || __j=${n - 1}; __bad=0; while [ "$__j" -ge 0 ]; do ` +
        `case $__j in ${cases} esac || __bad=1; __j=$((__j - 1)); done; ` +
        `if [ "$__bad" = 0 ]; then exit $((${BATCH_EXIT.restored} + $1)); fi; exit $((${BATCH_EXIT.restoreFailed} + $1)); }`);
    entries.forEach(({ key }, i) => {
        lines.push(`__get ${shellQuote(key)}; __q${i}=$__r; __p${i}=$__v; ` +
            `case $__q${i} in 0|1) ;; *) echo "reading ${key} before writing it failed with exit status $__q${i}" >&2; exit ${BATCH_EXIT.nothingWrittenUnreadable};; esac`);
    });
    entries.forEach(({ key }, i) => {
        // ghe-config's own status goes to stderr first, so the error can name it.
        lines.push(`ghe-config ${shellQuote(key)} ${words[i]} || { echo "ghe-config exit status $?" >&2; __undo ${i}; }`);
    });
    // In a subshell: a failing redirection of a special built-in (`: > FILE` on a full disk) ends a POSIX shell, not just the command.
    if (thenRun) lines.push(`( ${thenRun}\n) || { echo "follow-up exit status $?" >&2; __undo ${n}; }`);
    return lines.join("\n");
}

/** What a batch write sends on standard input: its secret values, one line each. */
export function batchStdin(entries: readonly { value: string; secret: boolean }[]): string {
    return entries.filter((e) => e.secret).map((e) => `${e.value}\n`).join("");
}

/**
 * What a batch write's exit status and report lines say. Only statuses and reports that fit
 * together are believed (a restore status needs a report line for every key it restored);
 * anything else is "unknown".
 */
export function parseSetBatchOutcome(entries: readonly { key: string }[], code: number | null, stdout: string): BatchWriteOutcome {
    if (code === BATCH_EXIT.nothingWrittenStdin) return { kind: "nothing-written", reason: "a secret value did not arrive on standard input" };
    if (code === BATCH_EXIT.nothingWrittenUnreadable) return { kind: "nothing-written", reason: "a previous value could not be read" };
    const n = entries.length;
    const restored = code !== null && code >= BATCH_EXIT.restored && code <= BATCH_EXIT.restored + n;
    const failed = code !== null && code >= BATCH_EXIT.restoreFailed && code <= BATCH_EXIT.restoreFailed + n;
    if (code === null || (!restored && !failed)) return { kind: "unknown", status: code };
    const at = code - (restored ? BATCH_EXIT.restored : BATCH_EXIT.restoreFailed);
    const reports = new Map<number, string>();
    for (const line of stdout.split("\n")) {
        const m = new RegExp(`^${REPORT} (\\d+) (previous|restored|new|unknown)$`).exec(line.trim());
        if (m) reports.set(Number(m[1]), m[2]);
    }
    const touched = entries.slice(0, Math.min(at + 1, n)).map(({ key }, i) => ({ key, report: reports.get(i) }));
    if (touched.some((t) => t.report === undefined)) return { kind: "unknown", status: code };
    const stored = touched.map(({ key, report }) => ({ key, state: (report === "restored" ? "previous" : report) as StoredState }));
    const allPrevious = stored.every((x) => x.state === "previous");
    // A status and a report that disagree are not believed.
    if (allPrevious !== restored) return { kind: "unknown", status: code };
    const failedKey = at < n ? entries[at].key : undefined;
    return restored ? { kind: "restored", failedKey } : { kind: "restore-failed", failedKey, stored };
}

/** The line of gheConfigGetBatch's output that carries the values; other lines (a login banner) are ignored. */
const READ_TAG = "ghes-packages-s3-config";

/**
 * One shell script that reads several keys. It prints one line, `ghes-packages-s3-config:<hex>`:
 * per key three NUL-terminated fields, `<index>`, `<exit status>`, `<value>`, hex-encoded as
 * one (hex, so values with newlines or any byte travel intact; a value holds no NUL byte, the
 * shell cannot hold one). One `od` for the whole batch, not one per key: a read of the
 * packages settings stays at one process per key (ghe-config itself) plus two. Exit status 1 is
 * ghe-config's (git-config's) "no such key".
 */
export function gheConfigGetBatch(keys: readonly string[]): string {
    const words = keys.map(shellQuote).join(" ");
    return `printf '%s:' '${READ_TAG}'; { i=0; for k in ${words}; do v=$(ghe-config "$k"; s=$?; printf x; exit $s); s=$?; ` +
        `printf '%s\\000%s\\000%s\\000' "$i" "$s" "\${v%x}"; i=$((i+1)); done; } | od -An -v -tx1 | tr -d ' \\n'; echo`;
}

/**
 * Parses what gheConfigGetBatch printed: per key its exit status and value (one trailing
 * newline removed, as ghe-config prints one). Rows end where the output ends: a read cut short
 * yields fewer rows than keys, which the caller reports.
 */
export function parseGetBatch(keys: readonly string[], stdout: string): { key: string; status: number; value: string }[] {
    // The last tagged line: the script prints its own line last, after anything a login banner said.
    const line = stdout.split("\n").map((l) => l.trim()).filter((l) => l.startsWith(`${READ_TAG}:`)).pop();
    const hex = line?.slice(READ_TAG.length + 1) ?? "";
    if (!/^(?:[0-9a-f]{2})*$/.test(hex)) return [];
    const fields = Buffer.from(hex, "hex").toString("utf8").split("\0");
    const out: { key: string; status: number; value: string }[] = [];
    // Whole rows only: the last field of a complete row is followed by its NUL (so split leaves one more, empty, field).
    for (let f = 0; f + 3 < fields.length; f += 3) {
        const [index, status, value] = fields.slice(f, f + 3);
        if (!/^\d+$/.test(index) || !/^\d+$/.test(status) || Number(index) !== out.length || out.length >= keys.length) return out;
        out.push({ key: keys[out.length], status: Number(status), value: value.replace(/\n$/, "") });
    }
    return out;
}
