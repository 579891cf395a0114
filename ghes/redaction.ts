/*
 * Secrets out of text. Masking always comes before any cut: a cut first could split a secret,
 * and its first half would no longer match (issue 13).
 */

/**
 * Secrets shorter than this are not masked: they would shred ordinary text. Secret inputs
 * shorter than this are refused at check time (validation/ghesValues.ts), so none can escape.
 */
export const MIN_MASKED_SECRET_LENGTH = 4;

/** Replaces every occurrence of the given secret values in text by a placeholder. */
export function maskSecrets(text: string, secrets: Iterable<string | undefined>): string {
    // Longest first: a secret containing another would otherwise leave its remainder visible.
    const ordered = [...new Set(secrets)].filter((s): s is string => !!s && s.length >= MIN_MASKED_SECRET_LENGTH).sort((a, b) => b.length - a.length);
    let out = text;
    for (const s of ordered) out = out.split(s).join("[secret]");
    return out;
}

/** At most `max` characters of (trimmed) text for a message, secrets masked first. */
export function excerpt(text: string, secrets: Iterable<string | undefined> = [], max = 300): string {
    const masked = maskSecrets(text.trim(), secrets);
    return masked.length > max ? `${masked.slice(0, max)}...` : masked;
}
