import { strict as assert } from "node:assert";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { KEYS } from "../../../ghes/gheConfigKeys";
import { RunnerIdentity } from "../../../ghes/runnerIdentity";
import { RecordedCommand, RecordedRequest, SimulatorSnapshot } from "../../../rehearsal/ghesSimulator";
import { Processes } from "../../support/processes";
import { Harness } from "../../support/providerHarness";

/*
 * Interruptions, everywhere: each operation is killed after every remote operation it makes
 * (a Manage API request processed, an admin-shell command run; the answer never reaches it and
 * its clean-up cannot reach the appliance), or each of its admin-shell commands fails once
 * (before it ran, or after it ran with only its exit status saying so). Then the same
 * `pulumi up` runs again as a new process, and a third one must find nothing left to do.
 * For every point: the declared settings are applied, exactly one successful configuration
 * run per change, maintenance as the operator left it (off), no half-written key pair stored
 * or applied, the lock free, no error saying "nothing written" when something was.
 *
 * One file per scenario beside this driver, so parallel workers share the sweep. Each test sets
 * its appliance up once and starts every trial from a snapshot of it (the same servers, the
 * state restored: tests/provider/crashSweep/restore.test.ts shows a restored appliance is a
 * freshly set-up one).
 */

const ROTATED = { accessKeyId: "AKIAROTATED000000042", secretAccessKey: "rotated-secret-4242/+zzzzYYYYxxxx4242" };
type Props = Record<string, unknown>;

export interface Scenario {
    name: string;
    /** What runs (completely) before the operation under test. */
    setup(h: Harness): Promise<Props | undefined>;
    /** The operation under test; run again as the next `pulumi up`. */
    op(h: Harness, state: Props | undefined): Promise<unknown>;
    /** What GHES must hold (and have applied) at the end. */
    declared(h: Harness): Record<string, string>;
    maintenanceMode?: boolean;
}

const inputs = (h: Harness, over: Props = {}) => h.inputs({ storageCheck: false, ...over });

export const SCENARIOS: Scenario[] = [
    {
        name: "create",
        setup: async () => undefined,
        op: (h) => h.provider.create(inputs(h)),
        declared: (h) => ({ [KEYS.bucket]: h.bucket, [KEYS.accessKeyId]: h.key.accessKeyId, [KEYS.secretAccessKey]: h.key.secretAccessKey, [KEYS.enabled]: "true" }),
    },
    {
        name: "create with maintenanceMode",
        maintenanceMode: true,
        setup: async () => undefined,
        op: (h) => h.provider.create(inputs(h, { maintenanceMode: true })),
        declared: (h) => ({ [KEYS.bucket]: h.bucket, [KEYS.accessKeyId]: h.key.accessKeyId, [KEYS.secretAccessKey]: h.key.secretAccessKey, [KEYS.enabled]: "true" }),
    },
    {
        name: "key rotation",
        setup: async (h) => (await h.provider.create(inputs(h))).outs,
        op: (h, outs) => h.provider.update!("id", outs as Props, inputs(h, ROTATED)),
        declared: (h) => ({ [KEYS.bucket]: h.bucket, [KEYS.accessKeyId]: ROTATED.accessKeyId, [KEYS.secretAccessKey]: ROTATED.secretAccessKey, [KEYS.enabled]: "true" }),
    },
    {
        name: "delete with onDelete disable",
        setup: async (h) => (await h.provider.create(inputs(h, { onDelete: "disable" }))).outs,
        op: (h, outs) => h.provider.delete!("id", outs as Props),
        declared: (h) => ({ [KEYS.bucket]: h.bucket, [KEYS.accessKeyId]: h.key.accessKeyId, [KEYS.enabled]: "false" }),
    },
];

/** The scenario of this name. */
export function scenario(name: string): Scenario {
    const s = SCENARIOS.find((x) => x.name === name);
    if (!s) throw new Error(`no crash-sweep scenario named ${name}`);
    return s;
}

/** A short name for a remote operation, for the table. */
export function labelOf(op: RecordedRequest | RecordedCommand | undefined): string {
    if (!op) return "?";
    if ("method" in op) return `${op.method} ${op.path.replace(/\?.*$/, "?run_id")}`;
    const c = op.command;
    const journal = /\.journal/.test(c);
    if (/\.lock/.test(c) && /mkdir/.test(c)) return "ssh: take lock";
    if (/for k in/.test(c)) return "ssh: read " + (journal ? "journal + settings" : "settings");
    if (/rm -rf/.test(c) && /\.lock/.test(c)) return "ssh: release lock" + (/journal-written/.test(c) ? " + journal" : "");
    if (/ghe-config '/.test(c)) return "ssh: write settings";
    if (journal) return `ssh: journal ${/phase=owed/.test(c) ? "owed" : "idle"}${/run=/.test(c) ? " + run id" : ""}${/maintenance=ours/.test(c) ? " + maintenance claim" : ""}`;
    if (/if \[ -f/.test(c) && /maintenance/.test(c)) return "ssh: read records";
    if (/\.owner/.test(c)) return "ssh: write owner record";
    if (/\.maintenance/.test(c)) return /rm -f/.test(c) ? "ssh: remove maintenance claim" : "ssh: write maintenance claim";
    return `ssh: ${c.slice(0, 40)}`;
}

/** The remote operation with this 1-based number, counting requests and commands in arrival order. */
function operationAt(h: Harness, n: number): RecordedRequest | RecordedCommand | undefined {
    return h.sim.operationLog[n - 1];
}

export interface Trial {
    point: string;
    outcome: string;
}

async function check(h: Harness, s: Scenario, runsBefore: number, notes: string[]): Promise<void> {
    const declared = s.declared(h);
    const applied = h.sim.appliedConfig() ?? {};
    const config = h.sim.config();
    for (const [k, v] of Object.entries(declared)) {
        if (config[k] !== v) notes.push(`stored ${k}=${k === KEYS.secretAccessKey ? "(other secret)" : JSON.stringify(config[k])}`);
        if (applied[k] !== v) notes.push(`applied ${k}=${k === KEYS.secretAccessKey ? "(other secret)" : JSON.stringify(applied[k])}`);
    }
    const pairs = [[h.key.accessKeyId, h.key.secretAccessKey], [ROTATED.accessKeyId, ROTATED.secretAccessKey]];
    for (const [what, c] of [["stored", config], ["applied", applied]] as const) {
        if (c[KEYS.accessKeyId] !== undefined && !pairs.some(([id, secret]) => c[KEYS.accessKeyId] === id && c[KEYS.secretAccessKey] === secret)) notes.push(`${what}: half-written key pair`);
    }
    const succeeded = h.sim.clientRuns().slice(runsBefore).filter((r) => r.successful).length;
    if (succeeded !== 1) notes.push(`${succeeded} successful runs`);
    if (h.sim.maintenance !== "off") notes.push(`maintenance ${h.sim.maintenance}`);
    if (s.maintenanceMode && !h.sim.maintenanceLog.includes(true)) notes.push("maintenance never held during the run");
    if (existsSync(join(h.sim.dir, ".ghes-packages-s3.lock"))) notes.push("lock left");
}

/**
 * An appliance set up for a scenario by its first process (the setup), kept as a snapshot;
 * every trial starts from it again.
 */
export class SweepAppliance {
    private constructor(readonly h: Harness, readonly state: Props | undefined, private readonly snap: SimulatorSnapshot) {}

    static async start(s: Scenario): Promise<SweepAppliance> {
        const h = await new Harness({ applyDurationMs: 1200 }, false).start();
        try {
            const setupProcess = new Processes().spawn();
            h.runner = () => setupProcess;
            const state = await s.setup(h);
            return new SweepAppliance(h, state, h.sim.snapshot());
        } catch (err) {
            await h.stop();
            throw err;
        }
    }

    /** Whether anything ran since the setup or the last restore. */
    private dirty = false;

    /** Back to the state right after the setup. */
    async restore(): Promise<void> {
        await this.h.sim.restore(this.snap);
        this.h.logs.length = 0;
        this.dirty = false;
    }

    /** The appliance as the setup left it (restored if a trial ran since), and the processes of a trial: the next is number 2 (the setup's was 1). */
    async nextTrial(): Promise<Processes> {
        if (this.dirty) await this.restore();
        this.dirty = true;
        const procs = new Processes();
        procs.spawn();
        return procs;
    }

    stop(): Promise<void> { return this.h.stop(); }
}

/**
 * One trial: from the set-up appliance, the operation interrupted by `interrupt`, the same
 * operation again as a new process, then a third that must change nothing. Undefined once the
 * interruption no longer happens (past the operation's last remote operation).
 */
export async function trial(a: SweepAppliance, s: Scenario, interrupt: (h: Harness) => void, interrupted: (h: Harness) => string | undefined): Promise<Trial | undefined> {
    const procs = await a.nextTrial();
    const { h, state } = a;
    const as = (p: RunnerIdentity) => { h.runner = () => p; };
    const runsBefore = h.sim.clientRuns().length;
    const writesBefore = h.sim.writes();
    const dying = procs.spawn();
    as(dying);
    interrupt(h);
    // A killed process waits for nothing: once the appliance froze, its next sleep ends it.
    const clock = h.clock;
    h.clock = { now: clock.now, sleep: (ms) => (h.sim.frozen ? Promise.reject(new Error("killed")) : clock.sleep(ms)) };
    const first = await s.op(h, state).then(() => undefined, (e: Error) => e);
    h.clock = clock;
    const point = interrupted(h);
    if (point === undefined) return undefined;
    procs.kill(dying);
    h.sim.unfreeze();
    h.sim.failCommand = undefined;
    const notes: string[] = [];
    if (first && /written[^.]*: nothing|nothing (was )?written/i.test(first.message) && h.sim.writes() > writesBefore) notes.push(`error said nothing was written: ${first.message.slice(0, 120)}`);
    // Runs of the interrupted process may still be going: the next process sees them as they are.
    as(procs.spawn());
    const again = await s.op(h, state).then(() => undefined, (e: Error) => e);
    if (again) notes.push(`rerun failed: ${again.message.slice(0, 160)}`);
    // The run of the rerun, if any, has ended; a third up must find nothing to do.
    as(procs.spawn());
    const commandsBefore = h.sim.writes();
    const third = await s.op(h, state).then(() => undefined, (e: Error) => e);
    if (third) notes.push(`third up failed: ${third.message.slice(0, 120)}`);
    if (h.sim.writes() !== commandsBefore) notes.push("third up wrote");
    await check(h, s, runsBefore, notes);
    return { point, outcome: notes.length === 0 ? "converged" : notes.join("; ") };
}

/** Kills the operation after its `n`-th remote operation (undefined point once it has fewer). */
export function killAfter(a: SweepAppliance, s: Scenario, n: number): Promise<Trial | undefined> {
    let base = 0;
    return trial(a, s,
        (h) => { base = h.sim.operations; h.sim.freezeAfterOperations = base + n; },
        (h) => (h.sim.frozen ? `kill after op ${String(n).padStart(2)} (${labelOf(operationAt(h, base + n))})` : undefined));
}

/** Fails the operation's admin-shell command number `k + 1` once, before or after it ran. */
export function failCommand(a: SweepAppliance, s: Scenario, k: number, when: "before" | "after"): Promise<Trial | undefined> {
    let index = 0;
    return trial(a, s,
        (h) => { index = h.sim.commands.length + k; h.sim.failCommand = { index, when, status: 1 }; },
        (h) => (h.sim.failCommand === undefined ? `command ${k + 1} fails ${when.padEnd(6)} (${labelOf(h.sim.commands[index])})` : undefined));
}

function table(title: string, rows: Trial[]): string {
    const w = Math.max(...rows.map((r) => r.point.length));
    return [title, ...rows.map((r) => `  ${r.point.padEnd(w)}  ${r.outcome}`)].join("\n");
}

/** The sweep of one scenario: every crash point, and every admin-shell command failing once. */
export function describeSweep(s: Scenario): void {
    describe("crash sweep: interrupted anywhere, the same pulumi up again converges with one configuration run", function () {
        this.timeout(600_000);
        const report = (title: string, rows: Trial[]) => {
            if (process.env.CRASH_SWEEP_TABLE) process.stdout.write(table(title, rows) + "\n");
            const bad = rows.filter((r) => r.outcome !== "converged");
            assert.deepEqual(bad, [], table(title, rows));
        };

        it(`${s.name}: killed after every remote operation`, async () => {
            const a = await SweepAppliance.start(s);
            try {
                const rows: Trial[] = [];
                for (let n = 1; ; n++) {
                    const r = await killAfter(a, s, n);
                    if (!r) break;
                    rows.push(r);
                }
                report(`${s.name}: crash point -> outcome`, rows);
            } finally {
                await a.stop();
            }
        });

        it(`${s.name}: each admin-shell command fails once, before and after it ran`, async () => {
            const a = await SweepAppliance.start(s);
            try {
                const rows: Trial[] = [];
                for (const when of ["before", "after"] as const) {
                    for (let k = 0; ; k++) {
                        const r = await failCommand(a, s, k, when);
                        if (!r) break;
                        rows.push(r);
                    }
                }
                report(`${s.name}: failing command -> outcome`, rows);
            } finally {
                await a.stop();
            }
        });
    });
}
