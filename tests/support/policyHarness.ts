import { PACK_NAME, PACK_POLICIES } from "../../policypack/packPolicies";
import { analyzeRequest, analyzeStackRequest, Diagnostic, diagnosticsOf, SnapshotResource, urnOf } from "../../rehearsal/policyPackHost";

/*
 * Runs the pack's policies through @pulumi/policy's own analyzer entry points, in process: the
 * functions its gRPC server binds to Analyze and AnalyzeStack (server.ts makeAnalyzeRpcFun /
 * makeAnalyzeStackRpcFun), given the requests the engine sends. The pack's default
 * configuration applies (configured runs go through the plugin: tests/policypack/analyzerPlugin.test.ts).
 */

type RpcFn = (call: { request: unknown }, callback: (err: Error | undefined | null, res: unknown) => void) => void;
// Internal to @pulumi/policy (its .d.ts exports nothing), hence the typed require.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const server = require("@pulumi/policy/server") as {
    makeAnalyzeRpcFun(name: string, version: string, level: string, policies: unknown): RpcFn;
    makeAnalyzeStackRpcFun(name: string, version: string, level: string, policies: unknown): RpcFn;
};

const VERSION = "0.0.0-test";
const analyzeFn = server.makeAnalyzeRpcFun(PACK_NAME, VERSION, "advisory", PACK_POLICIES);
const analyzeStackFn = server.makeAnalyzeStackRpcFun(PACK_NAME, VERSION, "advisory", PACK_POLICIES);

const invoke = (fn: RpcFn, request: unknown) => new Promise<Diagnostic[]>((resolve, reject) =>
    fn({ request }, (err, res) => (err ? reject(err) : resolve(diagnosticsOf(res)))));

/** Every resource policy on one resource, as the engine asks before its step. */
export const analyzeResource = (r: SnapshotResource): Promise<Diagnostic[]> => invoke(analyzeFn, analyzeRequest(r));

/** Every stack policy on a snapshot, as the engine asks at the end of a preview or update. */
export const analyzeStack = (rs: SnapshotResource[]): Promise<Diagnostic[]> => invoke(analyzeStackFn, analyzeStackRequest(rs));

/** The diagnostics of one policy. */
export const of = (ds: Diagnostic[], policy: string): Diagnostic[] => ds.filter((d) => d.policy === policy);

export { urnOf };

/** Runs `f` with the stack name the CLI would put in the environment, restoring it afterwards. */
export async function inStack<T>(stack: string, f: () => Promise<T>): Promise<T> {
    const saved = { s: process.env.PULUMI_STACK, p: process.env.PULUMI_PROJECT };
    process.env.PULUMI_STACK = stack;
    process.env.PULUMI_PROJECT = "guardrails";
    try {
        return await f();
    } finally {
        for (const [k, v] of [["PULUMI_STACK", saved.s], ["PULUMI_PROJECT", saved.p]] as const) {
            if (v === undefined) delete process.env[k]; else process.env[k] = v;
        }
    }
}
