import { GhesSettings } from "./gheConfigKeys";

/*
 * The package ecosystem toggles (Management Console -> Packages -> "Ecosystem Toggles").
 * Provenance, stated as it is: the admin-shell keys `app.packages.<eco>-enabled` with values
 * true / false / readonly were observed on appliances, not documented by GitHub; the Manage
 * API's settings carry them as `feature_toggles.packages.<eco>_enabled` (strings in a recorded
 * response), which is also undocumented. So what is written is always verified by reading it
 * back after the configuration run (provider/operations.ts).
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

const STATE_TO_VALUE: Record<EcosystemState, string> = { enabled: "true", readonly: "readonly", disabled: "false" };

export const ecosystemKey = (e: Ecosystem): string => `app.packages.${e}-enabled`;
export const NPM_UPSTREAMING_KEY = "app.packages.npm-upstreaming-enabled";

/** The ghe-config values that stand for these toggles (only the managed ones). */
export function ecosystemSettings(toggles: EcosystemToggles | undefined): GhesSettings {
    const out: GhesSettings = {};
    if (!toggles) return out;
    for (const e of ECOSYSTEMS) {
        const state = toggles[e];
        if (state !== undefined) out[ecosystemKey(e)] = STATE_TO_VALUE[state];
    }
    if (toggles.npmUpstreaming !== undefined) out[NPM_UPSTREAMING_KEY] = String(toggles.npmUpstreaming);
    return out;
}

function stateOf(value: string | undefined): EcosystemState {
    const v = (value ?? "").trim().toLowerCase();
    if (v === "readonly") return "readonly";
    return /^(true|yes|on|1)$/.test(v) ? "enabled" : "disabled";
}

/** The managed toggles as the appliance holds them (an unset key reads as GHES's default, disabled). */
export function ecosystemsFromSettings(settings: GhesSettings, managed: EcosystemToggles | undefined): EcosystemToggles | undefined {
    if (!managed) return undefined;
    const out: EcosystemToggles = {};
    for (const e of ECOSYSTEMS) if (managed[e] !== undefined) out[e] = stateOf(settings[ecosystemKey(e)]);
    if (managed.npmUpstreaming !== undefined) out.npmUpstreaming = stateOf(settings[NPM_UPSTREAMING_KEY]) === "enabled";
    return out;
}

/**
 * The managed toggles as the Manage API's settings report them (`feature_toggles.packages`,
 * values `"true"` / `"false"` / `"readonly"` as strings, or booleans): read leniently.
 */
export function ecosystemsFromManageSettings(settings: unknown, managed: EcosystemToggles): EcosystemToggles {
    const packages = ((settings as { feature_toggles?: { packages?: Record<string, unknown> } })?.feature_toggles?.packages ?? {}) as Record<string, unknown>;
    const text = (v: unknown) => (v === undefined || v === null ? undefined : String(v));
    const out: EcosystemToggles = {};
    for (const e of ECOSYSTEMS) if (managed[e] !== undefined) out[e] = stateOf(text(packages[`${e}_enabled`]));
    if (managed.npmUpstreaming !== undefined) out.npmUpstreaming = stateOf(text(packages.npm_upstreaming_enabled)) === "enabled";
    return out;
}

/** The ecosystems whose reported state differs from the wanted one, as "docker: wanted readonly, reported enabled". */
export function ecosystemMismatches(wanted: EcosystemToggles, reported: EcosystemToggles): string[] {
    const names = [...ECOSYSTEMS, "npmUpstreaming"] as const;
    return names.filter((n) => wanted[n] !== undefined && wanted[n] !== reported[n])
        .map((n) => `${n}: wanted ${String(wanted[n])}, reported ${String(reported[n])}`);
}

/** Whether these toggles serve the Container registry (which needs subdomain isolation). */
export const servesContainerRegistry = (t: EcosystemToggles | undefined): boolean => t?.container === "enabled" || t?.container === "readonly";
