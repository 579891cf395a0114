import type { DynamicProviderHost } from "./dynamicProviderHost";
import { Counts, countsSince, KeyPair, StandIns } from "./standIns";

type Props = Record<string, unknown>;

/** One step of the lifecycle: what it returned and what it cost on the stand-ins. */
export interface StepResult<T> {
    value: T;
    counts: Counts;
}

/**
 * The engine's calls to a resource provider: the real dynamic-provider host over gRPC, or the
 * same provider called in the test process (tests/support/inProcessHost.ts).
 */
export type ProviderCalls = Pick<DynamicProviderHost, "check" | "diff" | "create" | "read" | "update" | "delete">;

/**
 * The create -> no change -> rotate -> refresh -> delete scenario, driven exactly as `pulumi up`
 * calls a provider (check, diff, then create/update/read/delete): through the real
 * dynamic-provider host in the demo, the bench and the host tests, or in process
 * (tests/provider/ecosystems.test.ts). One typed driver for all.
 */
export class Lifecycle {
    id = "";
    state: Props = {};
    key: KeyPair;

    constructor(readonly host: ProviderCalls, readonly standIns: StandIns, private overrides: Props = {}) {
        this.key = standIns.key;
    }

    /** Raw inputs for the current key. */
    inputs(over: Props = {}): Props {
        return this.standIns.inputs({ ...this.overrides, ...this.key, ...over });
    }

    private async measure<T>(fn: () => Promise<T>): Promise<StepResult<T>> {
        const before = this.standIns.counts();
        const value = await fn();
        return { value, counts: countsSince(before, this.standIns.counts()) };
    }

    /** Later steps use these inputs too; a new key pair becomes the current key. */
    private remember(over: Props): void {
        const { accessKeyId, secretAccessKey, ...rest } = over;
        if (accessKeyId !== undefined && secretAccessKey !== undefined) this.key = { accessKeyId: String(accessKeyId), secretAccessKey: String(secretAccessKey) };
        this.overrides = { ...this.overrides, ...rest };
    }

    /** check, then create, with these inputs from now on; fails on any check failure. */
    async create(over: Props = {}): Promise<StepResult<Props>> {
        this.remember(over);
        return this.measure(async () => {
            const checked = await this.host.check({}, this.inputs());
            if (checked.failures.length) throw new Error(checked.failures.map((f) => f.reason).join("; "));
            const r = await this.host.create(checked.inputs);
            this.id = r.id;
            this.state = r.outs;
            return r.outs;
        });
    }

    /** check + diff with unchanged inputs: what a no-op `pulumi up` costs. */
    async noChange(): Promise<StepResult<"none" | "some" | "unknown">> {
        return this.measure(async () => (await this.host.diff(this.id, this.state, (await this.host.check(this.state, this.inputs())).inputs)).changes);
    }

    /** A key rotation: the new key exists (the engine created it), check + diff + update. */
    async rotate(next: KeyPair): Promise<StepResult<{ diff: string; outs: Props }>> {
        this.standIns.addKey(next);
        this.key = next;
        return this.measure(async () => {
            const news = (await this.host.check(this.state, this.inputs())).inputs;
            const diff = (await this.host.diff(this.id, this.state, news)).changes;
            this.state = await this.host.update(this.id, this.state, news);
            return { diff, outs: this.state };
        });
    }

    /** The program changed (e.g. ecosystem toggles): check + diff + update with these inputs from now on. */
    async change(over: Props): Promise<StepResult<{ diff: string; outs: Props }>> {
        this.remember(over);
        return this.measure(async () => {
            const checked = await this.host.check(this.state, this.inputs());
            if (checked.failures.length) throw new Error(checked.failures.map((f) => f.reason).join("; "));
            const diff = (await this.host.diff(this.id, this.state, checked.inputs)).changes;
            if (diff !== "none") this.state = await this.host.update(this.id, this.state, checked.inputs);
            return { diff, outs: this.state };
        });
    }

    /** read, then the diff a following `pulumi up` would see. */
    async refresh(): Promise<StepResult<{ props: Props; diff: string }>> {
        return this.measure(async () => {
            const r = await this.host.read(this.id, this.state);
            const news = (await this.host.check(this.state, this.inputs())).inputs;
            return { props: r.props, diff: (await this.host.diff(this.id, r.props, news)).changes };
        });
    }

    async destroy(over: Props = {}): Promise<StepResult<void>> {
        return this.measure(() => this.host.delete(this.id, { ...this.state, ...over }));
    }
}
