import { AdminShell } from "../ghes/adminShell";
import { acquireApplianceLock, lockHeldBy, releaseApplianceLock } from "../ghes/applianceLock";
import { digestMatches, formatJournal, IDLE, JournalEntry, JournalRead, journalWriteScript, readJournalAndConfig, settingsDigest, writeJournal } from "../ghes/applianceJournal";
import { MaintenanceClaim } from "../ghes/configurationApplier";
import { endMaintenance } from "../ghes/configurationRun";
import { ApplyStatus } from "../ghes/manageClient";
import { printable, shown } from "../ghes/outsideText";
import { realClock } from "../ghes/clock";
import { thisProcess } from "../ghes/runnerIdentity";
import { GhesContext } from "../ghes/connection";
import { GhesOperationError, isConnectionLost, SettingsWriteError } from "../ghes/errors";
import type { BatchWriteOutcome } from "../ghes/gheConfigBatch";
import { ecosystemKeys, ecosystemMismatches, ecosystemsFromManageSettings, ecosystemsFromSettings, EcosystemToggles, servesContainerRegistry, writtenToggles } from "../ghes/ecosystemKeys";
import { changedKeys, GhesSettings, inWriteOrder, isEnabled, KEYS, maskSettings, SECRET_KEYS, storageMoveRefusal, WRITE_ORDER } from "../ghes/gheConfigKeys";
import { GhesAppliance } from "../ghes/session";
import { checkStorage, claimBucket, OwnerMarker } from "../storage/storageCheck";
import { GhesSettingsInputs } from "./fields";
import { connectionOf, desiredSettingsOf, fieldsFromGhes, managedKeysOf } from "./inputs";

/** What the provider methods need from their surroundings; tests pass their own. */
export interface ProviderContext extends GhesContext {
    env: Record<string, string | undefined>;
}

/** What an apply reports; becomes the resource's computed outputs. */
export interface ApplyReport {
    ghesVersion: string;
    hostKeyFingerprint: string;
    /** Keys written in this operation (names only). */
    writtenKeys: string[];
    /** Keys written (by this or an earlier operation) that no configuration run has applied yet. */
    unappliedKeys: string[];
    /** Id of the configuration run started by this operation, if any. */
    applyRunId?: string;
    configuredAt: string;
}

const versionOf = (a: GhesAppliance) => a.version ?? "unknown (< 3.8)";

/**
 * create/update: storage check, then write what differs and run the configuration. Writes
 * nothing and runs nothing when GHES already holds the values.
 */
export async function applyDesired(
    inputs: GhesSettingsInputs,
    ctx: ProviderContext,
    pinnedFingerprint?: string,
    unapplied: readonly string[] = [],
    /** Told the appliance once reached, so a failure after first contact can still report its host key. */
    onContact?: (appliance: GhesAppliance) => void,
): Promise<ApplyReport> {
    const claimsBucket = inputs.storageCheck && inputs.packagesEnabled;
    let marker: OwnerMarker | undefined;
    if (claimsBucket) {
        ctx.log(`storage check: using the key on bucket ${inputs.bucket} at ${inputs.serviceUrl} as GHES will`);
        const r = await checkStorage({
            serviceUrl: inputs.serviceUrl,
            bucket: inputs.bucket,
            accessKeyId: inputs.accessKeyId,
            secretAccessKey: inputs.secretAccessKey,
            timeoutMs: inputs.storageCheckTimeoutSeconds * 1000,
            clock: ctx.clock,
            onRetry: ctx.log,
            owner: { hostname: inputs.hostname, allowShared: inputs.allowSharedBucket },
        });
        ctx.log(`storage check: passed (${r.operations.join(", ")}; ${r.requests} requests, ${r.attempts} attempt(s))`);
        marker = r.marker;
    }
    const appliance = await GhesAppliance.connect(connectionOf(inputs, ctx.env, pinnedFingerprint), ctx);
    onContact?.(appliance);
    await refuseContainerRegistryWithoutIsolation(appliance, inputs);
    let toggled: EcosystemToggles = {};
    const outcome = await writeThenApply(appliance, inputs, ctx, async (current) => {
        ctx.log(`connected to GHES ${versionOf(appliance)} at ${inputs.hostname}, host key ${appliance.hostKeyFingerprint}`);
        refuseContainerRegistryWithoutIsolationIn(current, appliance, inputs);
        // What GHES holds decides the toggle writes: only what it does not serve as declared already.
        const desired = desiredSettingsOf(inputs, current);
        const refusal = storageMoveRefusal(current, desired, inputs.allowStorageMigration);
        if (refusal) throw new GhesOperationError(`${inputs.hostname}: ${refusal}`);
        toggled = writtenToggles(inputs.ecosystems ?? {}, Object.keys(desired));
        // Claimed once GHES was reached and its host key verified, before any setting is written:
        // a refused first contact claims nothing.
        if (claimsBucket) {
            const previous = await claimBucket({ ...inputs, owner: { hostname: inputs.hostname, allowShared: inputs.allowSharedBucket }, known: marker });
            marker = undefined; // a repeated attempt (reconnect) reads the marker afresh
            if (previous !== inputs.hostname) ctx.log(`storage check: bucket ${inputs.bucket} now marked as the Packages storage of ${inputs.hostname} (was: ${previous === "absent" ? "no marker" : shown(previous)})`);
        }
        return desired;
    }, unapplied.length > 0, (shell) => verifyEcosystems(appliance, inputs, toggled, shell, ctx));
    if (outcome.adopted) ctx.log(`GHES holds these settings, applied by configuration run ${outcome.runId}: nothing written, no new configuration run`);
    else if (!outcome.runNeeded) ctx.log("GHES already holds these settings: nothing written, no configuration run");
    return {
        ghesVersion: versionOf(appliance),
        hostKeyFingerprint: appliance.hostKeyFingerprint as string,
        writtenKeys: outcome.written,
        // Written but not yet in effect (applyConfiguration false): the next operation that may run, runs.
        unappliedKeys: outcome.runId === undefined && outcome.runNeeded ? [...new Set([...unapplied, ...outcome.written])] : [],
        applyRunId: outcome.runId,
        configuredAt: new Date((ctx.clock ?? realClock).now()).toISOString(),
    };
}

/** refresh: what GHES holds now, mapped back onto the resource's fields. */
export async function readActual(inputs: GhesSettingsInputs, ctx: ProviderContext, pinnedFingerprint?: string): Promise<{ fields: Partial<GhesSettingsInputs>; version?: string; fingerprint: string }> {
    const appliance = await GhesAppliance.connect(connectionOf(inputs, ctx.env, pinnedFingerprint), ctx);
    const current = await appliance.withAdminShell((shell) => shell.readConfig(keysToRead(inputs, appliance)));
    return { fields: fieldsFromGhes(current, inputs), version: appliance.version, fingerprint: appliance.hostKeyFingerprint as string };
}

/** delete with onDelete "disable": switch Packages off (storage settings stay) and apply. */
export async function disablePackages(inputs: GhesSettingsInputs, ctx: ProviderContext, pinnedFingerprint?: string): Promise<{ runId?: string }> {
    const appliance = await GhesAppliance.connect(connectionOf(inputs, ctx.env, pinnedFingerprint), ctx);
    const outcome = await writeThenApply(appliance, inputs, ctx, (current, owner) => {
        // Another resource or stack may have taken the appliance over since: never switch off its storage.
        if (current[KEYS.bucket] !== inputs.bucket || current[KEYS.accessKeyId] !== inputs.accessKeyId) {
            ctx.log(`GHES no longer holds this resource's storage (bucket ${shown(current[KEYS.bucket] ?? "")}): Packages is left as it is`);
            return undefined;
        }
        // The same storage, configured since by a resource that reaches the appliance by another name (a replacement).
        if (owner !== undefined && owner !== inputs.hostname) {
            ctx.log(`GHES was configured since as ${printable(owner)}, not ${inputs.hostname} (this resource was replaced): Packages is left as it is`);
            return undefined;
        }
        if (!isEnabled(current)) {
            ctx.log("GitHub Packages is already disabled: nothing to do");
            return {};
        }
        return { [KEYS.enabled]: "false" };
    });
    return { runId: outcome.runId };
}

interface WriteOutcome {
    /** Keys written (names only), across a reconnect. */
    written: string[];
    runNeeded: boolean;
    /** The run started by this operation, or the one it adopted. */
    runId?: string;
    /** A run started after an interrupted operation's writes was adopted (no new run). */
    adopted?: boolean;
}

/**
 * The one write-then-apply path. Under the appliance's configuration lock (another stack or
 * resource waits, ghes/applianceLock.ts): read the operation journal and the current settings
 * (one command), finish or adopt what an interrupted operation left (ghes/applianceJournal.ts),
 * let `decide` say what the settings should be (or refuse, or leave GHES alone), record in the
 * journal that a run is owed, write what differs, run the configuration if anything was
 * written, is still unapplied, or the last run failed, read the settings back and fail if what
 * the run applied is not what this operation wrote, and end with one command that marks the
 * journal idle and releases the lock.
 */
async function writeThenApply(
    appliance: GhesAppliance,
    inputs: GhesSettingsInputs,
    ctx: ProviderContext,
    decide: (current: GhesSettings, owner: string | undefined) => GhesSettings | undefined | Promise<GhesSettings | undefined>,
    pendingRun = false,
    afterRun?: (shell: AdminShell) => Promise<void>,
): Promise<WriteOutcome> {
    // Kept across a reconnect: a write cut off by a dropped connection may still have landed.
    const outcome: WriteOutcome = { written: [], runNeeded: false };
    const runner = (ctx.runner ?? thisProcess)();
    const holder = runner.holder;
    const underLock = lockHeldBy(holder);
    const applyMs = inputs.applyTimeoutSeconds * 1000;
    const ssh = { hostname: inputs.hostname, port: inputs.sshPort };
    await appliance.withAdminShell(async (shell, markUnrepeatable) => {
        await acquireApplianceLock(shell, { holder, waitMs: applyMs, staleMs: applyMs + STALE_LOCK_MARGIN_MS, holderIsGone: (h) => runner.isGone(h), ssh, clock: ctx.clock, log: ctx.log });
        /** The journal as the appliance holds it, and how this operation leaves it (computed at the end). */
        const j: { now: JournalEntry; start?: JournalRead; done: boolean; claimReleased: boolean; owner?: string } = { now: { ...IDLE }, done: false, claimReleased: false };
        let finished = false;
        // Finished only once the final command ran: a connection lost on the way leaves it to `finally` (reconnect, else WARNING).
        const finish = async (sh: AdminShell) => {
            await finishOperation(sh, holder, journalAtEnd(j, holder), j.done, inputs.hostname, ctx);
            finished = true;
        };
        try {
            const read = await readJournalAndConfig(shell, keysToRead(inputs, appliance));
            const current = read.config;
            j.start = read.journal;
            j.now = read.journal.entry;
            reportJournal(read.journal, current, ctx);
            const latest = await appliance.applier.latestRun();
            const adopted = await adoptRun(appliance, j.now, latest, applyMs, ctx);
            const desired = await decide(current, j.now.owner);
            if (desired === undefined) return;
            // Recorded once per appliance (and when another name took over): see ghes/applianceJournal.ts.
            j.owner = desired[KEYS.bucket] !== undefined ? inputs.hostname : j.now.owner;
            const keys = changedKeys(current, desired);
            const owed = j.now.phase === "owed" && adopted?.successful !== true;
            const lastFailed = adopted === undefined && latest !== undefined && !latest.running && latest.runId !== undefined && !latest.successful;
            outcome.runNeeded = keys.length > 0 || pendingRun || owed || lastFailed;
            const claim: MaintenanceClaim | undefined = appliance.hasManageApi ? {
                held: j.now.maintenance === "ours",
                claim: async () => {
                    if (j.now.maintenance === "ours" && !j.claimReleased) return;
                    const entry: JournalEntry = { ...j.now, maintenance: "ours" };
                    await writeJournal(shell, entry, underLock);
                    j.now = entry;
                    j.claimReleased = false;
                },
                // Dropped from the journal with the command that ends the operation (read back there).
                release: async () => { j.claimReleased = true; },
            } : undefined;
            if (!outcome.runNeeded) {
                if (adopted?.successful) {
                    outcome.adopted = true;
                    outcome.runId = adopted.runId;
                    await verifyApplied(shell, desired, adopted.runId as string);
                    await afterRun?.(shell);
                }
                // An interrupted earlier operation of this package left maintenance on: end it even when nothing needs a run.
                if (claim?.held) await endMaintenanceOrFail(appliance, claim, ctx);
                j.done = true;
                return;
            }
            // Before any setting: the journal says a run is owed, and which run was the latest before the writes.
            if (keys.length > 0 || j.now.phase !== "owed" || j.now.owner !== j.owner) {
                const entry: JournalEntry = {
                    holder, phase: "owed", digest: settingsDigest(desired), keys: Object.keys(desired).filter((k) => desired[k] !== undefined),
                    runBefore: latest ? (latest.runId ?? "none") : undefined, maintenance: j.now.maintenance, owner: j.owner,
                };
                await writeJournal(shell, entry, underLock);
                j.now = entry;
            }
            await writeKeys(shell, keys, desired, ctx, outcome);
            if (!inputs.applyConfiguration) {
                ctx.log("applyConfiguration is false: the settings are written but take effect only after the next configuration run");
                return;
            }
            markUnrepeatable();
            outcome.runId = await appliance.applier.run({
                timeoutMs: applyMs, maintenanceMode: inputs.maintenanceMode, maintenanceClaim: claim, before: { status: latest },
                recordSuccess: `if ${underLock}; then ${journalWriteScript({ ...j.now, holder, phase: "idle", digest: undefined, keys: undefined, runBefore: undefined, run: undefined })}; fi`,
                onStarted: async (runId) => {
                    const entry: JournalEntry = { ...j.now, run: runId };
                    try {
                        await writeJournal(shell, entry, underLock);
                        j.now = entry;
                    } catch (err) {
                        ctx.log(`WARNING: configuration run ${runId} started, but the journal could not name it (${(err as Error).message}); the next operation recognises it as the run after ${j.now.runBefore ?? "the writes"}`);
                    }
                },
            }, shell);
            j.done = true;
            await verifyApplied(shell, desired, outcome.runId).then(() => afterRun?.(shell)).catch(async (err) => {
                if (!isConnectionLost(err)) throw err;
                // The shell did not survive the run (services restart): verify and finish over a fresh one.
                await appliance.withAdminShell(async (fresh) => {
                    await verifyApplied(fresh, desired, outcome.runId as string);
                    await afterRun?.(fresh);
                    await finish(fresh).catch((e) => { if (!isConnectionLost(e)) throw e; });
                });
            });
        } catch (err) {
            // The work is not done: the journal keeps saying so (the maintenance claim goes if maintenance is off).
            j.done = false;
            throw err;
        } finally {
            if (!finished) {
                await finish(shell).catch(async (err) => {
                    if (!isConnectionLost(err)) throw err;
                    await appliance.withAdminShell((fresh) => finish(fresh));
                }).catch((err) => {
                    ctx.log(`WARNING: the configuration lock and journal on ${inputs.hostname} could not be updated (${(err as Error).message}). ` +
                        `The next operation adopts what this one did instead of repeating it; a lock left behind is broken once its holder is known to be gone or stale.`);
                });
            }
        }
    });
    return outcome;
}

const LOCK_NOT_HELD = "WARNING: the configuration lock was no longer this operation's (broken by another as stale): the lock and the journal are left as they are";

/** How the journal should read when this operation ends; undefined: leave it as it is. */
function journalAtEnd(j: { now: JournalEntry; start?: JournalRead; done: boolean; claimReleased: boolean; owner?: string }, holder: string): JournalEntry | undefined {
    const maintenance = j.claimReleased ? "no" : j.now.maintenance;
    const end: JournalEntry = j.done ? { holder, phase: "idle", maintenance, owner: j.owner ?? j.now.owner } : { ...j.now, maintenance };
    const changed = formatJournal({ ...end, holder: undefined }) !== formatJournal({ ...j.now, holder: undefined });
    return changed || j.start?.legacy || j.start?.unreadable ? end : undefined;
}

/**
 * The command that ends an operation: the journal's final entry (only while this operation
 * holds the lock, read back) and the lock's release. If the journal could not be written after
 * a successful run, the operation still succeeds with a WARNING: the run was verified, and the
 * journal's `runBefore` makes the next operation adopt that run instead of starting another.
 */
async function finishOperation(shell: AdminShell, holder: string, end: JournalEntry | undefined, done: boolean, hostname: string, ctx: ProviderContext): Promise<void> {
    let released: "released" | "not-held";
    try {
        released = await releaseApplianceLock(shell, holder, end ? journalWriteScript(end) : undefined);
    } catch (err) {
        if (isConnectionLost(err)) throw err;
        ctx.log(`WARNING: the operation journal on ${hostname} could not be updated (${printable((err as Error).message, 300)}). ` +
            (done ? "The configuration run succeeded and was verified; the next operation recognises that run and adopts it instead of starting another."
                : "It still says what the next operation must finish."));
        return;
    }
    if (released === "not-held") ctx.log(LOCK_NOT_HELD);
}

/** Logs what the journal says (values from the appliance, made printable). */
function reportJournal(read: JournalRead, current: GhesSettings, ctx: ProviderContext): void {
    const e = read.entry;
    if (read.unreadable) ctx.log("WARNING: the operation journal on the appliance (~/.ghes-packages-s3.journal) is not one this version can read: assuming a configuration run is owed");
    if (read.legacy) ctx.log("found the records of ghes-packages-s3 0.2.0 on the appliance: honoured, and replaced by the operation journal");
    if (e.phase === "owed") {
        const same = digestMatches(e, current) ? "its settings are all in place" : "its settings may be partly written";
        ctx.log(`an earlier operation${e.holder ? ` (${printable(e.holder)})` : ""} wrote settings and no successful configuration run is known to have applied them (${same})`);
    }
}

/**
 * An owed run: a run that started after the interrupted operation's writes applies them, so
 * it is adopted (waited for, its outcome checked) instead of starting another. Recognised by
 * the id the journal names, or as the latest run when that is not the one before the writes.
 */
async function adoptRun(appliance: GhesAppliance, e: JournalEntry, latest: ApplyStatus | undefined, timeoutMs: number, ctx: ProviderContext): Promise<ApplyStatus | undefined> {
    if (e.phase !== "owed" || !appliance.hasManageApi) return undefined;
    const afterWrites = latest?.runId !== undefined && e.runBefore !== undefined && latest.runId !== e.runBefore ? latest.runId : e.run;
    if (afterWrites === undefined) return undefined;
    let status = latest?.runId === afterWrites ? latest : undefined;
    if (!status || status.running) {
        ctx.log(`configuration run ${printable(afterWrites)} started after the interrupted operation's writes; waiting for it instead of starting another`);
        status = await appliance.applier.awaitRun(afterWrites, timeoutMs);
    }
    if (status === undefined) return undefined;
    ctx.log(status.successful ? `configuration run ${printable(afterWrites)}, started after the interrupted operation's writes, succeeded: adopted, no new run`
        : `configuration run ${printable(afterWrites)}, started after the interrupted operation's writes, failed: a new run is needed`);
    return { ...status, runId: afterWrites };
}

async function endMaintenanceOrFail(appliance: GhesAppliance, claim: MaintenanceClaim, ctx: ProviderContext): Promise<void> {
    ctx.log("maintenance mode: this package's claim from an interrupted earlier operation is still recorded; ending the window it turned on, if still on");
    try {
        await endMaintenance(appliance.manage, claim, ctx);
    } catch (err) {
        throw new GhesOperationError(`maintenance mode is still on (left by an interrupted earlier operation) and could not be turned off: ${(err as Error).message}. Turn it off in the Management Console.`);
    }
}

/**
 * What an operation reads first: the storage keys (for the guards), every key the inputs manage
 * (both keys of each ecosystem toggle) and, before 3.12, subdomain isolation where the
 * Container registry is to be served.
 */
function keysToRead(inputs: GhesSettingsInputs, appliance: GhesAppliance): string[] {
    const isolation = !appliance.hasManageApi && servesContainerRegistry(inputs.ecosystems) ? [SUBDOMAIN_ISOLATION_KEY] : [];
    return inWriteOrder([...WRITE_ORDER, ...managedKeysOf(inputs), ...isolation]);
}

/**
 * Subdomain isolation as ghe-config holds it. GHES's configuration code reads
 * `raw_config["subdomain-isolation"]` beside `raw_config["github-hostname"]`, which is
 * `ghe-config core.github-hostname` (GHES docs, "Command-line utilities"); a key without a
 * section (`ghe-config subdomain-isolation`) is refused by git config with exit status 1, the
 * same as "unset", so it would always read as off.
 */
const SUBDOMAIN_ISOLATION_KEY = "core.subdomain-isolation";

const isolationRefusal = (inputs: GhesSettingsInputs, how: string) => new GhesOperationError(
    `ecosystems.container: the Container registry needs subdomain isolation, which is off on ${inputs.hostname} (${how}); nothing was written. ` +
    `Enable it first (GHES docs: "Enabling subdomain isolation": wildcard DNS and a wildcard TLS certificate), or set container to "disabled".`);

/**
 * The Container registry needs subdomain isolation (GHES docs: "Enabling subdomain isolation",
 * and "Configuring package ecosystem support for your enterprise"). Checked before anything is
 * written: 3.12+ through the documented `subdomain_isolation` setting.
 */
async function refuseContainerRegistryWithoutIsolation(appliance: GhesAppliance, inputs: GhesSettingsInputs): Promise<void> {
    if (!servesContainerRegistry(inputs.ecosystems) || !appliance.hasManageApi) return;
    const settings = await appliance.manage.settings();
    if (settings.subdomain_isolation === false) throw isolationRefusal(inputs, "the Manage API reports subdomain_isolation false");
}

/** Before 3.12, from the settings read first: unset or false is off (nil and false are falsy to GHES's Ruby). */
function refuseContainerRegistryWithoutIsolationIn(current: GhesSettings, appliance: GhesAppliance, inputs: GhesSettingsInputs): void {
    if (!servesContainerRegistry(inputs.ecosystems) || appliance.hasManageApi) return;
    const v = current[SUBDOMAIN_ISOLATION_KEY];
    if (v === undefined || v === "false") throw isolationRefusal(inputs, `ghe-config ${SUBDOMAIN_ISOLATION_KEY} is ${v === undefined ? "unset" : "false"}`);
}

/**
 * After the run, the toggles this operation wrote must be served as declared: GHES's own rule
 * over both keys as read back now, and, where the Manage API reports them (3.12+;
 * `feature_toggles` is undocumented, so its absence is tolerated), as it reports them. A
 * version that ignores a key shows here. Toggles served by default are not judged against the
 * Manage API: how it derives a default is not published.
 */
async function verifyEcosystems(appliance: GhesAppliance, inputs: GhesSettingsInputs, toggled: EcosystemToggles, shell: AdminShell, ctx: ProviderContext): Promise<void> {
    if (Object.keys(toggled).length === 0) return;
    const served = ecosystemsFromSettings(await shell.readConfig(ecosystemKeys(toggled)), toggled) as EcosystemToggles;
    const wrongHere = ecosystemMismatches(toggled, served);
    if (wrongHere.length > 0) {
        throw new GhesOperationError(`the configuration run finished, but by GHES's own rule the appliance does not serve the ecosystem toggles that were written (${wrongHere.join("; ")}): ` +
            `another writer changed them meanwhile. Find out who, then run pulumi up again.`);
    }
    if (!appliance.hasManageApi) return;
    const reported = ecosystemsFromManageSettings(await appliance.manage.settings(), toggled);
    if (Object.keys(reported).length === 0) {
        ctx.log("the Manage API does not report feature_toggles.packages (undocumented): the toggles were verified through ghe-config only");
        return;
    }
    const wrong = ecosystemMismatches(toggled, reported);
    if (wrong.length > 0) {
        throw new GhesOperationError(`the configuration run finished, but the appliance does not report the ecosystem toggles that were written (${wrong.join("; ")}). ` +
            `This GHES version may not know these admin-shell keys (they are observed, not documented); set the toggles in the Management Console and leave them out of ecosystems.`);
    }
}

/** A lock is stale once older than the longest configuration run plus this margin. */
const STALE_LOCK_MARGIN_MS = 10 * 60_000;

/** After a run: the appliance must still hold what this operation wrote (no other writer in between). */
async function verifyApplied(shell: AdminShell, desired: GhesSettings, runId: string): Promise<void> {
    const keys = inWriteOrder(Object.keys(desired)).filter((k) => desired[k] !== undefined);
    const now = await shell.readConfig(keys);
    const changed = keys.filter((k) => now[k] !== desired[k]);
    if (changed.length === 0) return;
    throw new GhesOperationError(`configuration run ${runId} finished, but the appliance no longer holds what this operation wrote: ${changed.join(", ")} changed meanwhile. ` +
        `Another writer (the Management Console, ghe-config by hand, or a tool without this package's lock) configured it at the same time, so the run may have applied a mix. ` +
        `Find out who, then run pulumi up again.`);
}

/** The journal was written before any setting (writeThenApply). */
const RUN_OWED = "The journal on the appliance records that a configuration run is owed: the next pulumi up finishes it.";

/** What a failed settings write means for the appliance and the next pulumi up. */
const AFTER_FAILED_WRITE: Record<BatchWriteOutcome["kind"], string> = {
    "nothing-written": "No configuration run was started; GHES stores and runs with its previous settings. Run pulumi up again.",
    restored: "GHES stores its previous settings again (nothing of this operation is left); no configuration run was started. Run pulumi up again.",
    "restore-failed": "GHES stores a mix of previous and new values, as listed; no configuration run was started. " +
        "Do not start one (Save settings in the Management Console) before pulumi up has written the settings again: run pulumi up again now.",
    unknown: "Some or all of the settings may be stored but no configuration run was started. Run pulumi up again: it reads what GHES stores and writes what differs.",
};

/**
 * Writes the keys in write order with one remote command, all or nothing (the key pair can
 * never be left half-written); a failure reports exactly what GHES stores now.
 */
async function writeKeys(shell: AdminShell, keys: string[], desired: GhesSettings, ctx: GhesContext, progress: { written: string[] }): Promise<void> {
    if (keys.length === 0) return;
    const masked = maskSettings(desired);
    try {
        await shell.setConfigs(keys.map((key) => ({ key, value: desired[key] as string, secret: SECRET_KEYS.has(key) })));
    } catch (err) {
        // A lost connection is retried with a fresh shell (the writes are idempotent).
        if (isConnectionLost(err) || !(err instanceof SettingsWriteError)) throw err;
        throw new GhesOperationError(`${err.message}.\n  ${AFTER_FAILED_WRITE[err.outcome.kind]} ${RUN_OWED}`);
    }
    for (const key of keys) {
        if (!progress.written.includes(key)) progress.written.push(key);
        ctx.log(`ghe-config ${key} = ${masked[key]}`);
    }
}
