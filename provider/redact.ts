import { maskSecrets } from "../ghes/redaction";

/** Replaces every occurrence of the given secret values in text by a placeholder. */
export const redact = (text: string, secrets: ReadonlyArray<string | undefined>): string => maskSecrets(text, secrets);

/** An Error whose message (and stack) has been scrubbed of secrets. */
export function redactError(err: unknown, secrets: ReadonlyArray<string | undefined>): Error {
    const message = err instanceof Error ? err.message : String(err);
    const clean = new Error(redact(message, secrets));
    clean.name = err instanceof Error ? err.name : "Error";
    return clean;
}
