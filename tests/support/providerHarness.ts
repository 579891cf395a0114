import { Clock, realClock } from "../../ghes/clock";
import { GhesSettingsInputs } from "../../provider/fields";
import { makeGhesSettingsProvider } from "../../provider/ghesSettingsProvider";
import { checkInputs } from "../../provider/inputs";
import { ProviderContext } from "../../provider/operations";
import { SimulatorOptions } from "../../rehearsal/ghesSimulator";
import { StandIns } from "../../rehearsal/standIns";

/** The stand-ins plus a provider called directly (no host), logging into an array. */
export class Harness extends StandIns {
    readonly logs: string[] = [];
    readonly env: Record<string, string | undefined> = {};
    /** Clock the provider uses; a test may swap in a virtual one to reach long timeouts instantly. */
    clock: Clock = realClock;
    readonly provider = makeGhesSettingsProvider((): ProviderContext => ({ log: (m) => this.logs.push(m), env: this.env, clock: this.clock }));

    constructor(simulator: SimulatorOptions = {}, withS3 = true, otherBuckets: string[] = []) {
        super({ simulator, s3: withS3, otherBuckets });
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

/** Real time plus a virtual offset: every sleep returns at once and moves the clock forward. */
export function virtualClock(): Clock {
    let offset = 0;
    return {
        now: () => Date.now() + offset,
        sleep: async (ms) => { offset += ms; await new Promise((r) => setImmediate(r)); },
    };
}
