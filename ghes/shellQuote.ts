/**
 * POSIX shell quoting: wraps a value in single quotes so `/bin/sh` passes it through
 * byte-for-byte (quotes, `$()`, backticks, `;`, newlines and spaces included).
 */
export function shellQuote(value: string): string {
    if (value.includes("\0")) throw new Error("a NUL byte cannot be passed through a shell word");
    return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * A shell snippet that runs `ghe-config KEY <value from stdin>` with the value read from the
 * command's standard input, so a secret never appears in the remote command line or logs.
 * `printf x` then `${v%x}` keeps trailing newlines that `$(...)` would otherwise strip.
 */
export function gheConfigSetFromStdin(key: string): string {
    return `__v="$(cat; printf x)"; ghe-config ${shellQuote(key)} "\${__v%x}"`;
}

export function gheConfigSet(key: string, value: string): string {
    return `ghe-config ${shellQuote(key)} ${shellQuote(value)}`;
}

export function gheConfigGet(key: string): string {
    return `ghe-config ${shellQuote(key)}`;
}
