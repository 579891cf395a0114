import { runConfiguration } from "./configurationRun";
import { GhesSession, openSession, ProviderContext, readSettings } from "./ghesSession";
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

    const session = await openSession(inputs, ctx, pinnedFingerprint);
    let runNeeded = false;
    let written: string[] = [];
    try {
        ctx.log(`connected to GHES ${session.version ?? "(< 3.8)"} at ${inputs.hostname}, host key ${session.fingerprint}`);
        const current = await readSettings(session.shell);
        const desired = desiredSettings(inputs);
        const refusal = storageMoveRefusal(current, desired, inputs.allowStorageMigration);
        if (refusal) throw new Error(`${inputs.hostname}: ${refusal}`);
        const keys = changedKeys(current, desired);
        written = await writeKeys(session, keys, desired, ctx);
        runNeeded = written.length > 0 || (session.modern && (await lastRunFailed(session)));
        if (runNeeded && !inputs.applyConfiguration) {
            ctx.log("applyConfiguration is false: the settings are written but take effect only after the next configuration run");
        }
        let applyRunId: string | undefined;
        if (runNeeded && inputs.applyConfiguration && !session.modern) {
            applyRunId = await legacyApply(session, inputs, ctx);
        }
        await session.close();
        if (runNeeded && inputs.applyConfiguration && session.modern) {
            applyRunId = (await runConfiguration(session.manage, { timeoutMs: inputs.applyTimeoutSeconds * 1000, maintenanceMode: inputs.maintenanceMode }, ctx)).runId;
        }
        if (!runNeeded) ctx.log("GHES already holds these settings: nothing written, no configuration run");
        return {
            ghesVersion: session.version ?? "unknown (< 3.8)",
            hostKeyFingerprint: session.fingerprint,
            writtenKeys: written,
            applyRunId,
            configuredAt: new Date((ctx.clock ?? Date).now()).toISOString(),
        };
    } finally {
        await session.close();
    }
}

/** Writes keys in order; a failure reports exactly what was and was not written. */
async function writeKeys(session: GhesSession, keys: string[], desired: GhesSettings, ctx: ProviderContext): Promise<string[]> {
    const written: string[] = [];
    const masked = maskSettings(desired);
    for (const key of keys) {
        try {
            await session.shell.setConfig(key, desired[key] as string, SECRET_KEYS.has(key));
        } catch (err) {
            throw new Error(`${(err as Error).message}\n  written before the failure: ${written.join(", ") || "nothing"}; not written: ${keys.slice(written.length).join(", ")}. ` +
                `No configuration run was started, so GHES still runs with its previous settings; run pulumi up again.`);
        }
        written.push(key);
        ctx.log(`ghe-config ${key} = ${masked[key]}`);
    }
    return written;
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

async function legacyApply(session: GhesSession, inputs: GhesSettingsInputs, ctx: ProviderContext): Promise<string> {
    if (inputs.maintenanceMode) ctx.log("WARNING: maintenanceMode needs the Manage API (GHES >= 3.12); the run proceeds without it");
    const started = Date.now();
    ctx.log("ghe-config-apply: running over the admin shell (GHES < 3.12); this takes minutes");
    const r = await session.shell.apply(inputs.applyTimeoutSeconds * 1000);
    if (r.code !== 0) {
        const tail = (r.stderr || r.stdout).trim().split("\n").slice(-8).join("\n    ");
        throw new Error(`ghe-config-apply failed with exit status ${r.code}. The settings are written but not in effect.\n    ${tail}`);
    }
    const runId = `ssh-${new Date(started).toISOString()}`;
    ctx.log(`ghe-config-apply succeeded after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return runId;
}

/** refresh: what GHES holds now, mapped back onto the resource's fields. */
export async function readActual(inputs: GhesSettingsInputs, ctx: ProviderContext, pinnedFingerprint?: string): Promise<{ fields: Partial<GhesSettingsInputs>; version?: string; fingerprint: string }> {
    const session = await openSession(inputs, ctx, pinnedFingerprint);
    try {
        const current = await readSettings(session.shell);
        const fields: Partial<GhesSettingsInputs> = {
            serviceUrl: current[KEYS.storageType] === "s3" ? (current[KEYS.serviceUrl] ?? "") : "",
            bucket: current[KEYS.bucket] ?? "",
            accessKeyId: current[KEYS.accessKeyId] ?? "",
            secretAccessKey: current[KEYS.secretAccessKey] ?? "",
            packagesEnabled: isEnabled(current),
        };
        return { fields, version: session.version, fingerprint: session.fingerprint };
    } finally {
        await session.close();
    }
}

/** delete with onDelete "disable": switch Packages off (storage settings stay) and apply. */
export async function disablePackages(inputs: GhesSettingsInputs, ctx: ProviderContext, pinnedFingerprint?: string): Promise<{ runId?: string }> {
    const session = await openSession(inputs, ctx, pinnedFingerprint);
    try {
        const enabled = (await session.shell.getConfig(KEYS.enabled)) === "true";
        if (!enabled) {
            ctx.log("GitHub Packages is already disabled: nothing to do");
            return {};
        }
        await writeKeys(session, [KEYS.enabled], { [KEYS.enabled]: "false" }, ctx);
        if (!inputs.applyConfiguration) return {};
        if (!session.modern) return { runId: await legacyApply(session, inputs, ctx) };
        await session.close();
        return { runId: (await runConfiguration(session.manage, { timeoutMs: inputs.applyTimeoutSeconds * 1000, maintenanceMode: inputs.maintenanceMode }, ctx)).runId };
    } finally {
        await session.close();
    }
}
