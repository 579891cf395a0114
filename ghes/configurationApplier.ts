import { AdminShell } from "./adminShell";
import { formatDuration, realClock } from "./clock";
import { awaitRun, latestRun, runConfiguration } from "./configurationRun";
import { GhesContext } from "./connection";
import { GhesOperationError, isConnectionLost } from "./errors";
import { ApplyStatus, ManageClient } from "./manageClient";

export interface ConfigurationRunOptions {
    timeoutMs: number;
    /** Hold maintenance mode during the run (Manage API only). */
    maintenanceMode: boolean;
    /** The durable record that this package owns maintenance mode (ghes/applianceJournal.ts). */
    maintenanceClaim?: MaintenanceClaim;
    /** The latest run as read before the settings were written (not read again); a running one is waited for. */
    before?: { status: ApplyStatus | undefined };
    /** Called once the id of the run this operation started is known (so the journal can name it). */
    onStarted?: (runId: string) => Promise<void>;
    /**
     * Before 3.12 (no run ids): a shell snippet run in the same command right after
     * ghe-config-apply succeeded, so its success is recorded even if the answer is lost.
     */
    recordSuccess?: string;
}

export interface MaintenanceClaim {
    /** An interrupted earlier operation of this package left maintenance on: this run ends it. */
    held: boolean;
    /** Records the claim before maintenance is turned on (nothing to do when already recorded). */
    claim(): Promise<void>;
    /** Drops the claim: maintenance is off again, or was never turned on. */
    release(): Promise<void>;
}

/**
 * How an appliance runs its configuration (`ghe-config-apply`): chosen once per appliance
 * from its version, so no caller asks "which GHES is this?" again.
 */
export interface ConfigurationApplier {
    /** For messages: how the run is started. */
    readonly via: string;
    /**
     * Starts a configuration run, waits for it, and resolves with its id; rejects if it failed.
     * `shell`: an admin shell the caller holds open (used where the run needs one).
     */
    run(opts: ConfigurationRunOptions, shell?: AdminShell): Promise<string>;
    /** The latest run, or undefined where the appliance cannot say (no Manage API, or the query is not served). */
    latestRun(): Promise<ApplyStatus | undefined>;
    /** Waits for a run (by id) to end and resolves with how it ended; undefined if the appliance does not know it. */
    awaitRun(runId: string, timeoutMs: number): Promise<ApplyStatus | undefined>;
}

/** GHES 3.12+: POST /manage/v1/config/apply, polled until every node reports. */
export class ManageApiApplier implements ConfigurationApplier {
    readonly via = "the Manage API";
    constructor(private readonly manage: ManageClient, private readonly ctx: GhesContext) {}

    run(opts: ConfigurationRunOptions): Promise<string> {
        return runConfiguration(this.manage, opts, this.ctx);
    }

    latestRun(): Promise<ApplyStatus | undefined> {
        return latestRun(this.manage);
    }

    awaitRun(runId: string, timeoutMs: number): Promise<ApplyStatus | undefined> {
        return awaitRun(this.manage, runId, timeoutMs, this.ctx);
    }
}

/** GHES < 3.12: `ghe-config-apply` over the admin shell, synchronous (minutes; keepalives on). */
export class AdminShellApplier implements ConfigurationApplier {
    readonly via = "the admin shell (ghe-config-apply)";
    constructor(
        private readonly withShell: <T>(fn: (shell: AdminShell) => Promise<T>) => Promise<T>,
        private readonly ctx: GhesContext,
    ) {}

    async run(opts: ConfigurationRunOptions, open?: AdminShell): Promise<string> {
        const { ctx } = this;
        if (opts.maintenanceMode) ctx.log("WARNING: maintenanceMode needs the Manage API (GHES >= 3.12); the run proceeds without it");
        const clock = ctx.clock ?? realClock;
        const started = clock.now();
        ctx.log("ghe-config-apply: running over the admin shell (GHES < 3.12); this takes minutes");
        let r: Awaited<ReturnType<AdminShell["apply"]>>;
        try {
            r = open ? await open.apply(opts.timeoutMs, opts.recordSuccess) : await this.withShell((shell) => shell.apply(opts.timeoutMs, opts.recordSuccess));
        } catch (err) {
            if (!isConnectionLost(err)) throw err;
            throw new GhesOperationError(`${(err as Error).message}. The settings are written but not in effect: the connection was lost before or while ghe-config-apply ran, ` +
                `so it may not have run or finished. Run ghe-config-apply in the admin shell (ssh -p 122 admin@HOST), or run pulumi up again.`);
        }
        if (r.code !== 0) {
            const tail = (r.stderr || r.stdout).trim().split("\n").slice(-8).join("\n    ");
            throw new GhesOperationError(`ghe-config-apply failed with exit status ${r.code}. The settings are written but not in effect.\n    ${tail}`);
        }
        ctx.log(`ghe-config-apply succeeded after ${formatDuration(clock.now() - started)}`);
        return `ssh-${new Date(started).toISOString()}`;
    }

    async latestRun(): Promise<undefined> {
        // No run history without the Manage API (README "Known limits").
        return undefined;
    }

    async awaitRun(): Promise<undefined> {
        return undefined;
    }
}
