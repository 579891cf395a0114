import type * as dynamic from "@pulumi/pulumi/dynamic";
import { ALL_FIELDS, CONTROL_FIELDS, GHES_WRITTEN_FIELDS, GhesSettingsInputs } from "./fields";
import { checkInputs, diffInputs, plannedMoveFailure, sameValue, secretValuesOf } from "./inputs";
import { ApplyReport, applyDesired, disablePackages, ProviderContext, readActual } from "./operations";
import { redactError } from "./redact";

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
                changes: changed.length > 0,
                replaces,
                // A new instance gets configured before the old resource is deleted (which by default leaves GHES as is).
                deleteBeforeReplace: false,
            };
        },

        async create(raw: Record<string, unknown>): Promise<dynamic.CreateResult> {
            const ctx = ctxOf();
            return guarded(raw, ctx, async () => {
                const inputs = normalized(raw, ctx, true);
                const report = await applyDesired(inputs, ctx);
                return { id: `ghes-packages:${inputs.hostname}`, outs: compact({ ...inputs, ...report }) };
            });
        },

        async update(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<dynamic.UpdateResult> {
            const ctx = ctxOf();
            const previous = olds as unknown as GhesSettingsOutputs;
            return guarded(news, ctx, async () => {
                const inputs = normalized(news, ctx, true);
                const { changed } = diffInputs(olds, inputs);
                const unapplied = previous.unappliedKeys ?? [];
                // Settings written while applyConfiguration was false still need their run once it is true.
                if (changed.every((k) => CONTROL_FIELDS.has(k)) && !(inputs.applyConfiguration && unapplied.length > 0)) {
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
