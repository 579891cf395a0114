import { GhesSettings } from "./gheConfigKeys";
import { shown } from "./outsideText";

/*
 * The package ecosystem toggles (Management Console -> Packages -> "Ecosystem Toggles"), read
 * and written as GHES's own configuration code computes them: each toggle lives in two
 * ghe-config keys, `app.packages.<name>-enabled` and `secrets.packages.<name>-enabled`, and
 * `ecosystem_enabled` (Enterprise::ConfigApply::Packages) turns them into what the appliance
 * serves:
 *
 *     if "#{app}" == "" && "#{secret}" == "" then "true" else app || secret || "false"
 *
 * So a toggle nobody configured is ENABLED, and an `app.` value of false falls through to the
 * `secrets.` value (only nil and false are falsy in Ruby; a ghe-config "true"/"false" is read
 * as a boolean). servedValue() is the one place this package applies the rule; the simulator
 * has its own implementation (rehearsal/packagesConfigRules.ts), pinned to the source.
 */

/** What an ecosystem serves: everything, reads only, or nothing. */
export type EcosystemState = "enabled" | "readonly" | "disabled";

export const ECOSYSTEMS = ["container", "docker", "maven", "npm", "nuget", "rubygems"] as const;
export type Ecosystem = (typeof ECOSYSTEMS)[number];

/** The managed toggles; an ecosystem left out is not managed (nothing read or written for it). */
export type EcosystemToggles = { [E in Ecosystem]?: EcosystemState } & {
    /** npm upstreaming (proxying npmjs.com for packages the appliance does not hold). */
    npmUpstreaming?: boolean;
};

/** A toggle as GHES's keys name it. */
type ToggleName = Ecosystem | "npm-upstreaming";
type Field = Ecosystem | "npmUpstreaming";

const FIELDS: readonly Field[] = [...ECOSYSTEMS, "npmUpstreaming"];
const nameOf = (f: Field): ToggleName => (f === "npmUpstreaming" ? "npm-upstreaming" : f);

export const appKey = (t: ToggleName): string => `app.packages.${t}-enabled`;
export const secretKey = (t: ToggleName): string => `secrets.packages.${t}-enabled`;
export const NPM_UPSTREAMING_KEY = appKey("npm-upstreaming");

/**
 * GHES's rule: what the configuration run computes from the two keys (values as ghe-config
 * prints them, undefined = unset), as text: "true", "false", "readonly", or another value
 * stored by hand.
 */
export function servedValue(app: string | undefined, secret: string | undefined): string {
    // Ruby: "true"/"false" parse to booleans, other values stay strings, unset is nil.
    const truthy = (v: string | undefined) => v !== undefined && v !== "false";
    if ((app ?? "") === "" && (secret ?? "") === "") return "true";
    return truthy(app) ? (app as string) : truthy(secret) ? (secret as string) : "false";
}

/**
 * A value stored by hand (`ghe-config app.packages.npm-enabled yes`) is none of the states:
 * reported as `unrecognized "<value>"` (quoted, escaped, cut: it comes from the appliance), so
 * it shows as drift, never equals a declared state, and no raw bytes reach state or messages.
 */
const unrecognized = (value: string): string => `unrecognized ${shown(value, 40)}`;

/** The state a served value stands for; any other value shows as drift. */
function stateOf(value: string): EcosystemState {
    if (value === "true") return "enabled";
    if (value === "false") return "disabled";
    if (value === "readonly") return "readonly";
    return unrecognized(value) as EcosystemState;
}

function reported(field: Field, value: string): EcosystemState | boolean {
    if (field !== "npmUpstreaming") return stateOf(value);
    return value === "true" ? true : value === "false" ? false : (unrecognized(value) as unknown as boolean);
}

const STATES: readonly unknown[] = ["enabled", "readonly", "disabled", true, false];
/** A reported value for a message: a state as it is; anything else (already `unrecognized "..."` from the readers, or raw) escaped. */
const reportedText = (v: unknown): string => (STATES.includes(v) || (typeof v === "string" && /^unrecognized "[\x20-\x7e]*"(\.\.\. \(\d+ characters\))?$/.test(v)) ? String(v) : shown(v));

const VALUE_OF: Record<EcosystemState, string> = { enabled: "true", readonly: "readonly", disabled: "false" };

/** The ghe-config keys that hold the managed toggles (both keys of each), to read before writing and on refresh. */
export function ecosystemKeys(toggles: EcosystemToggles | undefined): string[] {
    return FIELDS.filter((f) => toggles?.[f] !== undefined).flatMap((f) => [appKey(nameOf(f)), secretKey(nameOf(f))]);
}

/**
 * The writes that make GHES serve the declared toggles, given what it holds now (`current`
 * holds both keys of each managed toggle): nothing for a toggle GHES already serves as
 * declared (an unset toggle declared enabled needs no write, and no run). The `app.` key
 * decides when it is true or readonly; to disable, `app.` is written false and the `secrets.`
 * key, which a false `app.` falls through to, must say false or be unset: it is written false
 * when it says anything else. Written rather than unset: the same idempotent write as every
 * other key (its read-back after the run proves it), and the toggle stays disabled if someone
 * later removes the `app.` key.
 */
export function ecosystemWrites(toggles: EcosystemToggles | undefined, current: GhesSettings): GhesSettings {
    const out: GhesSettings = {};
    for (const f of FIELDS) {
        const wanted = toggles?.[f];
        if (wanted === undefined) continue;
        const name = nameOf(f);
        const state: EcosystemState = typeof wanted === "boolean" ? (wanted ? "enabled" : "disabled") : wanted;
        if (stateOf(servedValue(current[appKey(name)], current[secretKey(name)])) === state) continue;
        out[appKey(name)] = VALUE_OF[state];
        const secret = current[secretKey(name)];
        if (state === "disabled" && secret !== undefined && secret !== "false") out[secretKey(name)] = "false";
    }
    return out;
}

/** The managed toggles as GHES serves them, by its own rule over both keys. */
export function ecosystemsFromSettings(settings: GhesSettings, managed: EcosystemToggles | undefined): EcosystemToggles | undefined {
    if (!managed) return undefined;
    const out: Record<string, unknown> = {};
    for (const f of FIELDS) {
        if (managed[f] === undefined) continue;
        out[f] = reported(f, servedValue(settings[appKey(nameOf(f))], settings[secretKey(nameOf(f))]));
    }
    return out as EcosystemToggles;
}

/**
 * The toggles as the Manage API's settings report them (`feature_toggles.packages`: strings
 * for ecosystems, a boolean for npm upstreaming, in the recorded answer of a real appliance,
 * tests/fixtures/manage-config-settings.recorded.json). Undocumented: a toggle the answer does
 * not carry is left out (undefined), never guessed.
 */
export function ecosystemsFromManageSettings(settings: unknown, managed: EcosystemToggles): EcosystemToggles {
    const packages = (settings as { feature_toggles?: { packages?: unknown } } | undefined)?.feature_toggles?.packages;
    const out: Record<string, unknown> = {};
    if (!packages || typeof packages !== "object") return {};
    for (const f of FIELDS) {
        if (managed[f] === undefined) continue;
        const v = (packages as Record<string, unknown>)[f === "npmUpstreaming" ? "npm_upstreaming_enabled" : `${f}_enabled`];
        if (typeof v === "string" || typeof v === "boolean") out[f] = reported(f, String(v));
    }
    return out as EcosystemToggles;
}

/** The toggles whose reported state differs from the wanted one, as "docker: wanted readonly, reported enabled". */
export function ecosystemMismatches(wanted: EcosystemToggles, reported: EcosystemToggles): string[] {
    return FIELDS.filter((n) => wanted[n] !== undefined && reported[n] !== undefined && wanted[n] !== reported[n])
        .map((n) => `${n}: wanted ${String(wanted[n])}, reported ${reportedText(reported[n])}`);
}

/** Only the toggles among `toggles` that `writes` touched (what a verification after the run may judge). */
export function writtenToggles(toggles: EcosystemToggles, writes: Iterable<string>): EcosystemToggles {
    const keys = new Set(writes);
    return Object.fromEntries(FIELDS.filter((f) => toggles[f] !== undefined && (keys.has(appKey(nameOf(f))) || keys.has(secretKey(nameOf(f)))))
        .map((f) => [f, toggles[f]])) as EcosystemToggles;
}

/** Whether these toggles serve the Container registry (which needs subdomain isolation). */
export const servesContainerRegistry = (t: EcosystemToggles | undefined): boolean => t?.container === "enabled" || t?.container === "readonly";
