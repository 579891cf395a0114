import { ecosystemKeys, EcosystemToggles, ecosystemsFromSettings, ecosystemWrites } from "../ghes/ecosystemKeys";
import { GhesSettings, isTrue, KEYS } from "../ghes/gheConfigKeys";
import * as rules from "../validation/ghesValues";

/*
 * The one description of the GHES settings resource. Every field exists twice, linked by the
 * compiler: its documented type below (what users see in their editor) and its entry in
 * GHES_FIELDS (default, role, secrecy, replacement, check, ghe-config key). The component's
 * argument types, the provider's input type, the defaults, the field sets, the secret list and
 * the drift mapping are all derived from these two. A new option is one entry plus its doc.
 */

/** What delete does to GHES: leave it untouched, or switch Packages off and apply. */
export type OnDelete = "retain" | "disable";

/** The fields of the GHES settings resource, as a user gives them. */
export interface GhesSettingsFields {
    /** Host name or IP address of the appliance (no scheme, no port). Changing it replaces the resource. Required. */
    hostname: string;
    /** Manage API port (HTTPS). Default: `8443`. */
    managementPort?: number;
    /** Administrative SSH shell port. Default: `122`. */
    sshPort?: number;
    /** PEM CA bundle that signed the appliance's Management Console certificate. Default: the system's CAs. */
    caBundle?: string;
    /**
     * Turns TLS certificate verification OFF for the Manage API. Only for a lab appliance with
     * a self-signed certificate and no CA bundle: the password can then be intercepted. Default: `false`.
     */
    dangerouslySkipTlsVerification?: boolean;
    /**
     * Pinned SSH host key of the admin shell, as OpenSSH prints it (`SHA256:...`; verify it
     * out of band: `ssh-keyscan -p 122 HOST | ssh-keygen -lf -`, compared with what the
     * appliance's console shows). The AWS secret key travels over this channel, so without it
     * (and without `sshHostKeyTrustOnFirstUse`) the provider refuses to connect, naming the
     * key it saw. Default: none; after the first operation the key recorded in state is enforced.
     */
    sshHostKeyFingerprint?: string;
    /**
     * Accept the admin shell's host key on first contact when no `sshHostKeyFingerprint` is
     * given, log it, and enforce it from then on (the key is pinned in state). An explicit
     * opt-in: an impostor on the first contact would receive the secret key. Default: `false`.
     */
    sshHostKeyTrustOnFirstUse?: boolean;
    /** Manage API user: `api_key` (root site administrator) or a Management Console user (3.8+). Default: `"api_key"`. */
    managementUser?: string;
    /**
     * Password of that user (root site administrator password for `api_key`). Give it as a
     * secret (`config.requireSecret`). Default: read from `GHES_MANAGEMENT_PASSWORD` at run time.
     */
    managementPassword?: string;
    /**
     * Private key authorized for the admin shell; needed only for GHES < 3.12, where no API
     * registers a temporary key. Give it as a secret. Default: none (3.12+ registers a
     * short-lived key per operation and removes it afterwards).
     */
    sshPrivateKey?: string;
    /** "AWS Service URL" in the Management Console, e.g. `https://s3.us-west-2.amazonaws.com` (or the MinIO URL). Required. */
    serviceUrl: string;
    /** Bucket name. Required. */
    bucket: string;
    /** Access key id GHES uses. Required. */
    accessKeyId: string;
    /** Secret access key GHES uses; kept secret in state. Required. */
    secretAccessKey: string;
    /** Enable GitHub Packages. Default: `true`. */
    packagesEnabled?: boolean;
    /** Run the configuration (`ghe-config-apply`, minutes, services restart) after writing. Default: `true`. */
    applyConfiguration?: boolean;
    /** Longest wait for a configuration run, in seconds. Default: `1800`. */
    applyTimeoutSeconds?: number;
    /** Hold maintenance mode during the configuration run (3.12+; off again afterwards unless it was on before). Default: `false`. */
    maintenanceMode?: boolean;
    /**
     * Allow changing the bucket or service URL of an instance that already has Packages
     * storage configured. Set only for a planned migration after the objects were copied. Default: `false`.
     */
    allowStorageMigration?: boolean;
    /**
     * Let this appliance use a bucket whose ownership marker (`_ghes-packages-owner.json`,
     * written by the storage check) names another appliance, and take the marker over. Only
     * for a planned hand-over: two appliances on one bucket overwrite each other's packages.
     * Default: `false`.
     */
    allowSharedBucket?: boolean;
    /** On delete: `"retain"` leaves GHES as it is; `"disable"` turns Packages off and applies. Default: `"retain"`. */
    onDelete?: OnDelete;
    /**
     * Before touching GHES, use the key against the bucket exactly as GHES will (put, get,
     * list, multipart). Turn off only for runners that cannot reach S3. Default: `true`.
     */
    storageCheck?: boolean;
    /** How long the storage check retries while a new key propagates, in seconds. Default: `120`. */
    storageCheckTimeoutSeconds?: number;
    /**
     * Which package ecosystems the appliance serves (Management Console -> Packages ->
     * "Ecosystem Toggles"): per ecosystem `"enabled"`, `"readonly"` or `"disabled"`, plus npm
     * upstreaming on/off. Only the ecosystems listed are managed, read as GHES computes them (an
     * ecosystem nobody configured is enabled); only what GHES does not already serve is written,
     * in the same configuration run as storage, and verified afterwards. Serving the Container
     * registry needs subdomain isolation, which is checked first. Default: none (not managed).
     */
    ecosystems?: EcosystemToggles;
}

/** Connection fields reach the appliance; behaviour fields steer the provider; storage fields are the bucket and key. */
export type FieldRole = "connection" | "behaviour" | "storage";

/** How a field maps onto ghe-config keys, for writing and for drift on refresh. */
interface GheConfigMapping {
    /** The keys that hold this value: read before writing and on refresh. */
    keys(value: unknown): string[];
    /**
     * The keys and values to write so GHES holds this value, given what it holds now (`current`
     * holds at least `keys(value)`); none for a value that manages nothing.
     */
    write(value: unknown, current: GhesSettings): GhesSettings;
    /** The field's value as GHES holds it; `value` is this resource's, telling what it manages. */
    read(settings: GhesSettings, value: unknown): unknown;
}

/** A field held in one ghe-config key. */
const oneKey = (key: string, read: (s: GhesSettings) => unknown): GheConfigMapping => ({
    keys: () => [key],
    write: (v) => (v === undefined ? {} : { [key]: String(v) }),
    read: (s) => read(s),
});

interface FieldBase {
    role: FieldRole;
    /** Given by the user or filled with the default: always present after check. */
    required?: true;
    secret?: true;
    /** A change means another appliance: replace, not update. */
    replaces?: true;
    /** Written to GHES (and read back on refresh). Fields without it only steer the provider. */
    gheConfig?: GheConfigMapping;
}

export type FieldSpec = FieldBase & (
    | { type: "string"; default?: string; check?: (v: string) => string | undefined; normalize?: (v: string) => string }
    | { type: "integer"; default: number; min: number; max: number }
    | { type: "boolean"; default: boolean }
    | { type: "enum"; default: string; values: readonly string[] }
    | { type: "ecosystems" }
);

export const GHES_FIELDS = {
    hostname: { role: "connection", type: "string", required: true, replaces: true, check: rules.hostnameError, normalize: rules.normalizeHostname },
    managementPort: { role: "connection", type: "integer", default: 8443, min: 1, max: 65535 },
    sshPort: { role: "connection", type: "integer", default: 122, min: 1, max: 65535 },
    caBundle: { role: "connection", type: "string", check: rules.caBundleError },
    dangerouslySkipTlsVerification: { role: "connection", type: "boolean", default: false },
    sshHostKeyFingerprint: { role: "connection", type: "string", check: rules.fingerprintError },
    sshHostKeyTrustOnFirstUse: { role: "connection", type: "boolean", default: false },
    managementUser: { role: "connection", type: "string", default: "api_key", check: rules.managementUserError },
    managementPassword: { role: "connection", type: "string", secret: true, check: rules.passwordError },
    sshPrivateKey: { role: "connection", type: "string", secret: true, check: rules.sshPrivateKeyError },
    serviceUrl: {
        role: "storage", type: "string", required: true, check: rules.serviceUrlError,
        gheConfig: oneKey(KEYS.serviceUrl, (s) => (s[KEYS.storageType] === "s3" ? (s[KEYS.serviceUrl] ?? "") : "")),
    },
    bucket: { role: "storage", type: "string", required: true, check: rules.bucketError, gheConfig: oneKey(KEYS.bucket, (s) => s[KEYS.bucket] ?? "") },
    accessKeyId: { role: "storage", type: "string", required: true, check: rules.accessKeyIdError, gheConfig: oneKey(KEYS.accessKeyId, (s) => s[KEYS.accessKeyId] ?? "") },
    secretAccessKey: {
        role: "storage", type: "string", required: true, secret: true, check: rules.secretAccessKeyError,
        gheConfig: oneKey(KEYS.secretAccessKey, (s) => s[KEYS.secretAccessKey] ?? ""),
    },
    packagesEnabled: { role: "behaviour", type: "boolean", default: true, gheConfig: oneKey(KEYS.enabled, (s) => isTrue(s[KEYS.enabled])) },
    applyConfiguration: { role: "behaviour", type: "boolean", default: true },
    applyTimeoutSeconds: { role: "behaviour", type: "integer", default: 1800, min: 10, max: 6 * 3600 },
    maintenanceMode: { role: "behaviour", type: "boolean", default: false },
    allowStorageMigration: { role: "behaviour", type: "boolean", default: false },
    allowSharedBucket: { role: "behaviour", type: "boolean", default: false },
    onDelete: { role: "behaviour", type: "enum", default: "retain", values: ["retain", "disable"] },
    storageCheck: { role: "behaviour", type: "boolean", default: true },
    storageCheckTimeoutSeconds: { role: "behaviour", type: "integer", default: 120, min: 1, max: 3600 },
    ecosystems: {
        role: "behaviour", type: "ecosystems",
        // Both keys of each toggle, by GHES's own rule (ghes/ecosystemKeys.ts): what differs from what GHES serves.
        gheConfig: {
            keys: (v) => ecosystemKeys(v as EcosystemToggles | undefined),
            write: (v, current) => ecosystemWrites(v as EcosystemToggles | undefined, current),
            read: (s, v) => ecosystemsFromSettings(s, v as EcosystemToggles | undefined),
        },
    },
} as const satisfies { [K in keyof GhesSettingsFields]-?: FieldSpec };

export type FieldName = keyof typeof GHES_FIELDS;
type Table = typeof GHES_FIELDS;

/** Fields that always have a value after check (required, or with a default). */
type FilledField = { [K in FieldName]: Table[K] extends { default: unknown } | { required: true } ? K : never }[FieldName];

/** The inputs of the GHES settings resource after check: defaults filled. */
export type GhesSettingsInputs = Required<Pick<GhesSettingsFields, FilledField>> & Omit<GhesSettingsFields, FilledField>;

/** The names of the fields with a given role. */
export type FieldsWithRole<R extends FieldRole> = { [K in FieldName]: Table[K]["role"] extends R ? K : never }[FieldName];

const entries = Object.entries(GHES_FIELDS) as [FieldName, FieldSpec][];

export const ALL_FIELDS: readonly FieldName[] = entries.map(([k]) => k);

/** Defaults, as documented on each field. */
export const FIELD_DEFAULTS: Readonly<Partial<Record<FieldName, unknown>>> =
    Object.fromEntries(entries.filter(([, f]) => "default" in f && f.default !== undefined).map(([k, f]) => [k, (f as { default: unknown }).default]));

/** Fields that hold secrets: wrapped as secrets by the component, secret outputs of the resource. */
export const SECRET_FIELDS: readonly FieldName[] = entries.filter(([, f]) => f.secret).map(([k]) => k);

/** Fields whose change replaces the resource. */
export const REPLACE_FIELDS: ReadonlySet<string> = new Set(entries.filter(([, f]) => f.replaces).map(([k]) => k));

/** Fields written to GHES, with their ghe-config mapping. */
export const GHES_WRITTEN_FIELDS: readonly [FieldName, GheConfigMapping][] =
    entries.filter(([, f]) => f.gheConfig).map(([k, f]) => [k, f.gheConfig as GheConfigMapping]);

/** Fields that only steer the provider: changing them updates state but never touches GHES. */
export const CONTROL_FIELDS: ReadonlySet<string> = new Set(entries.filter(([, f]) => !f.gheConfig && !f.replaces).map(([k]) => k));
