import * as https from "node:https";
import * as tls from "node:tls";
import { backoffDelay } from "./backoff";
import { Clock, formatDuration, realClock } from "./clock";
import { ManageApiError, manageKindOfNetworkError, manageKindOfStatus } from "./errors";

export interface ManageClientOptions {
    hostname: string;
    port: number;
    user: string;
    password: string;
    /** PEM CA bundle that signed the appliance's certificate. */
    caBundle?: string;
    /** Skip certificate verification (self-signed appliance without a CA bundle). */
    dangerouslySkipTlsVerification?: boolean;
    /** Per-request timeout. Default 30 s. */
    requestTimeoutMs?: number;
    /** Attempts for 5xx and connection errors (4xx is never retried). Default 4. */
    attempts?: number;
    clock?: Clock;
}

export interface ApplyStatus {
    runId?: string;
    running: boolean;
    successful: boolean;
    nodes: { hostname?: string; running?: boolean; successful?: boolean }[];
}

export interface ApplyEvent {
    timestamp?: string;
    severity?: string;
    body?: string;
    hostname?: string;
}

/**
 * A small client for the GHES Manage API (`/manage/v1`), in the style of octokit's per-area
 * clients: one method per endpoint, lenient parsing, timeouts and bounded retries.
 */
export class ManageClient {
    private readonly endpoint: string;
    private readonly auth: string;
    public requests = 0;
    /** The appliance's clock as its last answer's `Date` header told it, and this runner's clock at that moment. */
    private applianceClock?: { applianceMs: number; localMs: number };
    /** Made once, on the first request: building one (parsing the CA bundle) costs more than a request to a near appliance. */
    private secureContext?: tls.SecureContext;

    constructor(private readonly o: ManageClientOptions) {
        this.endpoint = `${o.hostname.includes(":") ? `[${o.hostname}]` : o.hostname}:${o.port}`;
        this.auth = "Basic " + Buffer.from(`${o.user}:${o.password}`).toString("base64");
    }

    /**
     * One request, retried on 5xx, timeouts and connection errors with exponential backoff;
     * never on 4xx. The decision is the error's kind (ghes/errors.ts).
     */
    async request<T = unknown>(method: string, path: string, body?: unknown, o: { idempotent?: boolean } = {}): Promise<{ status: number; body: T }> {
        // A request that starts something (a configuration run) is never sent twice: a lost
        // answer may mean it was done. The caller decides what to do (ghes/configurationRun.ts).
        const attempts = o.idempotent === false ? 1 : (this.o.attempts ?? 4);
        const clock = this.o.clock ?? realClock;
        let last: ManageApiError | undefined;
        for (let attempt = 0; attempt < attempts; attempt++) {
            if (attempt > 0) await clock.sleep(backoffDelay(attempt - 1, { initialMs: 300, factor: 2, maxMs: 5000 }));
            let res: { status: number; body: unknown; date?: string };
            try {
                res = await this.once(method, path, body);
                this.noteApplianceTime(res.date);
            } catch (err) {
                const e = err as NodeJS.ErrnoException;
                last = this.error(manageKindOfNetworkError(e), method, path, `${e.code || "error"}: ${e.message}`);
                if (!last.retriable) throw last;
                continue;
            }
            if (res.status >= 200 && res.status < 300) return res as { status: number; body: T };
            last = this.error(manageKindOfStatus(res.status), method, path, `HTTP ${res.status}`, res.status);
            if (!last.retriable) throw last;
        }
        throw this.error(last?.kind ?? "unreachable", method, path, `${last?.detail ?? "no answer"} (after ${attempts} attempts)`, last?.status);
    }

    /**
     * The appliance's current time (ms since the epoch), or undefined when none of its answers
     * carried a valid `Date` header (RFC 9110 §6.6.1: an origin server with a clock sends one).
     * Advanced by this runner's clock since that answer: only its rate matters, not its offset.
     */
    applianceNow(): number | undefined {
        if (!this.applianceClock) return undefined;
        return this.applianceClock.applianceMs + ((this.o.clock ?? realClock).now() - this.applianceClock.localMs);
    }

    private noteApplianceTime(date: string | undefined): void {
        const applianceMs = date === undefined ? NaN : Date.parse(date);
        if (Number.isFinite(applianceMs)) this.applianceClock = { applianceMs, localMs: (this.o.clock ?? realClock).now() };
    }

    private error(kind: ManageApiError["kind"], method: string, path: string, detail: string, status?: number): ManageApiError {
        return new ManageApiError(kind, method, path, this.endpoint, detail, status);
    }

    private once(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown; date?: string }> {
        this.requests++;
        const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
        const timeoutMs = this.o.requestTimeoutMs ?? 30000;
        return new Promise((resolve, reject) => {
            this.secureContext ??= tls.createSecureContext({ ca: this.o.caBundle });
            // tls.connect's options (https.RequestOptions does not name secureContext, but passes it on).
            const tlsOptions: tls.ConnectionOptions = { secureContext: this.secureContext, rejectUnauthorized: !this.o.dangerouslySkipTlsVerification };
            const req = https.request({
                host: this.o.hostname,
                port: this.o.port,
                method,
                path,
                agent: false,
                ...tlsOptions,
                headers: {
                    authorization: this.auth,
                    accept: "application/json",
                    ...(payload ? { "content-type": "application/json", "content-length": String(payload.length) } : {}),
                },
            }, (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("error", reject);
                res.on("aborted", () => reject(Object.assign(new Error("the answer was cut off"), { code: "ECONNRESET" })));
                res.on("end", () => {
                    const text = Buffer.concat(chunks).toString("utf8");
                    let parsed: unknown = text;
                    try { parsed = text ? JSON.parse(text) : undefined; } catch { /* keep text */ }
                    resolve({ status: res.statusCode ?? 0, body: parsed, date: res.headers.date });
                });
            });
            // A deadline for the whole exchange: an idle timeout alone lets a trickling server hold a request for ever.
            const deadline = setTimeout(() => {
                const e = new Error(`no answer within ${formatDuration(timeoutMs)} (timed out)`) as NodeJS.ErrnoException;
                e.code = "ERR_TIMEOUT";
                req.destroy(e);
            }, timeoutMs);
            req.on("close", () => clearTimeout(deadline));
            req.on("error", (err) => { clearTimeout(deadline); reject(err); });
            req.end(payload);
        });
    }

    /** `GET /manage/v1/version`: the lowest version across nodes, or undefined if the endpoint is missing (GHES < 3.8). */
    async version(): Promise<string | undefined> {
        try {
            const { body } = await this.request<unknown>("GET", "/manage/v1/version");
            const entries = Array.isArray(body) ? body : [body];
            const versions = entries
                .map((e) => {
                    const v = (e as { version?: unknown })?.version;
                    return typeof v === "string" ? v : (v as { version?: string } | undefined)?.version;
                })
                .filter((v): v is string => typeof v === "string");
            if (versions.length === 0) throw this.error("malformed", "GET", "/manage/v1/version", "the answer names no version", 200);
            return versions.sort(compareVersions)[0];
        } catch (err) {
            if (err instanceof ManageApiError && err.kind === "not-found") return undefined;
            throw err;
        }
    }

    async addSshKey(publicKey: string): Promise<void> {
        await this.request("POST", "/manage/v1/access/ssh", { key: publicKey });
    }

    async removeSshKey(publicKey: string): Promise<void> {
        await this.request("DELETE", "/manage/v1/access/ssh", { key: publicKey });
    }

    /** Starts a configuration run (`ghe-config-apply`); returns its run id. */
    async startApply(): Promise<string> {
        const { body } = await this.request<{ run_id?: string }>("POST", "/manage/v1/config/apply", {}, { idempotent: false });
        const runId = body && typeof body === "object" ? body.run_id : undefined;
        if (!runId) throw this.error("malformed", "POST", "/manage/v1/config/apply", "the answer has no run_id", 200);
        return String(runId);
    }

    /** Status of a run (or of the latest run when no id is given). */
    async applyStatus(runId?: string): Promise<ApplyStatus> {
        const path = "/manage/v1/config/apply" + (runId ? `?run_id=${encodeURIComponent(runId)}` : "");
        const { body } = await this.request<Record<string, unknown>>("GET", path);
        const b = (body ?? {}) as Record<string, unknown>;
        const nodes = Array.isArray(b.nodes) ? (b.nodes as ApplyStatus["nodes"]) : [];
        return {
            // Only the id the answer names (an empty one names none): "no run yet" is not a failed run.
            runId: (typeof b.run_id === "string" && b.run_id !== "") || typeof b.run_id === "number" ? String(b.run_id) : undefined,
            running: b.running === true || nodes.some((n) => n.running === true),
            successful: b.successful === true && nodes.every((n) => n.successful !== false),
            nodes,
        };
    }

    /** The latest configuration-run events, for error reports and progress. */
    async applyEvents(): Promise<ApplyEvent[]> {
        const { body } = await this.request<unknown>("GET", "/manage/v1/config/apply/events");
        const nodes = (body as { nodes?: unknown[] } | undefined)?.nodes;
        const out: ApplyEvent[] = [];
        for (const node of Array.isArray(nodes) ? nodes : []) {
            const n = node as { node?: string; hostname?: string; events?: Record<string, unknown>[] };
            for (const e of Array.isArray(n.events) ? n.events : []) {
                out.push({
                    timestamp: e.timestamp as string | undefined,
                    severity: (e.severity_text ?? e.severity) as string | undefined,
                    body: e.body as string | undefined,
                    hostname: n.node ?? n.hostname,
                });
            }
        }
        return out;
    }

    /**
     * Maintenance mode across nodes: "on" if any node is in it, else "scheduled" if any node has
     * a window scheduled, else "off". GHES answers an array, one object per node (`{hostname,
     * uuid, status: "on"|"off"|"scheduled", ...}`); a single object is read the same way, leniently.
     */
    async maintenanceStatus(): Promise<"on" | "scheduled" | "off"> {
        const { body } = await this.request<unknown>("GET", "/manage/v1/maintenance");
        const nodes = (Array.isArray(body) ? body : [body]) as ({ status?: unknown; enabled?: unknown } | undefined)[];
        if (nodes.some((n) => n?.status === "on" || n?.enabled === true)) return "on";
        return nodes.some((n) => n?.status === "scheduled") ? "scheduled" : "off";
    }

    /** `GET /manage/v1/config/settings`: the appliance's settings (parsed leniently by the caller). */
    async settings(): Promise<Record<string, unknown>> {
        const { body } = await this.request<unknown>("GET", "/manage/v1/config/settings");
        return body && typeof body === "object" ? (body as Record<string, unknown>) : {};
    }

    /** `GET /manage/v1/access/ssh`: the admin shell's authorized keys (OpenSSH lines, comments kept). */
    async listSshKeys(): Promise<string[]> {
        const { body } = await this.request<unknown>("GET", "/manage/v1/access/ssh");
        return (Array.isArray(body) ? body : []).map((k) => (k as { key?: unknown })?.key).filter((k): k is string => typeof k === "string");
    }

    async setMaintenance(enabled: boolean): Promise<void> {
        await this.request("POST", "/manage/v1/maintenance", { enabled });
    }
}

/** Compares dotted versions numerically ("3.9.1" < "3.12.0"). */
export function compareVersions(a: string, b: string): number {
    const pa = a.split(/[.-]/).map((p) => parseInt(p, 10) || 0);
    const pb = b.split(/[.-]/).map((p) => parseInt(p, 10) || 0);
    for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
        const d = (pa[i] ?? 0) - (pb[i] ?? 0);
        if (d !== 0) return d;
    }
    return 0;
}
