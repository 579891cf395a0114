import { Clock, realClock } from "../../provider/backoff";
import { ProviderContext } from "../../provider/ghesSession";
import { GhesSettingsInputs, checkInputs } from "../../provider/inputs";
import { makeGhesSettingsProvider } from "../../provider/ghesSettingsProvider";
import { identityPolicyFor } from "./fixtures";
import { GhesSimulator, SimulatorOptions } from "./ghesSimulator";
import { LocalS3 } from "./localS3";

/** A simulator, a local S3 with one bucket and one key, and a provider that logs into an array. */
export class Harness {
    readonly logs: string[] = [];
    readonly env: Record<string, string | undefined> = {};
    sim: GhesSimulator;
    s3?: LocalS3;
    /** Clock the provider uses; a test may swap in a virtual one to reach long timeouts instantly. */
    clock: Clock = realClock;
    readonly provider = makeGhesSettingsProvider((): ProviderContext => ({ log: (m) => this.logs.push(m), env: this.env, clock: this.clock }));
    readonly bucket = "ghes-packages-test";
    readonly key = { accessKeyId: "AKIAHARNESS000000001", secretAccessKey: "harness-secret-AAAA/+bbbbCCCCddddEEEEffff0001" };

    constructor(simOptions: SimulatorOptions = {}, private readonly withS3 = true) {
        this.sim = new GhesSimulator(simOptions);
    }

    async start(): Promise<this> {
        await this.sim.start();
        if (this.withS3) {
            this.s3 = await new LocalS3([this.bucket]).start();
            this.s3.addKey({ ...this.key, policy: identityPolicyFor(this.bucket) });
        }
        return this;
    }

    async stop(): Promise<void> {
        await this.sim.stop();
        await this.s3?.stop();
    }

    /** Checked inputs for this harness, with overrides. */
    inputs(overrides: Record<string, unknown> = {}): GhesSettingsInputs {
        const raw = {
            hostname: "127.0.0.1",
            managementPort: this.sim.managePort,
            sshPort: this.sim.sshPort,
            caBundle: this.sim.caBundle,
            managementPassword: this.sim.password,
            serviceUrl: this.s3 ? this.s3.url : "https://s3.us-west-2.amazonaws.com",
            bucket: this.bucket,
            ...this.key,
            storageCheck: this.withS3,
            storageCheckTimeoutSeconds: 2,
            ...overrides,
        };
        const { inputs, failures } = checkInputs(raw, this.env);
        if (failures.length) throw new Error(failures.map((f) => f.reason).join("; "));
        return inputs;
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
