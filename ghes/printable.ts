/**
 * A value read from the appliance (a lock holder, a configuration owner), made safe for a log
 * line: control characters (terminal escapes included) shown as `\xNN`, cut at `max` characters.
 */
export function printable(value: string, max = 120): string {
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is escaped
    const shown = value.replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
        const code = c.charCodeAt(0);
        return code > 0xff ? `\\u${code.toString(16).padStart(4, "0")}` : `\\x${code.toString(16).padStart(2, "0")}`;
    });
    return shown.length > max ? `${shown.slice(0, max)}... (${shown.length} characters)` : shown;
}
