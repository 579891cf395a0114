/** Replaces every occurrence of the given secret values in text by a placeholder. */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
    let out = text;
    for (const s of secrets) {
        if (s && s.length >= 4) out = out.split(s).join("[secret]");
    }
    return out;
}

/** An Error whose message (and stack) has been scrubbed of secrets. */
export function redactError(err: unknown, secrets: ReadonlyArray<string | undefined>): Error {
    const message = err instanceof Error ? err.message : String(err);
    const clean = new Error(redact(message, secrets));
    clean.name = err instanceof Error ? err.name : "Error";
    return clean;
}
