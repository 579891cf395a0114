/*
 * Values from outside the program (a bucket object anyone with write access may have written,
 * ghe-config output, a lock file on the appliance) reach error messages and deploy logs. Shown
 * raw, a newline or a terminal escape sequence in them could forge a log line or repaint the
 * screen; shown here, they are quoted, on one line and cut.
 */

// JSON.stringify escapes U+0000-U+001F, '"' and '\' only; these it leaves, and terminals or
// editors act on them: DEL and the C1 controls (U+009B is CSI), the line and paragraph
// separators, and the bidirectional formatting characters (which reorder what is displayed).
const UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

const escape = (json: string): string => json.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

/**
 * A value from outside, for a message: text quoted as a JSON string, anything else as JSON;
 * every control or display-reordering character escaped; at most `max` characters of it.
 */
export function shown(value: unknown, max = 80): string {
    if (typeof value !== "string") return escape(JSON.stringify(value) ?? String(value)).slice(0, max + 2);
    if (value.length <= max) return escape(JSON.stringify(value));
    return `${escape(JSON.stringify(value.slice(0, max)))}... (${value.length} characters)`;
}

/**
 * The same, unquoted, for a value embedded in a sentence (a lock holder, a configuration
 * owner): control characters (terminal escapes included) shown as `\xNN`, the characters
 * above as `\uNNNN`, cut at `max` characters. `keepLines`: newlines and tabs stay (multi-line
 * output such as stderr).
 */
export function printable(value: string, max = 120, keepLines = false): string {
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is escaped
    const controls = keepLines ? /[\x00-\x08\x0b-\x1f]/g : /[\x00-\x1f]/g;
    const out = value.replace(controls, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`)
        .replace(UNSAFE, (c) => { const code = c.charCodeAt(0); return code > 0xff ? `\\u${code.toString(16).padStart(4, "0")}` : `\\x${code.toString(16).padStart(2, "0")}`; });
    return out.length > max ? `${out.slice(0, max)}... (${out.length} characters)` : out;
}
