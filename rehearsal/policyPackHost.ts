import { ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/*
 * Drives a Node policy pack exactly as `pulumi preview --policy-pack DIR` does, without the CLI.
 * The CLI (pkg NewPolicyAnalyzer, nodejs runtime) starts the `pulumi-analyzer-policy` shim in
 * the pack's folder with arguments `<engine address> .` and the stack in PULUMI_STACK /
 * PULUMI_NODEJS_STACK; the shim runs @pulumi/pulumi's cmd/run-policy-pack resolved from that
 * folder, which loads the pack; @pulumi/policy's PolicyPack then serves the Analyzer gRPC
 * service on 127.0.0.1 and prints its port. The CLI calls GetAnalyzerInfo, Configure (the
 * policy config), Analyze before each resource step and AnalyzeStack at the end.
 */

const pulumiDir = dirname(require.resolve("@pulumi/pulumi/package.json"));
const fromPulumi = createRequire(join(pulumiDir, "package.json"));
const grpc = fromPulumi("@grpc/grpc-js");
const structproto = fromPulumi("google-protobuf/google/protobuf/struct_pb");
const emptyproto = fromPulumi("google-protobuf/google/protobuf/empty_pb");
const analyzerproto = fromPulumi("./proto/analyzer_pb");
const analyzerrpc = fromPulumi("./proto/analyzer_grpc_pb");

/** A resource of a stack snapshot: its outputs (AnalyzeStack) or inputs (Analyze), and its links. */
export interface SnapshotResource {
    type: string;
    name: string;
    props: Record<string, unknown>;
    parent?: string;
    dependencies?: string[];
    /** Property name -> URNs of the resources its value came from (the engine records these). */
    propertyDependencies?: Record<string, string[]>;
}

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";

/** A policy violation as the engine receives it. */
export interface Diagnostic {
    policy: string;
    pack: string;
    level: EnforcementLevel;
    message: string;
    urn?: string;
}

/** The URN the engine would give a resource of this snapshot (project `guardrails`, stack `test`). */
export const urnOf = (r: Pick<SnapshotResource, "type" | "name">): string => `urn:pulumi:test::guardrails::${r.type}::${r.name}`;

/** Pulumi's wire value for "not known until the update" (KeepUnknowns). */
export const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

function options() {
    const o = new analyzerproto.AnalyzerResourceOptions();
    o.setCustomtimeouts(new analyzerproto.AnalyzerResourceOptions.CustomTimeouts());
    return o;
}

/** The request the engine sends before a resource step. */
export function analyzeRequest(r: SnapshotResource): unknown {
    const req = new analyzerproto.AnalyzeRequest();
    req.setUrn(urnOf(r));
    req.setType(r.type);
    req.setName(r.name);
    req.setProperties(structproto.Struct.fromJavaScript(r.props));
    req.setOptions(options());
    return req;
}

/** The request the engine sends at the end of a preview or update: every resource with its links. */
export function analyzeStackRequest(rs: SnapshotResource[]): unknown {
    const req = new analyzerproto.AnalyzeStackRequest();
    req.setResourcesList(rs.map((r) => {
        const m = new analyzerproto.AnalyzerResource();
        m.setUrn(urnOf(r));
        m.setType(r.type);
        m.setName(r.name);
        m.setProperties(structproto.Struct.fromJavaScript(r.props));
        m.setOptions(options());
        if (r.parent) m.setParent(r.parent);
        m.setDependenciesList(r.dependencies ?? []);
        for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
            const d = new analyzerproto.AnalyzerPropertyDependencies();
            d.setUrnsList(urns);
            m.getPropertydependenciesMap().set(k, d);
        }
        return m;
    }));
    return req;
}

const LEVELS: Record<number, EnforcementLevel> = {
    [analyzerproto.EnforcementLevel.ADVISORY]: "advisory",
    [analyzerproto.EnforcementLevel.MANDATORY]: "mandatory",
    [analyzerproto.EnforcementLevel.REMEDIATE]: "remediate",
    [analyzerproto.EnforcementLevel.DISABLED]: "disabled",
};
const LEVEL_CODES = Object.fromEntries(Object.entries(LEVELS).map(([k, v]) => [v, Number(k)])) as Record<EnforcementLevel, number>;

/** The diagnostics of an AnalyzeResponse. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function diagnosticsOf(res: any): Diagnostic[] {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return res.getDiagnosticsList().map((d: any) => ({
        policy: d.getPolicyname(), pack: d.getPolicypackname(), level: LEVELS[d.getEnforcementlevel()], message: d.getMessage(), urn: d.getUrn() || undefined,
    }));
}

/** Per-policy configuration as `--policy-pack-config` gives it: a level, or a level and properties. */
export type PackConfig = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

export interface PolicyInfo { name: string; level: EnforcementLevel; description: string; configKeys: string[] }

export class PolicyPackHost {
    /**
     * `packDir` holds PulumiPolicy.yaml and the pack's entry; `stack` and `project` are what the
     * CLI puts in the environment for the stack being previewed.
     */
    constructor(private readonly packDir: string, private readonly stack = { stack: "test", project: "guardrails" }) {}

    private child?: ChildProcess;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    private client: any;
    stderr = "";

    async start(): Promise<this> {
        // The shim resolves run-policy-pack from the pack's folder: the program's @pulumi/pulumi when installed.
        const runner = createRequire(join(this.packDir, "PulumiPolicy.yaml")).resolve("@pulumi/pulumi/cmd/run-policy-pack");
        this.child = spawn(process.execPath, [runner, "127.0.0.1:1", "."], {
            cwd: this.packDir,
            env: {
                ...process.env,
                PULUMI_STACK: this.stack.stack, PULUMI_NODEJS_STACK: this.stack.stack,
                PULUMI_PROJECT: this.stack.project, PULUMI_NODEJS_PROJECT: this.stack.project,
                PULUMI_DRY_RUN: "true", PULUMI_NODEJS_DRY_RUN: "true",
            },
            stdio: ["ignore", "pipe", "pipe"],
        });
        const child = this.child;
        process.once("exit", () => child.kill()); // never outlive the caller
        child.stderr!.on("data", (d: Buffer) => { this.stderr += d.toString("utf8"); });
        const port = await new Promise<number>((resolve, reject) => {
            let out = "";
            const timer = setTimeout(() => reject(new Error(`policy pack printed no port within 60 s: ${this.stderr}`)), 60000);
            child.stdout!.on("data", (d: Buffer) => {
                out += d.toString("utf8");
                const m = /^(\d+)\s*$/m.exec(out);
                if (m) { clearTimeout(timer); resolve(Number(m[1])); }
            });
            child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`policy pack exited with ${code}: ${this.stderr}`)); });
        });
        this.client = new analyzerrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        return this;
    }

    async stop(): Promise<void> {
        this.client?.close();
        if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
            const exited = new Promise((r) => this.child!.once("exit", r));
            this.child.kill();
            await exited;
        }
    }

    private call<T>(method: string, req: unknown): Promise<T> {
        return new Promise((resolve, reject) => {
            this.client[method](req, { deadline: Date.now() + 30000 }, (err: Error | null, res: T) => (err ? reject(err) : resolve(res)));
        });
    }

    /** GetAnalyzerInfo: the pack's name, version and policies with their default levels. */
    async info(): Promise<{ name: string; version: string; supportsConfig: boolean; policies: PolicyInfo[] }> {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const res = await this.call<any>("getAnalyzerInfo", new emptyproto.Empty());
        return {
            name: res.getName(), version: res.getVersion(), supportsConfig: res.getSupportsconfig(),
            // eslint-disable-next-line @typescript-eslint/no-explicit-any
            policies: res.getPoliciesList().map((p: any) => ({
                name: p.getName(), level: LEVELS[p.getEnforcementlevel()], description: p.getDescription(),
                configKeys: Object.keys(p.getConfigschema()?.getProperties()?.toJavaScript() ?? {}),
            })),
        };
    }

    /** Configure: the policy config, as the CLI sends it after reading `--policy-pack-config`. */
    async configure(config: PackConfig): Promise<void> {
        // Like the CLI, a policy configured without a level keeps the level the pack declares.
        const declared = new Map((await this.info()).policies.map((p) => [p.name, p.level]));
        const req = new analyzerproto.ConfigureAnalyzerRequest();
        for (const [policy, c] of Object.entries(config)) {
            const { enforcementLevel = declared.get(policy) ?? "mandatory", ...props } = typeof c === "string" ? { enforcementLevel: c } : c;
            const pc = new analyzerproto.PolicyConfig();
            pc.setEnforcementlevel(LEVEL_CODES[enforcementLevel]);
            pc.setProperties(structproto.Struct.fromJavaScript(props));
            req.getPolicyconfigMap().set(policy, pc);
        }
        await this.call("configure", req);
    }

    async analyze(r: SnapshotResource): Promise<Diagnostic[]> {
        return diagnosticsOf(await this.call("analyze", analyzeRequest(r)));
    }

    async analyzeStack(rs: SnapshotResource[]): Promise<Diagnostic[]> {
        return diagnosticsOf(await this.call("analyzeStack", analyzeStackRequest(rs)));
    }
}
