import { Clock } from "../../ghes/clock";
import { RunnerIdentity } from "../../ghes/runnerIdentity";
import { GhesSettingsInputs } from "../../provider/fields";
import { makeGhesSettingsProvider } from "../../provider/ghesSettingsProvider";
import { checkInputs } from "../../provider/inputs";
import { ProviderContext } from "../../provider/operations";
import { SimulatorOptions } from "../../rehearsal/ghesSimulator";
import { StandIns } from "../../rehearsal/standIns";
import { virtualClock } from "./virtualClock";

/** The stand-ins plus a provider called directly (no host), logging into an array. */
export class Harness extends StandIns {
    readonly logs: string[] = [];
    readonly env: Record<string, string | undefined> = {};
    /**
     * The one clock of the provider and the simulated appliance: virtual, so backoff, polls,
     * lock waits and configuration runs take no real time (a run ends once the provider has
     * waited its duration), and long timeouts are reached at once. A test may wrap it for the
     * provider only (a killed process: tests/provider/crashSweep/sweep.ts).
     */
    clock: Clock;
    /** Who runs the next operation; a test may play several processes (tests/support/processes.ts). */
    runner?: () => RunnerIdentity;
    readonly provider = makeGhesSettingsProvider((): ProviderContext => ({ log: (m) => this.logs.push(m), env: this.env, clock: this.clock, runner: this.runner }));

    constructor(simulator: SimulatorOptions = {}, withS3 = true, otherBuckets: string[] = []) {
        const clock = virtualClock();
        super({ simulator: { clock, ...simulator }, s3: withS3, otherBuckets });
        this.clock = clock;
    }

    /** A second provider (another stack) with its own logs, aimed at the same stand-ins. */
    otherProvider(logs: string[] = []) {
        return makeGhesSettingsProvider((): ProviderContext => ({ log: (m) => logs.push(m), env: this.env, clock: this.clock }));
    }

    /** Checked inputs for this harness, with overrides (short storage-check timeout). */
    override inputs(overrides: Record<string, unknown> = {}): GhesSettingsInputs & Record<string, unknown> {
        const { inputs, failures } = checkInputs(super.inputs({ storageCheckTimeoutSeconds: 2, ...overrides }), this.env);
        if (failures.length) throw new Error(failures.map((f) => f.reason).join("; "));
        return inputs as GhesSettingsInputs & Record<string, unknown>;
    }
}
