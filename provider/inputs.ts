import { bucketNameError, UNKNOWN_VALUE } from "../policies/validation";

/** What delete does to GHES: leave it untouched, or switch Packages off and apply. */
export type OnDelete = "retain" | "disable";

/**
 * The inputs of the GHES settings resource, as the provider receives them (flat, so the
 * engine re-marks secret inputs secret in outputs of the same name).
 */
export interface GhesSettingsInputs {
    hostname: string;
    managementPort: number;
    sshPort: number;
    caBundle?: string;
    dangerouslySkipTlsVerification: boolean;
    sshHostKeyFingerprint?: string;
    managementUser: string;
    managementPassword?: string;
    sshPrivateKey?: string;
    serviceUrl: string;
    bucket: string;
    accessKeyId: string;
    secretAccessKey: string;
    packagesEnabled: boolean;
    applyConfiguration: boolean;
    applyTimeoutSeconds: number;
    maintenanceMode: boolean;
    allowStorageMigration: boolean;
    onDelete: OnDelete;
    storageCheck: boolean;
    storageCheckTimeoutSeconds: number;
}

/** The names of inputs that hold secrets. */
export const SECRET_INPUTS = ["managementPassword", "sshPrivateKey", "secretAccessKey"] as const;

/** Environment variable read (at run time, never captured) when managementPassword is not given. */
export const PASSWORD_ENV = "GHES_MANAGEMENT_PASSWORD";

export const INPUT_DEFAULTS = {
    managementPort: 8443,
    sshPort: 122,
    dangerouslySkipTlsVerification: false,
    managementUser: "api_key",
    packagesEnabled: true,
    applyConfiguration: true,
    applyTimeoutSeconds: 1800,
    maintenanceMode: false,
    allowStorageMigration: false,
    onDelete: "retain" as OnDelete,
    storageCheck: true,
    storageCheckTimeoutSeconds: 120,
};

export interface CheckFailure {
    property: string;
    reason: string;
}

const isUnknown = (v: unknown) => v === UNKNOWN_VALUE;
// Control characters (newlines included) have no place in any of these values; the shell
// quoting would carry them safely, but GHES config files would not.
// eslint-disable-next-line no-control-regex
const hasControlChars = (s: string) => /[\x00-\x1f\x7f]/.test(s);

function hostnameError(h: string): string | undefined {
    const dns = /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
    const v4 = /^(\d{1,3})(\.\d{1,3}){3}$/;
    const v6 = /^[0-9a-fA-F:]+$/;
    if (dns.test(h) || (v4.test(h) && h.split(".").every((o) => Number(o) <= 255)) || (h.includes(":") && v6.test(h))) return undefined;
    return `must be a host name or IP address without scheme, port or path (got ${JSON.stringify(h)})`;
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

function serviceUrlError(u: string): string | undefined {
    let url: URL;
    try {
        url = new URL(u);
    } catch {
        return `must be an absolute URL such as https://s3.us-west-2.amazonaws.com (got ${JSON.stringify(u)})`;
    }
    // Plain http only for a loopback S3 stand-in (the offline rehearsal); GHES would send keys in clear otherwise.
    if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname))) {
        return `must use https (got ${JSON.stringify(url.protocol)})`;
    }
    if (url.username || url.password) return "must not contain credentials";
    if (url.search || url.hash || (url.pathname !== "/" && url.pathname !== "")) return "must be the service root, without path, query or fragment";
    if (hasControlChars(u) || /\s/.test(u)) return "must not contain spaces or control characters";
    return undefined;
}

/**
 * Validates and fills defaults. Unknown (preview) values are kept as they are and never
 * reported as failures. No network access happens here.
 */
export function checkInputs(raw: Record<string, unknown>, env: Record<string, string | undefined> = {}): { inputs: GhesSettingsInputs; failures: CheckFailure[] } {
    const failures: CheckFailure[] = [];
    const fail = (property: string, reason: string) => failures.push({ property, reason: `${property}: ${reason}` });
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(INPUT_DEFAULTS)) out[k] = raw[k] ?? v;
    for (const [k, v] of Object.entries(raw)) if (v !== undefined && v !== null && !k.startsWith("__")) out[k] = v;

    const str = (k: string, required: boolean, extra?: (v: string) => string | undefined) => {
        const v = out[k];
        if (isUnknown(v)) return;
        if (v === undefined || v === "") {
            if (required) fail(k, "is required");
            delete out[k];
            return;
        }
        const problem = typeof v !== "string" ? `must be a string (got ${typeof v})` : extra?.(v);
        if (problem) fail(k, problem);
    };
    const int = (k: string, min: number, max: number) => {
        const v = out[k];
        if (isUnknown(v)) return;
        if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) fail(k, `must be a whole number from ${min} to ${max} (got ${JSON.stringify(v)})`);
    };
    const bool = (k: string) => {
        const v = out[k];
        if (!isUnknown(v) && typeof v !== "boolean") fail(k, `must be true or false (got ${JSON.stringify(v)})`);
    };

    str("hostname", true, hostnameError);
    int("managementPort", 1, 65535);
    int("sshPort", 1, 65535);
    str("caBundle", false, (v) => (v.includes("-----BEGIN CERTIFICATE-----") ? undefined : "must be PEM text with at least one -----BEGIN CERTIFICATE----- block"));
    bool("dangerouslySkipTlsVerification");
    if (out.caBundle && out.dangerouslySkipTlsVerification === true) fail("dangerouslySkipTlsVerification", "contradicts caBundle: give one or the other");
    str("sshHostKeyFingerprint", false, (v) => (/^SHA256:[A-Za-z0-9+/]{43}=?$/.test(v) ? undefined : `must be an OpenSSH SHA256 fingerprint such as SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s (got ${JSON.stringify(v)})`));
    str("managementUser", true, (v) => (/^[\w.@-]{1,64}$/.test(v) ? undefined : "must be api_key or a Management Console user name"));
    str("managementPassword", false, (v) => (hasControlChars(v) ? "must not contain control characters" : undefined));
    if (out.managementPassword === undefined && !env[PASSWORD_ENV]) {
        fail("managementPassword", `is required: give it as a secret input or set ${PASSWORD_ENV} in the environment of pulumi`);
    }
    str("sshPrivateKey", false, (v) => (v.includes("PRIVATE KEY-----") ? undefined : "must be a PEM or OpenSSH private key"));
    str("serviceUrl", true, serviceUrlError);
    str("bucket", true, (v) => bucketNameError("bucket", v)?.replace(/^bucket: /, ""));
    str("accessKeyId", true, (v) => (/^[\x21-\x7e]{3,128}$/.test(v) ? undefined : "must be 3-128 printable characters without spaces"));
    str("secretAccessKey", true, (v) => (/^[\x21-\x7e]{3,256}$/.test(v) ? undefined : "must be 3-256 printable characters without spaces"));
    bool("packagesEnabled");
    bool("applyConfiguration");
    int("applyTimeoutSeconds", 10, 6 * 3600);
    bool("maintenanceMode");
    bool("allowStorageMigration");
    if (!isUnknown(out.onDelete) && out.onDelete !== "retain" && out.onDelete !== "disable") fail("onDelete", `must be "retain" or "disable" (got ${JSON.stringify(out.onDelete)})`);
    bool("storageCheck");
    int("storageCheckTimeoutSeconds", 1, 3600);

    return { inputs: out as unknown as GhesSettingsInputs, failures };
}

/** The storage-change guard at plan time, from the previous inputs (the live check runs again at apply). */
export function plannedMoveFailure(olds: Partial<GhesSettingsInputs>, news: GhesSettingsInputs): CheckFailure | undefined {
    if (!olds.bucket || !olds.packagesEnabled || news.allowStorageMigration === true || news.packagesEnabled === false) return undefined;
    for (const k of ["bucket", "serviceUrl"] as const) {
        const n = news[k];
        if (isUnknown(n) || olds[k] === n || olds.hostname !== news.hostname) continue;
        return {
            property: k,
            reason: `${k}: changing the storage of an instance with GitHub Packages enabled (${JSON.stringify(olds[k])} -> ${JSON.stringify(n)}) strands existing packages. ` +
                `This is a planned migration (copy the objects in a maintenance window); set allowStorageMigration: true for that update.`,
        };
    }
    return undefined;
}

/** Input fields that only steer the provider: changing them updates state but never touches GHES. */
export const CONTROL_FIELDS: ReadonlySet<string> = new Set([
    "managementPort", "sshPort", "caBundle", "dangerouslySkipTlsVerification", "sshHostKeyFingerprint",
    "managementUser", "managementPassword", "sshPrivateKey", "applyConfiguration", "applyTimeoutSeconds",
    "maintenanceMode", "allowStorageMigration", "onDelete", "storageCheck", "storageCheckTimeoutSeconds",
]);

/** Fields whose change means a different GHES instance: replace, not update. */
export const REPLACE_FIELDS: ReadonlySet<string> = new Set(["hostname"]);

export const ALL_INPUT_FIELDS: readonly string[] = [
    "hostname", ...CONTROL_FIELDS, "serviceUrl", "bucket", "accessKeyId", "secretAccessKey", "packagesEnabled",
];

/** Pure diff of two input sets: which fields changed, and which of those force a replacement. */
export function diffInputs(olds: Record<string, unknown>, news: Record<string, unknown>): { changed: string[]; replaces: string[] } {
    const changed = ALL_INPUT_FIELDS.filter((k) => isUnknown(news[k]) || (olds[k] ?? undefined) !== (news[k] ?? undefined));
    return { changed, replaces: changed.filter((k) => REPLACE_FIELDS.has(k)) };
}
