import { Clock } from "../../ghes/clock";
import { makeGhesSettingsProvider } from "../../provider/ghesSettingsProvider";
import { ProviderContext } from "../../provider/operations";
import { ProviderCalls } from "../../rehearsal/lifecycle";
import { StandInOptions, StandIns } from "../../rehearsal/standIns";
import { virtualClock } from "./virtualClock";

type Props = Record<string, unknown>;

/** Stands for the serialized provider text the engine sends in `__provider` and gets back in every output. */
const PROVIDER = "(the provider, called in this process)";

/**
 * What crosses gRPC: plain data in a protobuf Struct, whose fields arrive sorted by name (a
 * map); an absent property is dropped, never sent as undefined.
 */
const wire = <T>(value: T): T => JSON.parse(JSON.stringify(value ?? {}, (_k, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));

/**
 * The provider called in this process the way the real dynamic-provider host calls it
 * (@pulumi/pulumi cmd/dynamic-provider/index.js: `__provider` added to the inputs and every
 * output, `changes` mapped to some/none/unknown), with the same methods as
 * rehearsal/dynamicProviderHost.ts so one Lifecycle drives either. One virtual clock for the
 * provider and the stand-ins made here: configuration runs, polls and backoff take no real
 * time. What only the real host proves (serialization, gRPC, a separate process) stays in
 * tests/provider/dynamicProviderHost.test.ts.
 */
export class InProcessHost implements ProviderCalls {
    readonly logs: string[] = [];
    readonly clock: Clock = virtualClock();
    private readonly provider = makeGhesSettingsProvider((): ProviderContext => ({ log: (m) => this.logs.push(m), env: {}, clock: this.clock }));

    /** Stand-ins whose simulated appliance keeps this host's time. */
    standIns(o: StandInOptions = {}): StandIns {
        return new StandIns({ ...o, simulator: { clock: this.clock, ...o.simulator } });
    }

    async check(olds: Props, news: Props): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }> {
        const r = await this.provider.check!(wire(olds), wire({ ...news, __provider: PROVIDER }));
        return wire({ inputs: { ...r.inputs, __provider: PROVIDER }, failures: r.failures ?? [] });
    }

    async diff(id: string, olds: Props, news: Props): Promise<{ changes: "none" | "some" | "unknown"; replaces: string[] }> {
        const r = await this.provider.diff!(id, wire({ ...olds, __provider: PROVIDER }), wire({ ...news, __provider: PROVIDER }));
        return { changes: r.changes === true ? "some" : r.changes === false ? "none" : "unknown", replaces: r.replaces ?? [] };
    }

    async create(props: Props): Promise<{ id: string; outs: Props }> {
        const r = await this.provider.create(wire({ ...props, __provider: PROVIDER }));
        return { id: r.id, outs: wire({ ...r.outs, __provider: PROVIDER }) };
    }

    async read(id: string, props: Props): Promise<{ id: string; props: Props; inputs: Props }> {
        const r = await this.provider.read!(id, wire({ ...props, __provider: PROVIDER }));
        return wire({ id: r.id ?? "", props: { ...r.props, __provider: PROVIDER }, inputs: r.inputs && { ...r.inputs, __provider: PROVIDER } });
    }

    async update(id: string, olds: Props, news: Props): Promise<Props> {
        const r = await this.provider.update!(id, wire({ ...olds, __provider: PROVIDER }), wire({ ...news, __provider: PROVIDER }));
        return wire({ ...r.outs, __provider: PROVIDER });
    }

    async delete(id: string, props: Props): Promise<void> {
        await this.provider.delete!(id, wire({ ...props, __provider: PROVIDER }));
    }
}
