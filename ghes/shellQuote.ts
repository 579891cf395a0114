/**
 * POSIX shell quoting: wraps a value in single quotes so `/bin/sh` passes it through
 * byte-for-byte (quotes, `$()`, backticks, `;`, newlines and spaces included).
 */
export function shellQuote(value: string): string {
    if (value.includes("\0")) throw new Error("a NUL byte cannot be passed through a shell word");
    return `'${value.replace(/'/g, `'\\''`)}'`;
}
