import { printable } from "./outsideText";

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

/**
 * At most `max` characters of (trimmed) text from the appliance for a message: secrets masked
 * first, then terminal escapes and other control characters shown escaped (lines kept).
 */
export function excerpt(text: string, secrets: Iterable<string | undefined> = [], max = 300): string {
    return printable(maskSecrets(text.trim(), secrets), max, true);
}
