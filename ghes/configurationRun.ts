import { backoffDelay, pollUntil } from "./backoff";
import { formatDuration, realClock } from "./clock";
import { GhesContext } from "./connection";
import { GhesOperationError, ManageApiError } from "./errors";
import { ConfigurationRunOptions, MaintenanceClaim } from "./configurationApplier";
import { ApplyStatus, ManageClient } from "./manageClient";

/** The poll schedule for configuration runs: quick at first, then every 10 s at most. */
export const RUN_POLL = { initialMs: 500, factor: 1.5, maxMs: 10000 };

/** Status answers in a row that do not describe the run just started, before giving up on it. */
const UNKNOWN_RUN_POLLS = 5;

/**
 * Starts a configuration run through the Manage API and waits for it: waits first for a
 * run someone else started, optionally holds maintenance mode, and succeeds only when every
 * node reports success; resolves with the run id. Failure names the run id and the last events.
 */
export async function runConfiguration(manage: ManageClient, opts: ConfigurationRunOptions, ctx: GhesContext): Promise<string> {
    const clock = ctx.clock ?? realClock;
    const started = clock.now();
    const deadline = started + opts.timeoutMs;
    const remaining = () => Math.max(1, deadline - clock.now());
    let before: ApplyStatus | undefined;
    const waitIdle = async (why: string, known?: { status: ApplyStatus | undefined }) => {
        const latest = known ? known.status : await latestRun(manage);
        before = latest;
        if (!latest?.running) return;
        ctx.log(`${why}: configuration run ${latest.runId ?? "(unknown id)"} is in progress; waiting for it to end`);
        await pollUntil(async () => ((await manage.applyStatus()).running ? undefined : true),
            { ...RUN_POLL, timeoutMs: remaining(), describe: "the configuration run already in progress", clock: ctx.clock });
    };

    /** After a lost answer to POST: the run that started since, if one did; else a POST again is safe. */
    const adoptStartedRun = async (lost: ManageApiError): Promise<string | undefined> => {
        const latest = await latestRun(manage).catch(() => undefined);
        if (latest === undefined) {
            throw new GhesOperationError(`${lost.message}. A configuration run may have started; it was not started again (the appliance cannot list its latest run). ` +
                `Check the Management Console, then run pulumi up again.`);
        }
        if (latest.runId !== undefined && latest.runId !== before?.runId) {
            ctx.log(`the answer to POST /manage/v1/config/apply was lost; adopting configuration run ${latest.runId}, which it started`);
            return latest.runId;
        }
        ctx.log("the answer to POST /manage/v1/config/apply was lost and no new run started; starting it now");
        return undefined;
    };

    /**
     * Whether a refused POST means "a run is in progress". Not documented (the descriptions list
     * 200, 400 and 401): a busy status (409/423/429), or any other 4xx while the appliance reports
     * a run in progress (tests/provider/undocumentedAnswers.test.ts feeds 409, 423, 400 and 422).
     */
    const busyAnswer = async (err: unknown): Promise<boolean> => {
        if (!(err instanceof ManageApiError)) return false;
        if (err.kind === "busy") return true;
        return err.kind === "client" && (await latestRun(manage).catch(() => undefined))?.running === true;
    };

    await waitIdle("before starting", opts.before);
    const claim = opts.maintenanceClaim;
    // Ours: turned on by this run, or left on by an interrupted earlier one (its claim is in the journal).
    let enabledMaintenance = false;
    if (claim?.held) {
        // Only a window that is still on is this package's to end; a claim without one is just dropped.
        if ((await manage.maintenanceStatus()) === "on") {
            enabledMaintenance = true;
            ctx.log("maintenance mode: still on from an interrupted earlier operation of this package; it ends after this run");
        } else {
            await claim.release();
        }
    }
    try {
        if (opts.maintenanceMode && !enabledMaintenance) {
            const status = await manage.maintenanceStatus();
            if (status !== "off") {
                ctx.log(`maintenance mode: already ${status} (an operator's window): left as it is`);
            } else {
                await claim?.claim();
                ctx.log("maintenance mode: on for the configuration run");
                enabledMaintenance = true;
                try {
                    await manage.setMaintenance(true);
                } catch (err) {
                    // A definite refusal (e.g. 403) turned nothing on: the claim goes, so no later operation ends a window that is not this package's.
                    if (err instanceof ManageApiError && !err.answerLost && !err.retriable) {
                        enabledMaintenance = false;
                        await claim?.release();
                    }
                    throw err;
                }
            }
        }
        let runId: string | undefined;
        for (let attempt = 1; runId === undefined; attempt++) {
            try {
                runId = await manage.startApply();
            } catch (err) {
                if (err instanceof ManageApiError && (err.answerLost || err.kind === "server")) {
                    // The POST may have started a run although no answer came back: adopt that run, never start a second.
                    runId = await adoptStartedRun(err);
                    continue;
                }
                if (clock.now() >= deadline || !(await busyAnswer(err))) throw err;
                await clock.sleep(backoffDelay(attempt - 1, RUN_POLL));
                await waitIdle(`POST /manage/v1/config/apply answered HTTP ${(err as ManageApiError).status}`);
            }
        }
        ctx.log(`configuration run ${runId} started; waiting (timeout ${formatDuration(opts.timeoutMs)})`);
        await opts.onStarted?.(runId);
        // Its own run: an unknown id fails (own = true), so a status always comes back.
        const status = (await awaitRun(manage, runId, remaining(), ctx, true)) as ApplyStatus;
        reportOutcome(runId, status, clock.now() - started, ctx);
        if (!status.successful) await failedRun(manage, runId, status);
        return runId;
    } finally {
        // An operator's window (on or scheduled before this run) is theirs: only what this package turned on is turned off.
        if (enabledMaintenance) {
            try {
                await endMaintenance(manage, claim, ctx);
            } catch (err) {
                // eslint-disable-next-line no-unsafe-finally -- leaving the appliance in maintenance must fail the operation
                throw new GhesOperationError(`maintenance mode is still on: it could not be turned off after the configuration run (${(err as Error).message}). ` +
                    `Turn it off in the Management Console (or POST /manage/v1/maintenance {"enabled": false}).`);
            }
        }
    }
}

function reportOutcome(runId: string, status: ApplyStatus, durationMs: number, ctx: GhesContext): void {
    if (status.successful) ctx.log(`configuration run ${runId} succeeded on ${status.nodes.length || 1} node(s) after ${formatDuration(durationMs)}`);
}

/** Throws the failure of a run, naming it, the failed nodes and the last events. */
export async function failedRun(manage: ManageClient, runId: string, status: ApplyStatus): Promise<never> {
    const failedNodes = status.nodes.filter((n) => n.successful === false).map((n) => n.hostname ?? "?");
    const events = await manage.applyEvents().catch(() => []);
    const last = events.slice(-8).map((e) => `    ${e.timestamp ?? ""} ${e.hostname ?? ""} ${e.severity ?? ""} ${e.body ?? ""}`.trimEnd());
    throw new GhesOperationError(`configuration run ${runId} failed${failedNodes.length ? ` on ${failedNodes.join(", ")}` : ""}. ` +
        `The settings are written but not in effect; fix the cause and run pulumi up again.` +
        (last.length ? `\n  last events:\n${last.join("\n")}` : ""));
}

/** The latest run, or undefined where the latest-run query (no run_id) is not served. */
export async function latestRun(manage: ManageClient): Promise<ApplyStatus | undefined> {
    try {
        return await manage.applyStatus();
    } catch (err) {
        if (err instanceof ManageApiError && !err.retriable && err.status !== undefined) return undefined;
        throw err;
    }
}

/**
 * Polls a run until it ends. How an unknown run_id is answered is not documented (no 404 in
 * the descriptions): a 404, a 400 or an empty 200 may mean a run not registered yet, so it is
 * waited for within a bound; then `own` (the run this operation started) fails naming it, and
 * another's run (one an interrupted operation may have started) resolves undefined.
 */
export async function awaitRun(manage: ManageClient, runId: string, timeoutMs: number, ctx: GhesContext, own = false): Promise<ApplyStatus | undefined> {
    const clock = ctx.clock ?? realClock;
    const started = clock.now();
    let polls = 0;
    let unknown = 0;
    const notKnownYet = (answer: string): undefined => {
        if (++unknown < UNKNOWN_RUN_POLLS) return undefined;
        throw new UnknownRun(`the appliance does not know configuration run ${runId} (asked ${unknown} times; last answer: ${answer}). ` +
            `It may not have started, or the appliance cannot report it: check the Management Console, then run pulumi up again.`);
    };
    try {
        return await pollUntil<ApplyStatus>(async () => {
            let s: ApplyStatus;
            try {
                s = await manage.applyStatus(runId);
            } catch (err) {
                if (err instanceof ManageApiError && (err.kind === "not-found" || err.kind === "client")) return notKnownYet(`HTTP ${err.status}`);
                // Services restart during a run: an unreachable or 5xx Manage API is not a failed run.
                if (!(err instanceof ManageApiError) || !err.retriable) throw err;
                ctx.log(`configuration run ${runId}: status not available (${err.message}); still waiting`);
                return undefined;
            }
            // An answer about no run at all (no id, no node, nothing running or successful) does not describe this one.
            if (s.runId !== runId && s.nodes.length === 0 && !s.running && !s.successful) return notKnownYet("a status without this run");
            unknown = 0;
            if (++polls % 6 === 0) ctx.log(`configuration run ${runId}: still running (${Math.round((clock.now() - started) / 1000)} s)`);
            return s.running ? undefined : { ...s, runId };
        }, { ...RUN_POLL, timeoutMs, describe: `configuration run ${runId}`, clock: ctx.clock });
    } catch (err) {
        if (!(err instanceof UnknownRun)) throw err;
        if (own) throw new GhesOperationError(err.message);
        return undefined;
    }
}

class UnknownRun extends Error {}

/**
 * Ends maintenance mode this package turned on, then drops its claim: only a window that is
 * "on" is ended (a scheduled one is an operator's), and "off" is checked afterwards.
 */
export async function endMaintenance(manage: ManageClient, claim: MaintenanceClaim | undefined, ctx: GhesContext): Promise<void> {
    const status = await manage.maintenanceStatus();
    if (status === "on") {
        await manage.setMaintenance(false);
        const after = await manage.maintenanceStatus();
        if (after === "on") throw new GhesOperationError("POST /manage/v1/maintenance {\"enabled\": false} was answered, but the appliance still reports maintenance mode on");
        ctx.log("maintenance mode: off");
    } else if (status === "scheduled") {
        ctx.log("maintenance mode: a window is scheduled (an operator's, not this package's): left as it is");
    }
    await claim?.release();
}
