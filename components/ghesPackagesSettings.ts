import * as pulumi from "@pulumi/pulumi";
import * as dynamic from "@pulumi/pulumi/dynamic";
import { ALL_FIELDS, FieldName, FieldsWithRole, GHES_FIELDS, GhesSettingsFields, SECRET_FIELDS } from "../provider/fields";
import { crossFieldProblems, fieldProblem } from "../provider/inputs";
import { normalizeHostname } from "../validation/ghesValues";
import { ArgChecks, knownValue } from "./argChecks";
import { dynamicType, isInstanceOf, PACKAGE } from "./typeTokens";
import { ghesSettingsProvider } from "../provider/serializableProvider";

/** Every field as a Pulumi input, optional where the field is (documentation: provider/fields.ts). */
type InputsOf<T> = { [K in keyof T]: pulumi.Input<NonNullable<T[K]>> };

/** How to reach and authenticate to a GHES appliance. */
export type GhesConnectionArgs = InputsOf<Pick<GhesSettingsFields, FieldsWithRole<"connection">>>;

/** What to do with GHES and how. */
export type GhesBehaviourArgs = InputsOf<Pick<GhesSettingsFields, FieldsWithRole<"behaviour">>>;

/** The bucket and key GHES is given. */
export type GhesStorageArgs = InputsOf<Pick<GhesSettingsFields, FieldsWithRole<"storage">>>;

export type GhesPackagesSettingsArgs = GhesConnectionArgs & GhesBehaviourArgs & GhesStorageArgs;

/**
 * Checks the GHES arguments known at construction with the provider's own field table, so a
 * program fails before anything is registered, with the same message `check` would give.
 * `fields` limits which fields the caller supplies (the top component supplies storage itself).
 */
export function checkGhesArgs(checks: ArgChecks, path: string, args: Partial<Record<FieldName, unknown>>, fields: readonly FieldName[] = ALL_FIELDS): void {
    const known: Partial<Record<FieldName, unknown>> = {};
    for (const name of fields) {
        const value = args[name];
        if (value !== undefined && !isKnownDeep(value)) continue; // an Output (or holds one): checked by the provider
        known[name] = value;
        const problem = fieldProblem(name, value);
        if (problem) checks.fail(`${path}${name}: ${problem}`);
    }
    for (const [name, problem] of crossFieldProblems(known)) checks.fail(`${path}${name}: ${problem}`);
    if (hostKeyUnverified(args)) {
        checks.fail(`${path}sshHostKeyFingerprint: is required unless sshHostKeyTrustOnFirstUse is true: the AWS secret key goes over the admin shell, ` +
            "so give the SHA256:... fingerprint of its host key, verified out of band (README, \"First contact\"), or opt in to trust on first use (lab appliances). " +
            "A stack that already pinned a key keeps it: give that one (the resource's hostKeyFingerprint output)");
    }
}

/**
 * A program that neither pins the admin shell's host key nor opts in to trust on first use
 * would create the bucket, user and key, then be refused at the first SSH contact: refuse it
 * before anything exists. Values not known at construction (Outputs) are left to the provider,
 * which refuses an unverified host key when it connects.
 */
function hostKeyUnverified(args: Partial<Record<FieldName, unknown>>): boolean {
    const given = (v: unknown) => v !== undefined && v !== null && v !== "";
    const fingerprint = args.sshHostKeyFingerprint;
    const tofu = args.sshHostKeyTrustOnFirstUse;
    if (given(fingerprint) || tofu === true) return false;
    return knownValue(tofu as pulumi.Input<boolean>) !== undefined || tofu === undefined;
}

/** Whether a value is known at construction, including the values of a plain object (ecosystems). */
function isKnownDeep(value: unknown): boolean {
    if (knownValue(value as pulumi.Input<unknown>) === undefined) return false;
    return typeof value !== "object" || value === null || Array.isArray(value) || Object.values(value).every((v) => v === undefined || knownValue(v as pulumi.Input<unknown>) !== undefined);
}

/** Which resource of this program configures which appliance (normalised host name -> resource name). */
const appliancesInProgram = new Map<string, string>();

/**
 * One writer per appliance in a program: two resources aimed at one host would overwrite
 * each other's bucket and key. Host names known at construction are claimed here.
 */
export function claimAppliance(checks: ArgChecks, path: string, hostname: unknown, resourceName: string): () => void {
    const known = knownValue(hostname as pulumi.Input<string>);
    if (typeof known !== "string" || fieldProblem("hostname", known)) return () => undefined; // reported by checkGhesArgs
    const host = normalizeHostname(known);
    const holder = appliancesInProgram.get(host);
    if (holder !== undefined && holder !== resourceName) {
        checks.fail(`${path}hostname: ${host} is already configured by ${holder} in this program; one appliance takes one GhesPackagesSettings`);
        return () => undefined;
    }
    return () => { appliancesInProgram.set(host, resourceName); };
}

/** The fields a caller of PackagesStorage gives under `ghes` (storage comes from the component). */
export const GHES_ARG_FIELDS: readonly FieldName[] = ALL_FIELDS.filter((k) => GHES_FIELDS[k].role !== "storage");

/**
 * GitHub Packages storage settings of one GHES appliance, written through the admin shell
 * (`ghe-config`) and applied through the Manage API. A second `pulumi up` with the same
 * values writes nothing and starts no configuration run; `pulumi refresh` shows drift.
 */
export class GhesPackagesSettings extends dynamic.Resource {
    /** Whether `obj` is a GhesPackagesSettings resource. */
    static isInstance(obj: unknown): obj is GhesPackagesSettings {
        return isInstanceOf(obj, `pulumi-nodejs:dynamic/${PACKAGE}:GhesPackagesSettings`);
    }

    /** The appliance, in its normalised spelling. */
    declare public readonly hostname: pulumi.Output<string>;
    /** The bucket GHES stores packages in. */
    declare public readonly bucket: pulumi.Output<string>;
    /** The "AWS Service URL" GHES is given. */
    declare public readonly serviceUrl: pulumi.Output<string>;
    /** The access key id GHES uses. */
    declare public readonly accessKeyId: pulumi.Output<string>;
    /** Whether GitHub Packages is enabled. */
    declare public readonly packagesEnabled: pulumi.Output<boolean>;
    /** Version reported by the appliance. */
    declare public readonly ghesVersion: pulumi.Output<string>;
    /** SSH host key seen (and, from then on, enforced). */
    declare public readonly hostKeyFingerprint: pulumi.Output<string>;
    /** Id of the last configuration run this resource started. */
    declare public readonly applyRunId: pulumi.Output<string | undefined>;
    /** When the settings were last written or confirmed. */
    declare public readonly configuredAt: pulumi.Output<string>;
    /** Keys written by the last create or update (names only). */
    declare public readonly writtenKeys: pulumi.Output<string[]>;
    /** Keys written while `applyConfiguration` was false and not applied by a run since. */
    declare public readonly unappliedKeys: pulumi.Output<string[]>;

    constructor(name: string, args: GhesPackagesSettingsArgs, opts?: pulumi.CustomResourceOptions) {
        const checks = new ArgChecks(`GhesPackagesSettings ${name}`);
        checkGhesArgs(checks, "", args);
        const claim = claimAppliance(checks, "", args.hostname, name);
        checks.throwIfAny(); // before anything is registered
        claim();
        const props: Record<string, unknown> = {
            ...args,
            ghesVersion: undefined,
            hostKeyFingerprint: undefined,
            applyRunId: undefined,
            configuredAt: undefined,
            writtenKeys: undefined,
            unappliedKeys: undefined,
        };
        for (const k of SECRET_FIELDS) {
            if (props[k] !== undefined) props[k] = pulumi.secret(props[k] as pulumi.Input<string>);
        }
        const [module, options] = dynamicType("GhesPackagesSettings", opts);
        super(ghesSettingsProvider, name, props, {
            ...options,
            additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), ...SECRET_FIELDS],
        }, module, "GhesPackagesSettings");
    }
}
