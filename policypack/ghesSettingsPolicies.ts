import { ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { GHES_FIELDS } from "../provider/fields";
import { fingerprintError, hostnameError, normalizeHostname } from "../validation/ghesValues";
import { stackLabel, stackListed, stackListSchema } from "./packConfig";
import { GHES_SETTINGS } from "./resourceTypes";
import { describe, isSettings, read, str, UNKNOWN } from "./stackGraph";

/*
 * Rules for this package's GHES settings resource (GhesPackagesSettings), under its current and
 * its pre-0.2 type token. They read the resource's inputs, so a violation stops the resource
 * before the provider writes anything to the appliance.
 */

/** Runs `check` on GHES settings resources only. */
const onSettings = (check: (args: ResourceValidationArgs, report: (m: string) => void) => void) =>
    (args: ResourceValidationArgs, report: (m: string) => void): void => {
        if (GHES_SETTINGS.includes(args.type)) check(args, report);
    };

const who = (args: ResourceValidationArgs) => `GhesPackagesSettings "${args.name}"`;

export const tlsVerification: ResourceValidationPolicy = {
    name: "ghes-settings-tls-verification",
    description: "The Manage API's TLS certificate is verified (dangerouslySkipTlsVerification only in listed lab stacks).",
    enforcementLevel: "mandatory",
    configSchema: { properties: { allowedStacks: stackListSchema("Stacks (name, project/name or org/project/name) where dangerouslySkipTlsVerification may be true.") } },
    validateResource: onSettings((args, report) => {
        if (read(args.props, "dangerouslySkipTlsVerification") !== true) return;
        const { allowedStacks = [] } = args.getConfig<{ allowedStacks?: string[] }>();
        if (stackListed(allowedStacks)) return;
        report(`${who(args)} turns TLS verification off (dangerouslySkipTlsVerification: true) in ${stackLabel()}: the root site administrator password could be intercepted. `
            + "Fix: give caBundle (the PEM of the CA that signed the Management Console certificate) and remove dangerouslySkipTlsVerification; "
            + "for a lab appliance, list the stack in this policy's allowedStacks.");
    }),
};

export const hostKeyPinned: ResourceValidationPolicy = {
    name: "ghes-settings-host-key-pinned",
    description: "The admin shell's SSH host key is pinned (sshHostKeyFingerprint); trust on first use only in listed lab stacks.",
    enforcementLevel: "mandatory",
    configSchema: { properties: { trustOnFirstUseStacks: stackListSchema("Stacks (name, project/name or org/project/name) where sshHostKeyTrustOnFirstUse may stand in for a fingerprint.") } },
    validateResource: onSettings((args, report) => {
        const fingerprint = read(args.props, "sshHostKeyFingerprint");
        if (fingerprint === UNKNOWN) return; // computed: judged when known
        if (typeof fingerprint === "string") {
            const problem = fingerprintError(fingerprint);
            if (problem) report(`${who(args)}: sshHostKeyFingerprint ${problem}. Fix: give the SHA256 fingerprint verified out of band (README, "First contact").`);
            return;
        }
        const tofu = read(args.props, "sshHostKeyTrustOnFirstUse") === true;
        const { trustOnFirstUseStacks = [] } = args.getConfig<{ trustOnFirstUseStacks?: string[] }>();
        if (tofu && stackListed(trustOnFirstUseStacks)) return;
        report(`${who(args)} has no pinned SSH host key (sshHostKeyFingerprint)${tofu ? ` and trusts the first key it sees (sshHostKeyTrustOnFirstUse) in ${stackLabel()}` : ""}: `
            + "the AWS secret key travels over this channel to whoever answers first. "
            + "Fix: set sshHostKeyFingerprint to the SHA256:... fingerprint verified out of band (README, \"First contact\"); "
            + "for a lab appliance, list the stack in this policy's trustOnFirstUseStacks and set sshHostKeyTrustOnFirstUse.");
    }),
};

const TIMEOUT = GHES_FIELDS.applyTimeoutSeconds;
/** Org defaults inside the provider's own bounds: a configuration run takes minutes, and a stuck one should surface within hours. */
export const APPLY_TIMEOUT_DEFAULTS = { minSeconds: 300, maxSeconds: 7200 } as const;

export const applyTimeout: ResourceValidationPolicy = {
    name: "ghes-settings-apply-timeout",
    description: "applyTimeoutSeconds is within the organisation's bounds.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            minSeconds: { type: "integer", minimum: TIMEOUT.min, maximum: TIMEOUT.max, default: APPLY_TIMEOUT_DEFAULTS.minSeconds, description: "Shortest allowed wait for a configuration run." },
            maxSeconds: { type: "integer", minimum: TIMEOUT.min, maximum: TIMEOUT.max, default: APPLY_TIMEOUT_DEFAULTS.maxSeconds, description: "Longest allowed wait for a configuration run (also how long a lock may be held)." },
        },
    },
    validateResource: onSettings((args, report) => {
        const raw = read(args.props, "applyTimeoutSeconds");
        if (raw === UNKNOWN) return;
        const value = raw === undefined ? TIMEOUT.default : raw;
        const { minSeconds = APPLY_TIMEOUT_DEFAULTS.minSeconds, maxSeconds = APPLY_TIMEOUT_DEFAULTS.maxSeconds } = args.getConfig<{ minSeconds?: number; maxSeconds?: number }>();
        if (typeof value === "number" && value >= minSeconds && value <= maxSeconds) return;
        report(`${who(args)}: applyTimeoutSeconds is ${JSON.stringify(value)}${raw === undefined ? " (the default)" : ""}, outside ${minSeconds}-${maxSeconds}: `
            + "too short fails configuration runs that would succeed, too long holds the appliance's lock and hides a stuck run. "
            + `Fix: set applyTimeoutSeconds between ${minSeconds} and ${maxSeconds}.`);
    }),
};

export const onePerAppliance: StackValidationPolicy = {
    name: "ghes-settings-one-per-appliance",
    description: "One GhesPackagesSettings resource per appliance in a stack.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const byHost = new Map<string, string[]>();
        for (const r of args.resources.filter(isSettings)) {
            const host = str(read(r.props, "hostname"));
            const key = host === undefined ? undefined : normalizeHostname(host); // as the provider's check spells it
            if (key === undefined || hostnameError(key)) continue; // unknown, or reported by the provider's check
            byHost.set(key, [...(byHost.get(key) ?? []), r.urn]);
        }
        for (const [host, urns] of byHost) {
            if (urns.length < 2) continue;
            const names = urns.map((u) => args.resources.find((r) => r.urn === u)!).map(describe);
            for (const urn of urns) {
                report(`${names.join(" and ")} all configure appliance ${host}: each would overwrite the other's bucket and key on every pulumi up. `
                    + "Fix: keep one GhesPackagesSettings (or PackagesStorage) per appliance and remove the others.", urn);
            }
        }
    },
};

export const ghesSettingsPolicies = [tlsVerification, hostKeyPinned, applyTimeout, onePerAppliance];
