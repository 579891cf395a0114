import type * as dynamic from "@pulumi/pulumi/dynamic";
import { applyDesired, disablePackages, readActual } from "./ghesOperations";
import { ProviderContext } from "./ghesSession";
import { ALL_INPUT_FIELDS, checkInputs, CONTROL_FIELDS, diffInputs, GhesSettingsInputs, PASSWORD_ENV, plannedMoveFailure, SECRET_INPUTS } from "./inputs";
import { redactError } from "./redact";

/** Outputs beyond the inputs. */
export interface GhesSettingsComputed {
    ghesVersion: string;
    hostKeyFingerprint: string;
    applyRunId?: string;
    configuredAt: string;
    writtenKeys: string[];
}

export type GhesSettingsOutputs = GhesSettingsInputs & GhesSettingsComputed;

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

function secretsOf(values: Record<string, unknown>, ctx: ProviderContext): string[] {
    const out: string[] = [];
    for (const k of SECRET_INPUTS) {
        const v = values[k];
        if (typeof v === "string") out.push(v);
    }
    const envPassword = ctx.env[PASSWORD_ENV];
    if (envPassword) out.push(envPassword);
    return out;
}

/** Runs a provider method with every error scrubbed of secrets. */
async function guarded<T>(values: Record<string, unknown>, ctx: ProviderContext, fn: () => Promise<T>): Promise<T> {
    try {
        return await fn();
    } catch (err) {
        throw redactError(err, secretsOf(values, ctx));
    }
}

/**
 * Inputs with defaults filled, for methods the engine may call without a preceding check
 * (read and delete get state; a direct caller may skip check). With `strict`, invalid input
 * is refused before any network call, naming every bad field.
 */
function normalized<T extends GhesSettingsInputs>(raw: Record<string, unknown>, ctx: ProviderContext, strict: boolean): T {
    const { inputs, failures } = checkInputs(raw, ctx.env);
    if (strict && failures.length > 0) throw new Error(`invalid inputs:\n  - ${failures.map((f) => f.reason).join("\n  - ")}`);
    return inputs as T;
}

/** Drops undefined values: the host encodes results as protobuf Structs, which have no undefined. */
function compact(values: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}

function inputsOf(props: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const k of ALL_INPUT_FIELDS) if (props[k] !== undefined) out[k] = props[k];
    return out;
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
            return { inputs: compact(inputs as unknown as Record<string, unknown>), failures };
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
                const { changed } = diffInputs(olds, inputs as unknown as Record<string, unknown>);
                if (changed.every((k) => CONTROL_FIELDS.has(k))) {
                    ctx.log(`only provider settings changed (${changed.join(", ")}): GHES is not contacted`);
                    const { ghesVersion, hostKeyFingerprint, applyRunId, configuredAt, writtenKeys } = previous;
                    return { outs: compact({ ...inputs, ghesVersion, hostKeyFingerprint, applyRunId, configuredAt, writtenKeys }) };
                }
                const report = await applyDesired(inputs, ctx, previous.hostKeyFingerprint);
                return { outs: compact({ ...inputs, ...report, applyRunId: report.applyRunId ?? previous.applyRunId }) };
            });
        },

        async read(id: string, props: Record<string, unknown>): Promise<dynamic.ReadResult> {
            const ctx = ctxOf();
            return guarded(props, ctx, async () => {
                const state = normalized<GhesSettingsOutputs>(props, ctx, false);
                const actual = await readActual(state, ctx, state.hostKeyFingerprint);
                const outs = { ...state, ...actual.fields, ghesVersion: actual.version ?? state.ghesVersion, hostKeyFingerprint: actual.fingerprint };
                const drift = (["serviceUrl", "bucket", "accessKeyId", "secretAccessKey", "packagesEnabled"] as const)
                    .filter((k) => state[k] !== outs[k]);
                ctx.log(drift.length ? `refresh: GHES differs from the last deployment in ${drift.join(", ")}` : "refresh: GHES matches the last deployment");
                return { id, props: compact(outs), inputs: compact(inputsOf(outs)) };
            });
        },

        async delete(_id: string, props: Record<string, unknown>): Promise<void> {
            const ctx = ctxOf();
            await guarded(props, ctx, async () => {
                const state = normalized<GhesSettingsOutputs>(props, ctx, false);
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
