import { identityPolicyFor } from "./fixtures";
import { GhesSimulator, SimulatorOptions } from "./ghesSimulator";
import { LocalS3 } from "./localS3";
import { PolicyDocument } from "../policies/identityPolicy";

/** An access key pair the local S3 knows. */
export interface KeyPair {
    accessKeyId: string;
    secretAccessKey: string;
}

export interface StandInOptions {
    simulator?: SimulatorOptions;
    /** Start the local S3 (and turn the storage check on). Default true. */
    s3?: boolean;
    bucket?: string;
    /** More buckets in the local S3 (e.g. another stack's). */
    otherBuckets?: string[];
    key?: KeyPair;
    /** Identity policy of the key. Default: the package's policy for the bucket. */
    policy?: PolicyDocument;
}

/** What one stand-in operation changed on the appliance and in S3. */
export interface Counts {
    requests: number;
    commands: number;
    writes: number;
    runs: number;
    s3: number;
}

/**
 * The local stand-ins for one appliance and its bucket: the GHES simulator and (optionally)
 * the local S3 with one bucket and one key. `inputs()` is the one builder of the GHES
 * resource's inputs against them, used by the tests, the demo and the bench alike.
 */
export class StandIns {
    readonly sim: GhesSimulator;
    s3?: LocalS3;
    readonly bucket: string;
    readonly key: KeyPair;

    constructor(private readonly o: StandInOptions = {}) {
        this.sim = new GhesSimulator(o.simulator);
        this.bucket = o.bucket ?? "ghes-packages-test";
        this.key = o.key ?? { accessKeyId: "AKIAHARNESS000000001", secretAccessKey: "harness-secret-AAAA/+bbbbCCCCddddEEEEffff0001" };
    }

    async start(): Promise<this> {
        await this.sim.start();
        if (this.o.s3 ?? true) {
            this.s3 = await new LocalS3([this.bucket, ...(this.o.otherBuckets ?? [])]).start();
            this.addKey(this.key);
        }
        return this;
    }

    async stop(): Promise<void> {
        await this.sim.stop();
        await this.s3?.stop();
    }

    /** Registers another key for the bucket (a rotated IAM access key, same policy). */
    addKey(key: KeyPair): void {
        this.s3?.addKey({ ...key, policy: this.o.policy ?? identityPolicyFor(this.bucket) });
    }

    /** Raw inputs of the GHES settings resource aimed at these stand-ins, with overrides. */
    inputs(overrides: Record<string, unknown> = {}): Record<string, unknown> {
        return {
            hostname: "127.0.0.1",
            managementPort: this.sim.managePort,
            sshPort: this.sim.sshPort,
            caBundle: this.sim.caBundle,
            // Verified out of band, as an operator does with ssh-keyscan (README "First contact").
            sshHostKeyFingerprint: this.sim.hostKeyFingerprint,
            managementPassword: this.sim.password,
            serviceUrl: this.s3 ? this.s3.url : "https://s3.us-west-2.amazonaws.com",
            bucket: this.bucket,
            ...this.key,
            storageCheck: this.s3 !== undefined,
            storageCheckTimeoutSeconds: 5,
            ...overrides,
        };
    }

    counts(): Counts {
        return { requests: this.sim.requests.length, commands: this.sim.commands.length, writes: this.sim.writes(), runs: this.sim.clientRuns().length, s3: this.s3?.requests.length ?? 0 };
    }
}

/** The difference of two counts. */
export function countsSince(before: Counts, after: Counts): Counts {
    return {
        requests: after.requests - before.requests,
        commands: after.commands - before.commands,
        writes: after.writes - before.writes,
        runs: after.runs - before.runs,
        s3: after.s3 - before.s3,
    };
}
