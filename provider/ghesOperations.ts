import { realClock } from "./backoff";
import { runConfiguration } from "./configurationRun";
import { GhesSession, ProviderContext, readSettings, withSession } from "./ghesSession";
import { GhesSettingsInputs } from "./inputs";
import { changedKeys, desiredSettings, GhesSettings, isEnabled, KEYS, maskSettings, SECRET_KEYS, storageMoveRefusal } from "./settings";
import { checkStorage } from "./storageCheck";

/** What an apply reports; becomes the resource's computed outputs. */
export interface ApplyReport {
    ghesVersion: string;
    hostKeyFingerprint: string;
    /** Keys written in this operation (names only). */
    writtenKeys: string[];
    /** Id of the configuration run started by this operation, if any. */
    applyRunId?: string;
    configuredAt: string;
}

/**
 * create/update: storage check, read GHES, guard, write what differs, run the configuration,
 * wait for success. Writes nothing and runs nothing when GHES already holds the values.
 */
export async function applyDesired(inputs: GhesSettingsInputs, ctx: ProviderContext, pinnedFingerprint?: string): Promise<ApplyReport> {
    if (inputs.storageCheck && inputs.packagesEnabled) {
        ctx.log(`storage check: using the key on bucket ${inputs.bucket} at ${inputs.serviceUrl} as GHES will`);
        const r = await checkStorage({
            serviceUrl: inputs.serviceUrl,
            bucket: inputs.bucket,
            accessKeyId: inputs.accessKeyId,
            secretAccessKey: inputs.secretAccessKey,
            timeoutMs: inputs.storageCheckTimeoutSeconds * 1000,
            clock: ctx.clock,
            onRetry: ctx.log,
        });
        ctx.log(`storage check: passed (${r.operations.join(", ")}; ${r.requests} requests, ${r.attempts} attempt(s))`);
    }

    // Kept across a reconnect: a write cut off by a dropped connection may still have landed.
    const progress: WriteProgress = { attempted: false, written: [] };
    const outcome = await withSession(inputs, ctx, pinnedFingerprint, async (session, markUnrepeatable) => {
        ctx.log(`connected to GHES ${session.version ?? "(< 3.8)"} at ${inputs.hostname}, host key ${session.fingerprint}`);
        const current = await readSettings(session.shell);
        const desired = desiredSettings(inputs);
        const refusal = storageMoveRefusal(current, desired, inputs.allowStorageMigration);
        if (refusal) throw new Error(`${inputs.hostname}: ${refusal}`);
        await writeKeys(session, changedKeys(current, desired), desired, ctx, progress);
        const runNeeded = progress.attempted || (session.modern && (await lastRunFailed(session)));
        let applyRunId: string | undefined;
        if (runNeeded && !inputs.applyConfiguration) {
            ctx.log("applyConfiguration is false: the settings are written but take effect only after the next configuration run");
        } else if (runNeeded && !session.modern) {
            markUnrepeatable();
            applyRunId = await legacyApply(session, inputs, ctx);
        }
        return { session, runNeeded, applyRunId };
    });
    const { session, runNeeded } = outcome;
    let applyRunId = outcome.applyRunId;
    // The temporary SSH key is gone by now: the run is started and watched through the Manage API only.
    if (runNeeded && inputs.applyConfiguration && session.modern) {
        applyRunId = await apiApply(session, inputs, ctx);
    }
    if (!runNeeded) ctx.log("GHES already holds these settings: nothing written, no configuration run");
    return {
        ghesVersion: session.version ?? "unknown (< 3.8)",
        hostKeyFingerprint: session.fingerprint,
        writtenKeys: progress.written,
        applyRunId,
        configuredAt: new Date((ctx.clock ?? Date).now()).toISOString(),
    };
}

interface WriteProgress {
    /** A write was sent (even if its answer was lost). */
    attempted: boolean;
    written: string[];
}

/** Writes keys in order; a failure reports exactly what was and was not written. */
async function writeKeys(session: GhesSession, keys: string[], desired: GhesSettings, ctx: ProviderContext, progress: WriteProgress): Promise<void> {
    const written: string[] = [];
    const masked = maskSettings(desired);
    for (const key of keys) {
        progress.attempted = true;
        try {
            await session.shell.setConfig(key, desired[key] as string, SECRET_KEYS.has(key));
        } catch (err) {
            throw new Error(`${(err as Error).message}\n  written before the failure: ${written.join(", ") || "nothing"}; not written: ${keys.slice(written.length).join(", ")}. ` +
                `No configuration run was started, so GHES still runs with its previous settings; run pulumi up again.`);
        }
        written.push(key);
        if (!progress.written.includes(key)) progress.written.push(key);
        ctx.log(`ghe-config ${key} = ${masked[key]}`);
    }
}

/** A previous operation may have written the values and then failed its run: run again in that case. */
async function lastRunFailed(session: GhesSession): Promise<boolean> {
    try {
        const s = await session.manage.applyStatus();
        return !s.running && s.runId !== undefined && !s.successful;
    } catch {
        return false;
    }
}

/** GHES 3.12+: start the configuration run through the Manage API and wait for it. */
async function apiApply(session: GhesSession, inputs: GhesSettingsInputs, ctx: ProviderContext): Promise<string> {
    return runConfiguration(session.manage, { timeoutMs: inputs.applyTimeoutSeconds * 1000, maintenanceMode: inputs.maintenanceMode }, ctx);
}

/** GHES < 3.12: `ghe-config-apply` over the admin shell, synchronous. */
async function legacyApply(session: GhesSession, inputs: GhesSettingsInputs, ctx: ProviderContext): Promise<string> {
    if (inputs.maintenanceMode) ctx.log("WARNING: maintenanceMode needs the Manage API (GHES >= 3.12); the run proceeds without it");
    const clock = ctx.clock ?? realClock;
    const started = clock.now();
    ctx.log("ghe-config-apply: running over the admin shell (GHES < 3.12); this takes minutes");
    const r = await session.shell.apply(inputs.applyTimeoutSeconds * 1000);
    if (r.code !== 0) {
        const tail = (r.stderr || r.stdout).trim().split("\n").slice(-8).join("\n    ");
        throw new Error(`ghe-config-apply failed with exit status ${r.code}. The settings are written but not in effect.\n    ${tail}`);
    }
    const runId = `ssh-${new Date(started).toISOString()}`;
    ctx.log(`ghe-config-apply succeeded after ${((clock.now() - started) / 1000).toFixed(1)} s`);
    return runId;
}

/** refresh: what GHES holds now, mapped back onto the resource's fields. */
export async function readActual(inputs: GhesSettingsInputs, ctx: ProviderContext, pinnedFingerprint?: string): Promise<{ fields: Partial<GhesSettingsInputs>; version?: string; fingerprint: string }> {
    return withSession(inputs, ctx, pinnedFingerprint, async (session) => {
        const current = await readSettings(session.shell);
        const fields: Partial<GhesSettingsInputs> = {
            serviceUrl: current[KEYS.storageType] === "s3" ? (current[KEYS.serviceUrl] ?? "") : "",
            bucket: current[KEYS.bucket] ?? "",
            accessKeyId: current[KEYS.accessKeyId] ?? "",
            secretAccessKey: current[KEYS.secretAccessKey] ?? "",
            packagesEnabled: isEnabled(current),
        };
        return { fields, version: session.version, fingerprint: session.fingerprint };
    });
}

/** delete with onDelete "disable": switch Packages off (storage settings stay) and apply. */
export async function disablePackages(inputs: GhesSettingsInputs, ctx: ProviderContext, pinnedFingerprint?: string): Promise<{ runId?: string }> {
    const progress: WriteProgress = { attempted: false, written: [] };
    const outcome = await withSession(inputs, ctx, pinnedFingerprint, async (session, markUnrepeatable) => {
        const enabled = (await session.shell.getConfig(KEYS.enabled)) === "true";
        if (enabled) await writeKeys(session, [KEYS.enabled], { [KEYS.enabled]: "false" }, ctx, progress);
        if (!progress.attempted) {
            ctx.log("GitHub Packages is already disabled: nothing to do");
            return { session, runId: undefined };
        }
        if (!inputs.applyConfiguration || session.modern) return { session, runId: undefined };
        markUnrepeatable();
        return { session, runId: await legacyApply(session, inputs, ctx) };
    });
    const { session } = outcome;
    if (!progress.attempted || !inputs.applyConfiguration || !session.modern) return { runId: outcome.runId };
    return { runId: await apiApply(session, inputs, ctx) };
}
