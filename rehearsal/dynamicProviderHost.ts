import { ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ghesSettingsProvider } from "../provider/serializableProvider";

/*
 * Drives the real Pulumi dynamic-provider host exactly as the engine does (ghes-facts.md §4):
 * spawn `node <@pulumi/pulumi>/cmd/dynamic-provider/index.js`, read its port, connect the
 * generated gRPC client, and send Configure/Check/Diff/Create/Read/Update/Delete with the
 * serialized provider in `__provider`.
 */

const pulumiDir = dirname(require.resolve("@pulumi/pulumi/package.json"));
const fromPulumi = createRequire(join(pulumiDir, "package.json"));
const grpc = fromPulumi("@grpc/grpc-js");
const structproto = fromPulumi("google-protobuf/google/protobuf/struct_pb");
const provproto = fromPulumi("./proto/provider_pb");
const provrpc = fromPulumi("./proto/provider_grpc_pb");
const statusproto = fromPulumi("./proto/status_pb");

/**
 * A Create that failed but left a resource the engine records (partial state): the host packs
 * `pulumirpc.ErrorResourceInitFailed` into the `grpc-status-details-bin` metadata, and the engine
 * stores `properties` as the resource's outputs and `reasons` as its init errors
 * (pulumi/pulumi pkg/resource/plugin/provider_plugin.go parseError).
 */
export interface InitFailure {
    id: string;
    properties: Props;
    reasons: string[];
}

/** The init failure carried by a gRPC error, if any. */
function initFailureOf(err: { metadata?: { get(key: string): (string | Buffer)[] } }): InitFailure | undefined {
    const bin = err.metadata?.get("grpc-status-details-bin")?.[0];
    if (!bin) return undefined;
    const status = statusproto.Status.deserializeBinary(new Uint8Array(bin as Buffer));
    for (const any of status.getDetailsList()) {
        if (!String(any.getTypeUrl()).endsWith("pulumirpc.ErrorResourceInitFailed")) continue;
        const d = provproto.ErrorResourceInitFailed.deserializeBinary(any.getValue_asU8());
        return { id: d.getId(), properties: d.getProperties()?.toJavaScript() ?? {}, reasons: d.getReasonsList() };
    }
    return undefined;
}

export const URN = "urn:pulumi:test::ghes-packages::pulumi-nodejs:dynamic/ghes-packages-s3:GhesPackagesSettings::rehearsal";

type Props = Record<string, unknown>;

/** The serialized provider text, as the SDK writes it into `__provider`. */
export async function serializedProvider(): Promise<string> {
    return (await pulumi.runtime.serializeFunction(() => ghesSettingsProvider, { allowSecrets: true })).text;
}

/** Where the host comes from and what it runs; defaults: this checkout's @pulumi/pulumi and provider. */
export interface HostOptions {
    /** The @pulumi/pulumi directory whose dynamic-provider host is spawned (a consumer's node_modules copy, say). */
    pulumiDir?: string;
    /** The host's working directory: the serialized provider resolves packages from here, as under `pulumi up` (the program's directory). */
    cwd?: string;
    /** The serialized provider text to send as `__provider` (e.g. what an earlier version stored in state). */
    provider?: string;
}

export class DynamicProviderHost {
    constructor(private readonly options: HostOptions = {}) {}

    private child?: ChildProcess;
    private client: any; // eslint-disable-line @typescript-eslint/no-explicit-any
    /** Everything the host wrote to stderr (the provider's logs land here). */
    stderr = "";
    provider = "";

    /** Starts the host; `env` is the environment of the provider process (credentials, etc.). */
    async start(env: Record<string, string | undefined> = {}, onStderrLine?: (line: string) => void): Promise<this> {
        this.provider = this.options.provider ?? await serializedProvider();
        this.child = spawn(process.execPath, [join(this.options.pulumiDir ?? pulumiDir, "cmd", "dynamic-provider", "index.js"), "127.0.0.1:1"], {
            cwd: this.options.cwd ?? process.cwd(),
            env: { ...process.env, ...env },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let partial = "";
        // Never outlive the test process, even if it dies before stop().
        const child = this.child;
        process.once("exit", () => child.kill());
        this.child.stderr!.on("data", (d: Buffer) => {
            const text = d.toString("utf8");
            this.stderr += text;
            if (!onStderrLine) return;
            const lines = (partial + text).split("\n");
            partial = lines.pop() ?? "";
            for (const line of lines) onStderrLine(line);
        });
        const port = await new Promise<number>((resolve, reject) => {
            let out = "";
            const timer = setTimeout(() => reject(new Error(`dynamic-provider host printed no port within 20 s: ${this.stderr}`)), 20000);
            this.child!.stdout!.on("data", (d: Buffer) => {
                out += d.toString("utf8");
                const m = /^(\d+)\s*$/m.exec(out);
                if (m) { clearTimeout(timer); resolve(Number(m[1])); }
            });
            this.child!.on("exit", (code) => { clearTimeout(timer); reject(new Error(`dynamic-provider host exited with ${code}: ${this.stderr}`)); });
        });
        this.client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        const req = new provproto.ConfigureRequest();
        req.setArgs(structproto.Struct.fromJavaScript({}));
        req.setAcceptsecrets(true);
        await this.call("configure", req);
        return this;
    }

    async stop(): Promise<void> {
        this.client?.close();
        if (this.child && this.child.exitCode === null) {
            const exited = new Promise((r) => this.child!.once("exit", r));
            this.child.kill();
            await exited;
        }
    }

    private call<T>(method: string, req: unknown): Promise<T> {
        return new Promise((resolve, reject) => {
            this.client[method](req, { deadline: Date.now() + 120000 }, (err: Error | null, res: T) => (err ? reject(err) : resolve(res)));
        });
    }

    private struct(props: Props) {
        return structproto.Struct.fromJavaScript({ ...props, __provider: this.provider });
    }

    async check(olds: Props, news: Props): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }> {
        const req = new provproto.CheckRequest();
        req.setUrn(URN);
        req.setOlds(structproto.Struct.fromJavaScript(olds));
        req.setNews(this.struct(news));
        const res = await this.call<any>("check", req); // eslint-disable-line @typescript-eslint/no-explicit-any
        return {
            inputs: res.getInputs().toJavaScript(),
            failures: res.getFailuresList().map((f: { getProperty(): string; getReason(): string }) => ({ property: f.getProperty(), reason: f.getReason() })),
        };
    }

    /** A Diff or Update request: both carry id, URN, old and new properties. */
    private change(Request: new () => { setId(v: string): void; setUrn(v: string): void; setOlds(v: unknown): void; setNews(v: unknown): void }, id: string, olds: Props, news: Props) {
        const req = new Request();
        req.setId(id);
        req.setUrn(URN);
        req.setOlds(this.struct(olds));
        req.setNews(this.struct(news));
        return req;
    }

    async diff(id: string, olds: Props, news: Props): Promise<{ changes: "none" | "some" | "unknown"; replaces: string[] }> {
        const res = await this.call<any>("diff", this.change(provproto.DiffRequest, id, olds, news)); // eslint-disable-line @typescript-eslint/no-explicit-any
        const C = provproto.DiffResponse.DiffChanges;
        const changes = res.getChanges() === C.DIFF_SOME ? "some" : res.getChanges() === C.DIFF_NONE ? "none" : "unknown";
        return { changes, replaces: res.getReplacesList() };
    }

    async create(props: Props): Promise<{ id: string; outs: Props }> {
        const req = new provproto.CreateRequest();
        req.setUrn(URN);
        req.setProperties(this.struct(props));
        try {
            const res = await this.call<any>("create", req); // eslint-disable-line @typescript-eslint/no-explicit-any
            return { id: res.getId(), outs: res.getProperties().toJavaScript() };
        } catch (err) {
            // What the engine would record although the create failed.
            throw Object.assign(err as Error, { initFailure: initFailureOf(err as never) });
        }
    }

    async read(id: string, props: Props): Promise<{ id: string; props: Props; inputs: Props }> {
        const req = new provproto.ReadRequest();
        req.setId(id);
        req.setUrn(URN);
        req.setProperties(this.struct(props));
        const res = await this.call<any>("read", req); // eslint-disable-line @typescript-eslint/no-explicit-any
        return { id: res.getId(), props: res.getProperties().toJavaScript(), inputs: res.getInputs()?.toJavaScript() };
    }

    async update(id: string, olds: Props, news: Props): Promise<Props> {
        const res = await this.call<any>("update", this.change(provproto.UpdateRequest, id, olds, news)); // eslint-disable-line @typescript-eslint/no-explicit-any
        return res.getProperties().toJavaScript();
    }

    async delete(id: string, props: Props): Promise<void> {
        const req = new provproto.DeleteRequest();
        req.setId(id);
        req.setUrn(URN);
        req.setProperties(this.struct(props));
        await this.call("delete", req);
    }
}
