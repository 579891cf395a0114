/**
 * The ghe-config keys that hold Packages storage (GHES staging-instance guide; the keys
 * github/backup-utils backs up) and pure functions to compute what must change. Order
 * matters: storage first, the enable flag last, so a half-finished write never enables
 * Packages against stale storage.
 */
export const KEYS = {
    storageType: "secrets.packages.blob-storage-type",
    serviceUrl: "secrets.packages.service-url",
    bucket: "secrets.packages.s3-bucket",
    accessKeyId: "secrets.packages.aws-access-key",
    secretAccessKey: "secrets.packages.aws-secret-key",
    enabled: "app.packages.enabled",
} as const;

export const WRITE_ORDER: readonly string[] = [
    KEYS.storageType, KEYS.serviceUrl, KEYS.bucket, KEYS.accessKeyId, KEYS.secretAccessKey, KEYS.enabled,
];

/** Keys whose values are secret: sent on stdin, never printed. */
export const SECRET_KEYS: ReadonlySet<string> = new Set([KEYS.secretAccessKey]);

export type GhesSettings = Record<string, string | undefined>;

/**
 * Keys in write order: storage first (as WRITE_ORDER lists it), then any other key (ecosystem
 * toggles) by name, the enable flag last, so a half-finished write never enables Packages
 * against stale settings.
 */
export function inWriteOrder(keys: Iterable<string>): string[] {
    const rank = (k: string) => (k === KEYS.enabled ? 2 : WRITE_ORDER.includes(k) ? 0 : 1);
    return [...new Set(keys)].sort((a, b) => rank(a) - rank(b) || (rank(a) === 0 ? WRITE_ORDER.indexOf(a) - WRITE_ORDER.indexOf(b) : a.localeCompare(b)));
}

/** The keys to write, in write order: those whose current value differs from the desired one. */
export function changedKeys(current: GhesSettings, desired: GhesSettings): string[] {
    return inWriteOrder(Object.keys(desired)).filter((k) => desired[k] !== undefined && current[k] !== desired[k]);
}

/** A printable view of settings: secrets shown only as set/unset. */
export function maskSettings(settings: GhesSettings): Record<string, string> {
    const out: Record<string, string> = {};
    for (const k of inWriteOrder(Object.keys(settings))) {
        const v = settings[k];
        if (v === undefined) continue;
        out[k] = SECRET_KEYS.has(k) ? (v ? "(secret, set)" : "(empty)") : v;
    }
    return out;
}

export function isEnabled(settings: GhesSettings): boolean {
    return isTrue(settings[KEYS.enabled]);
}

/** A boolean key's value read as ghe-config (git-config) reads booleans: true, yes, on, 1. */
export function isTrue(value: string | undefined): boolean {
    return value !== undefined && /^(true|yes|on|1)$/i.test(value.trim());
}

/**
 * The storage-change guard, one rule at plan time and against the live appliance: moving an
 * instance whose Packages storage is configured (enabled or not: a disabled instance may
 * still hold packages there) to another bucket or service is a maintenance-window migration
 * (GHES docs), never a side effect. Returns an explanation when the change must be refused.
 */
export function storageMoveRefusal(current: GhesSettings, desired: GhesSettings, allowStorageMigration: boolean): string | undefined {
    if (allowStorageMigration) return undefined;
    // The storage type too: an instance on Azure Blob storage must not be switched to S3 silently.
    const moved = [KEYS.storageType, KEYS.serviceUrl, KEYS.bucket].filter((k) => current[k] && desired[k] !== undefined && current[k] !== desired[k]);
    if (moved.length === 0) return undefined;
    const what = moved.map((k) => `${k}: ${JSON.stringify(current[k])} -> ${JSON.stringify(desired[k])}`).join(", ");
    return `GitHub Packages storage is already configured on this instance (Packages ${isEnabled(current) ? "enabled" : "disabled"}) and may hold packages: it already stores packages elsewhere (${what}). ` +
        `Changing storage strands existing packages; GitHub documents it as a planned migration in a maintenance window. ` +
        `Copy the objects first, then set allowStorageMigration: true for that one update.`;
}
