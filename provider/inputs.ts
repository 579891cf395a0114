import { GhesConnection } from "../ghes/connection";
import { GhesSettings, KEYS, storageMoveRefusal } from "../ghes/gheConfigKeys";
import * as rules from "../validation/ghesValues";
import { isUnknown } from "../validation/unknownValue";
import {
    ALL_FIELDS, FIELD_DEFAULTS, FieldName, FieldSpec, GHES_FIELDS, GHES_WRITTEN_FIELDS, GhesSettingsInputs, REPLACE_FIELDS, SECRET_FIELDS,
} from "./fields";

/** Environment variable read (at run time, never captured) when managementPassword is not given. */
export const PASSWORD_ENV = "GHES_MANAGEMENT_PASSWORD";

export interface CheckFailure {
    property: string;
    reason: string;
}

/** One field's problem, from its table entry (after normalising); undefined when valid or unknown (preview). */
export function fieldProblem(name: FieldName, raw: unknown): string | undefined {
    const f = GHES_FIELDS[name];
    const value = normalized(name, raw);
    if (isUnknown(value)) return undefined;
    if (value === undefined) return "required" in f && f.required ? "is required" : undefined;
    switch (f.type) {
        case "string":
            if (typeof value !== "string") return `must be a string (got ${typeof value})`;
            return "check" in f ? f.check(value) : undefined;
        case "integer":
            return typeof value !== "number" || !Number.isInteger(value) || value < f.min || value > f.max
                ? `must be a whole number from ${f.min} to ${f.max} (got ${JSON.stringify(value)})` : undefined;
        case "boolean":
            return typeof value !== "boolean" ? `must be true or false (got ${JSON.stringify(value)})` : undefined;
        case "enum":
            return (f.values as readonly unknown[]).includes(value) ? undefined
                : `must be ${f.values.map((v) => JSON.stringify(v)).join(" or ")} (got ${JSON.stringify(value)})`;
        case "ecosystems":
            return rules.ecosystemsError(value);
    }
}

/**
 * Rules across fields, on the values known so far (defaults filled in by the provider's check,
 * or only what a program gave at construction): the field each problem belongs to, and the problem.
 */
export function crossFieldProblems(v: Partial<Record<FieldName, unknown>>): [FieldName, string][] {
    const problems: [FieldName, string][] = [];
    if (v.caBundle && v.dangerouslySkipTlsVerification === true) problems.push(["dangerouslySkipTlsVerification", "contradicts caBundle: give one or the other"]);
    if (v.ecosystems !== undefined && v.packagesEnabled === false) {
        problems.push(["ecosystems", "cannot be managed while packagesEnabled is false: ecosystem toggles only mean something with GitHub Packages on (leave ecosystems out to disable Packages)"]);
    }
    return problems;
}

/**
 * Validates and fills defaults, driven by the field table. Unknown (preview) values are kept
 * as they are and never reported as failures. No network access happens here. Every problem
 * is reported, each naming its field.
 */
export function checkInputs(raw: Record<string, unknown>, env: Record<string, string | undefined> = {}): { inputs: GhesSettingsInputs; failures: CheckFailure[] } {
    const failures: CheckFailure[] = [];
    const fail = (property: string, reason: string) => failures.push({ property, reason: `${property}: ${reason}` });
    const out: Record<string, unknown> = {};
    for (const name of ALL_FIELDS) {
        let v = raw[name];
        // An empty string is "not given": a stack config key set to "" must not count as a value.
        if (v === null || (v === "" && GHES_FIELDS[name].type === "string")) v = undefined;
        v = normalized(name, v ?? FIELD_DEFAULTS[name]);
        const problem = fieldProblem(name, v);
        if (problem) fail(name, problem);
        if (v !== undefined) out[name] = v;
    }

    for (const [field, problem] of crossFieldProblems(out)) fail(field, problem);
    if (out.managementPassword === undefined && !env[PASSWORD_ENV]) {
        fail("managementPassword", `is required: give it as a secret input or set ${PASSWORD_ENV} in the environment of pulumi`);
    } else if (out.managementPassword === undefined) {
        const problem = rules.passwordError(env[PASSWORD_ENV] as string);
        if (problem) fail("managementPassword", `${PASSWORD_ENV} ${problem}`);
    }
    return { inputs: out as unknown as GhesSettingsInputs, failures };
}

/**
 * The ghe-config values the inputs ask for, keyed by ghe-config key (only what they manage).
 * `current` is what GHES holds (keysOf(inputs) read): a toggle GHES already serves as declared
 * asks for no value (ghes/ecosystemKeys.ts).
 */
export function desiredSettingsOf(inputs: GhesSettingsInputs, current: GhesSettings = {}): GhesSettings {
    const desired: GhesSettings = { [KEYS.storageType]: "s3" };
    for (const [field, mapping] of GHES_WRITTEN_FIELDS) Object.assign(desired, mapping.write(inputs[field], current));
    return desired;
}

/** Every ghe-config key the inputs manage (both keys of each ecosystem toggle included). */
export function managedKeysOf(inputs: GhesSettingsInputs): string[] {
    return [KEYS.storageType, ...GHES_WRITTEN_FIELDS.flatMap(([field, mapping]) => mapping.keys(inputs[field]))];
}

/** What GHES holds, mapped back onto the resource's fields (refresh, drift); `inputs` tell what is managed. */
export function fieldsFromGhes(current: GhesSettings, inputs: Partial<GhesSettingsInputs>): Partial<GhesSettingsInputs> {
    return Object.fromEntries(GHES_WRITTEN_FIELDS.map(([field, mapping]) => [field, mapping.read(current, inputs[field])])) as Partial<GhesSettingsInputs>;
}

/**
 * The storage-change guard at plan time, from the previous inputs; the same rule and message
 * as against the live appliance at apply time (ghes/gheConfigKeys.ts).
 */
export function plannedMoveFailure(olds: Partial<GhesSettingsInputs>, news: GhesSettingsInputs): CheckFailure | undefined {
    if (!olds.bucket || normalized("hostname", olds.hostname) !== news.hostname) return undefined;
    const previous = desiredSettingsOf(olds as GhesSettingsInputs);
    // A value not known yet (preview) cannot be judged now; the live guard judges it at apply time.
    const known = Object.fromEntries(GHES_WRITTEN_FIELDS.map(([f]) => [f, isUnknown(news[f]) ? olds[f] : news[f]]));
    const next = desiredSettingsOf({ ...news, ...known } as GhesSettingsInputs);
    const refusal = storageMoveRefusal(previous, next, news.allowStorageMigration === true);
    if (!refusal) return undefined;
    const keyOf = { serviceUrl: KEYS.serviceUrl, bucket: KEYS.bucket } as const;
    const property = (["serviceUrl", "bucket"] as const).find((f) => previous[keyOf[f]] !== next[keyOf[f]]) ?? "bucket";
    return { property, reason: `${property}: ${refusal}` };
}

/** Whether two field values are the same (structured values by content). */
export const sameValue = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b);

/** A comparable form of a value: structured values (ecosystems) by content, with keys in order. */
function canonical(v: unknown): string {
    if (v === undefined || v === null) return "undefined";
    if (typeof v !== "object") return JSON.stringify(v);
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(",")}}`;
}

/** A field's value in its one spelling (host names), as check stores it. */
function normalized(name: FieldName, v: unknown): unknown {
    const f: FieldSpec = GHES_FIELDS[name];
    return f.type === "string" && f.normalize && typeof v === "string" && !isUnknown(v) ? f.normalize(v) : v;
}

/**
 * Pure diff of two input sets: which fields changed, and which of those force a replacement.
 * Values are compared in their normalised spelling, so state written before normalisation
 * does not replace the resource.
 */
export function diffInputs(olds: Record<string, unknown>, news: Record<string, unknown>): { changed: FieldName[]; replaces: FieldName[] } {
    const changed = ALL_FIELDS.filter((k) => isUnknown(news[k]) || canonical(normalized(k, olds[k])) !== canonical(normalized(k, news[k])));
    return { changed, replaces: changed.filter((k) => REPLACE_FIELDS.has(k)) };
}

/** The secret values among these inputs (and the environment's password), for redaction. */
export function secretValuesOf(values: Record<string, unknown>, env: Record<string, string | undefined>): string[] {
    const out = SECRET_FIELDS.map((k) => values[k]).filter((v): v is string => typeof v === "string");
    if (env[PASSWORD_ENV]) out.push(env[PASSWORD_ENV] as string);
    return out;
}

/** The resolved connection for the client layer: password from the environment if not given, host key pin chosen. */
export function connectionOf(inputs: GhesSettingsInputs, env: Record<string, string | undefined>, pinnedFingerprint?: string): GhesConnection {
    const managementPassword = inputs.managementPassword ?? env[PASSWORD_ENV];
    if (!managementPassword) throw new Error(`managementPassword: not given and ${PASSWORD_ENV} is not set`);
    return {
        hostname: inputs.hostname,
        managementPort: inputs.managementPort,
        sshPort: inputs.sshPort,
        caBundle: inputs.caBundle,
        dangerouslySkipTlsVerification: inputs.dangerouslySkipTlsVerification,
        managementUser: inputs.managementUser,
        managementPassword,
        sshPrivateKey: inputs.sshPrivateKey,
        expectedHostKey: inputs.sshHostKeyFingerprint ?? pinnedFingerprint,
        trustHostKeyOnFirstUse: inputs.sshHostKeyTrustOnFirstUse,
    };
}
