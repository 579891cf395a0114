/**
 * POSIX shell quoting: wraps a value in single quotes so `/bin/sh` passes it through
 * byte-for-byte (quotes, `$()`, backticks, `;`, newlines and spaces included).
 */
export function shellQuote(value: string): string {
    if (value.includes("\0")) throw new Error("a NUL byte cannot be passed through a shell word");
    return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Exit status of a batch write whose i-th `ghe-config` failed: BATCH_FAILED_BASE + i. */
export const BATCH_FAILED_BASE = 100;

/**
 * One shell script that writes several keys in order, so a key pair (access key id and
 * secret) is never left half-written by an interruption between two commands:
 * - secret values are read from standard input first, one line each (they hold no newline),
 *   so they never appear in the command line;
 * - hang-ups are ignored, so a dropped SSH connection does not stop the script half-way;
 * - the i-th failed write exits with BATCH_FAILED_BASE + i, so the caller knows what landed.
 */
export function gheConfigSetBatch(entries: readonly { key: string; value: string; secret: boolean }[]): string {
    if (entries.length > 100) throw new Error("at most 100 keys in one batch");
    const lines = ["trap '' HUP PIPE"];
    let s = 0;
    const reads: string[] = [];
    entries.forEach(({ key, value, secret }, i) => {
        let word: string;
        if (secret) {
            if (/[\r\n]/.test(value)) throw new Error(`the value of ${key} holds a line break and cannot be sent as one line`);
            reads.push(`IFS= read -r __s${s} || [ -n "$__s${s}" ] || exit 99`);
            word = `"$__s${s++}"`;
        } else {
            word = shellQuote(value);
        }
        // ghe-config's own status goes to stderr first, so the error can name it.
        lines.push(`ghe-config ${shellQuote(key)} ${word} || { echo "ghe-config exit status $?" >&2; exit ${BATCH_FAILED_BASE + i}; }`);
    });
    return [...reads, ...lines].join("; ");
}

/** What a batch write sends on standard input: its secret values, one line each. */
export function batchStdin(entries: readonly { value: string; secret: boolean }[]): string {
    return entries.filter((e) => e.secret).map((e) => `${e.value}\n`).join("");
}

/**
 * One shell script that reads several keys: per key a line `<index> <exit status> <value as
 * hex>` (hex, so values with newlines or any byte travel intact). Exit status 1 is
 * ghe-config's (git-config's) "no such key".
 */
export function gheConfigGetBatch(keys: readonly string[]): string {
    const words = keys.map(shellQuote).join(" ");
    return `i=0; for k in ${words}; do v=$(ghe-config "$k"; s=$?; printf x; exit $s); s=$?; ` +
        `printf '%s %s ' "$i" "$s"; printf '%s' "\${v%x}" | od -An -v -tx1 | tr -d ' \\n'; echo; i=$((i+1)); done`;
}

/** Parses what gheConfigGetBatch printed: per key its exit status and value (one trailing newline removed, as ghe-config prints one). */
export function parseGetBatch(keys: readonly string[], stdout: string): { key: string; status: number; value: string }[] {
    const out: { key: string; status: number; value: string }[] = [];
    for (const line of stdout.split("\n")) {
        const m = /^(\d+) (\d+) ?([0-9a-f]*)$/.exec(line.trim());
        if (!m || Number(m[1]) >= keys.length) continue;
        out.push({ key: keys[Number(m[1])], status: Number(m[2]), value: Buffer.from(m[3], "hex").toString("utf8").replace(/\n$/, "") });
    }
    return out;
}
