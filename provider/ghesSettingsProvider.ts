import type * as dynamic from "@pulumi/pulumi/dynamic";
import { ALL_FIELDS, CONTROL_FIELDS, GHES_WRITTEN_FIELDS, GhesSettingsInputs } from "./fields";
import { checkInputs, diffInputs, plannedMoveFailure, sameValue, secretValuesOf } from "./inputs";
import { ApplyReport, applyDesired, disablePackages, ProviderContext, readActual } from "./operations";
import { redactError } from "./redact";
import type { GhesAppliance } from "../ghes/session";

/*
 * The dynamic provider of GhesPackagesSettings. Stacks load this file by the path
 * `ghes-packages-s3/dist/provider/ghesSettingsProvider` (provider/serializableProvider.ts):
 * its location and the name `makeGhesSettingsProvider` are a contract with existing state.
 */

/** Outputs beyond the inputs. */
export type GhesSettingsComputed = Omit<ApplyReport, "applyRunId"> & { applyRunId?: string };

export type GhesSettingsOutputs = GhesSettingsInputs & GhesSettingsComputed;

const COMPUTED: readonly (keyof GhesSettingsComputed)[] = ["ghesVersion", "hostKeyFingerprint", "applyRunId", "configuredAt", "writtenKeys", "unappliedKeys"];

/**
 * The run-time surroundings, read when a method runs (never captured when the provider is
 * serialized into state): the process environment and a stderr logger.
 */
function defaultContext(): ProviderContext {
    return {
        env: process.env,
        log: (message: string) => { process.stderr.write(`[ghes-packages] ${message}\n`); },
    };
}

/** Runs a provider method with every error scrubbed of secrets. */
async function guarded<T>(values: Record<string, unknown>, ctx: ProviderContext, fn: () => Promise<T>): Promise<T> {
    try {
        return await fn();
    } catch (err) {
        throw redactError(err, secretValuesOf(values, ctx.env));
    }
}

/**
 * Inputs with defaults filled, for methods the engine may call without a preceding check
 * (read and delete get state; a direct caller may skip check). With `strict`, invalid input
 * is refused before any network call, naming every bad field.
 */
function normalized(raw: Record<string, unknown>, ctx: ProviderContext, strict: boolean): GhesSettingsInputs {
    const { inputs, failures } = checkInputs(raw, ctx.env);
    if (strict && failures.length > 0) throw new Error(`invalid inputs:\n  - ${failures.map((f) => f.reason).join("\n  - ")}`);
    return inputs;
}

/** State as stored: inputs with defaults, plus the computed outputs of the last operation. */
function stateOf(props: Record<string, unknown>, ctx: ProviderContext): GhesSettingsOutputs {
    const computed = Object.fromEntries(COMPUTED.map((k) => [k, props[k]]));
    return { ...normalized(props, ctx, false), ...computed } as GhesSettingsOutputs;
}

/** Drops undefined values: the host encodes results as protobuf Structs, which have no undefined. */
function compact(values: object): Record<string, unknown> {
    return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}

function inputsOf(props: Record<string, unknown>): Record<string, unknown> {
    return compact(Object.fromEntries(ALL_FIELDS.map((k) => [k, props[k]])));
}

const idOf = (inputs: GhesSettingsInputs) => `ghes-packages:${inputs.hostname}`;

/**
 * A first create that trusted the admin shell's host key on first use and then failed (after
 * the secret may have been sent) must not forget that key: the next attempt would trust
 * whatever key it meets. The Node dynamic-provider host turns an error carrying `id`,
 * `properties` and `reasons` into `ErrorResourceInitFailed` (@pulumi/pulumi
 * cmd/dynamic-provider/index.js, grpcResponseFromError); the engine records those properties
 * as the resource's state, shows the reasons as the error, and on the next `pulumi up` updates
 * the resource (pulumi/pulumi pkg/engine/update.go, pkg/resource/deploy/step_generator.go).
 * The state has no `configuredAt`: update and diff read that as "not configured yet".
 */
function keepTrustedHostKey(err: Error, raw: Record<string, unknown>, ctx: ProviderContext, inputs?: GhesSettingsInputs, appliance?: GhesAppliance): Error {
    const trusted = appliance?.hostKeyFingerprint;
    if (!inputs || !trusted || inputs.sshHostKeyFingerprint) return err;
    ctx.log(`the create failed after trusting the admin shell's host key ${trusted} on first use: it is kept in state, and the next pulumi up enforces it`);
    return Object.assign(err, {
        id: idOf(inputs),
        // The provider text too: a later refresh or delete loads the provider from this state.
        properties: compact({ ...inputs, hostKeyFingerprint: trusted, ghesVersion: appliance.version ?? "unknown (< 3.8)", __provider: raw.__provider }),
        reasons: [err.message],
    });
}

/**
 * Builds the provider. `context` lets tests observe logs and inject a clock; Pulumi uses the
 * default, created inside each call so nothing of the deploying process is serialized.
 */
export function makeGhesSettingsProvider(context?: () => ProviderContext): dynamic.ResourceProvider {
    const ctxOf = context ?? defaultContext;
    return {
        async check(olds: Record<string, unknown>, news: Record<string, unknown>): Promise<dynamic.CheckResult> {
            const ctx = ctxOf();
            const { inputs, failures } = checkInputs(news, ctx.env);
            const move = olds && Object.keys(olds).length > 0 ? plannedMoveFailure(olds as Partial<GhesSettingsInputs>, inputs) : undefined;
            if (move) failures.push(move);
            return { inputs: compact(inputs), failures };
        },

        async diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<dynamic.DiffResult> {
            const { changed, replaces } = diffInputs(olds, news);
            return {
                // A resource whose create failed (partial state: no configuredAt) still needs its update.
                changes: changed.length > 0 || olds.configuredAt === undefined,
                replaces,
                // A new instance gets configured before the old resource is deleted (which by default leaves GHES as is).
                deleteBeforeReplace: false,
            };
        },

        async create(raw: Record<string, unknown>): Promise<dynamic.CreateResult> {
            const ctx = ctxOf();
            let inputs: GhesSettingsInputs | undefined;
            let appliance: GhesAppliance | undefined;
            try {
                return await guarded(raw, ctx, async () => {
                    inputs = normalized(raw, ctx, true);
                    const report = await applyDesired(inputs, ctx, undefined, [], (a) => { appliance = a; });
                    return { id: idOf(inputs), outs: compact({ ...inputs, ...report }) };
                });
            } catch (err) {
                throw keepTrustedHostKey(err as Error, raw, ctx, inputs, appliance);
            }
        },

        async update(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<dynamic.UpdateResult> {
            const ctx = ctxOf();
            const previous = olds as unknown as GhesSettingsOutputs;
            return guarded(news, ctx, async () => {
                const inputs = normalized(news, ctx, true);
                const { changed } = diffInputs(olds, inputs);
                const unapplied = previous.unappliedKeys ?? [];
                // Settings written while applyConfiguration was false still need their run once it is true;
                // a resource whose create failed (partial state, no configuredAt) was never configured.
                if (changed.every((k) => CONTROL_FIELDS.has(k)) && !(inputs.applyConfiguration && unapplied.length > 0) && previous.configuredAt !== undefined) {
                    ctx.log(`only provider settings changed (${changed.join(", ")}): GHES is not contacted`);
                    return { outs: compact({ ...inputs, ...Object.fromEntries(COMPUTED.map((k) => [k, previous[k]])) }) };
                }
                const report = await applyDesired(inputs, ctx, previous.hostKeyFingerprint, unapplied);
                return { outs: compact({ ...inputs, ...report, applyRunId: report.applyRunId ?? previous.applyRunId }) };
            });
        },

        async read(id: string, props: Record<string, unknown>): Promise<dynamic.ReadResult> {
            const ctx = ctxOf();
            return guarded(props, ctx, async () => {
                const state = stateOf(props, ctx);
                const actual = await readActual(state, ctx, state.hostKeyFingerprint);
                const outs = { ...state, ...actual.fields, ghesVersion: actual.version ?? state.ghesVersion, hostKeyFingerprint: actual.fingerprint };
                const drift = GHES_WRITTEN_FIELDS.map(([k]) => k).filter((k) => !sameValue(state[k], outs[k]));
                ctx.log(drift.length ? `refresh: GHES differs from the last deployment in ${drift.join(", ")}` : "refresh: GHES matches the last deployment");
                return { id, props: compact(outs), inputs: inputsOf(outs) };
            });
        },

        async delete(_id: string, props: Record<string, unknown>): Promise<void> {
            const ctx = ctxOf();
            await guarded(props, ctx, async () => {
                const state = stateOf(props, ctx);
                if (state.onDelete !== "disable") {
                    ctx.log(`onDelete is "retain": GitHub Packages settings on ${state.hostname} are left as they are`);
                    return;
                }
                const r = await disablePackages(state, ctx, state.hostKeyFingerprint);
                ctx.log(`GitHub Packages disabled on ${state.hostname}${r.runId ? ` (configuration run ${r.runId})` : ""}`);
            });
        },
    };
}
