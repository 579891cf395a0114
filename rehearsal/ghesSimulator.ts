import { ChildProcess, spawn } from "node:child_process";
import { randomUUID, timingSafeEqual } from "node:crypto";
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import * as https from "node:https";
import { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Connection, ParsedKey, Server as SshServer, utils as sshUtils } from "ssh2";
import { fingerprintOf } from "../ghes/adminShell";
import { Clock, realClock } from "../ghes/clock";
import { generateEd25519KeyPair } from "../ghes/sshKeys";
import { compareVersions as compare } from "../ghes/manageClient";
import { parseArgvLog, readConfigDir, writeConfigDir, writeFakeGheTools } from "./fakeGheTools";
import { containerBlobRedirectionEnabled, ecosystemEnabled, packagesEnabled, ToggleName, TOGGLE_NAMES } from "./packagesConfigRules";
import { selfSignedCert } from "./selfSignedCert";

/*
 * A GHES appliance stand-in on 127.0.0.1: the Manage API over HTTPS and the admin shell over
 * SSH, with the fake ghe-config tools running under /bin/sh. Everything it receives is
 * recorded; faults can be injected. It never listens on anything but loopback.
 */

export interface SimulatorOptions {
    /** Appliance version. 3.12+ serves SSH-key and config-apply endpoints; 3.8+ serves /version. Default "3.14.2". */
    version?: string;
    /** Root site administrator password. Default "sim-root-password". */
    password?: string;
    /** Duration of a configuration run in ms. Default 150. */
    applyDurationMs?: number;
    /** Initial ghe-config values. */
    config?: Record<string, string>;
    /** Node names of the cluster. Default ["ghe-sim-primary"]. */
    nodes?: string[];
    /**
     * The appliance's time, which configuration runs take. Default the real clock; tests give it
     * the provider's virtual clock, so a run ends when the provider has waited long enough.
     */
    clock?: Clock;
    /**
     * The shell that runs admin-shell commands. Default /bin/sh (dash: strict POSIX, catches
     * bashisms). "/bin/bash": the appliance has bash (github/backup-utils pipes scripts to
     * `ghe-ssh HOST /bin/bash`), and the admin's login shell may be it, so scripts must be safe
     * under both.
     */
    shell?: string;
}

export interface RecordedRequest {
    method: string;
    path: string;
    body?: unknown;
    user?: string;
    authorized: boolean;
    status: number;
    /** The JSON answer sent (validated against GitHub's OpenAPI description in tests). */
    response?: unknown;
}

export interface RecordedCommand {
    command: string;
    /** Bytes received on the command's stdin (kept apart from the command line on purpose). */
    stdin: string;
    exitCode?: number | null;
}

interface Run {
    id: string;
    startedAt: number;
    durationMs: number;
    /** A node whose part failed half-way (the top level keeps running to the end). */
    failedNode?: string;
    topLevelAfterNodeFailure?: "failed" | "successful";
    successful: boolean;
    /** Nodes on which the run failed (every node of a failed run, or the one `failNodeOfNextRun` named). */
    failedNodes: string[];
    external: boolean;
    /** The run's settings were copied into effect (at its end, seen at the simulator's next use). */
    applied?: boolean;
}

/**
 * The appliance's whole state at one moment (`snapshot()`, `restore()`): every file under its
 * directory but the fake tools (settings, applied settings, the admin's home with the lock,
 * journal and records, the tools' argv log), and every other field: records, runs, authorized
 * keys, maintenance, fault injection. Not its servers, ports, host key or certificate.
 */
export interface SimulatorSnapshot {
    readonly files: readonly { path: string; mode: number; mtime: Date; content?: Buffer }[];
    readonly fields: Record<string, unknown>;
    readonly functions: Record<string, unknown>;
}

/** Fields that are the running appliance itself, not its state (kept by `restore`). */
const NOT_STATE = new Set(["https", "ssh", "sshHostKey", "sockets", "sshConnections", "children", "bin", "cert", "dir", "shell", "clock", "password", "nodes", "managePort", "sshPort"]);

export class GhesSimulator {
    readonly password: string;
    version: string;
    applyDurationMs: number;
    readonly nodes: string[];
    readonly clock: Clock;
    readonly dir: string;
    private readonly shell: string;
    readonly requests: RecordedRequest[] = [];
    readonly commands: RecordedCommand[] = [];
    readonly runs: Run[] = [];
    /** Admin-shell keys as registered (full OpenSSH lines). */
    readonly authorizedKeys = new Set<string>();
    /**
     * Whether GET access/ssh lists keys with their comments. No source says GHES keeps them: the
     * REST docs' example and the recorded answer in octokit.rb's cassettes
     * (Octokit_ManageGHESClient_ManageAPI/_authorized_keys) show keys without a comment, which may
     * only mean none was given. The client is fed both (tests/provider/undocumentedAnswers.test.ts).
     */
    listKeyComments = true;
    /** Maintenance status as GHES reports it per node: "on", "off" or "scheduled" (an operator's window). */
    maintenance: "on" | "off" | "scheduled" = "off";
    readonly maintenanceLog: boolean[] = [];
    // fault injection
    private failNextRequests: { count: number; status: number; pathPrefix?: string } = { count: 0, status: 500 };
    private resetNextRequests = 0;
    private dropNextCommands = 0;
    /** Drop the connection when a command matching this arrives (once). */
    dropCommandMatching?: RegExp;
    private hangNextCommands = 0;
    failNextRuns = 0;
    /**
     * Status POST /config/apply answers while a run is in progress. No source: the GHES
     * descriptions document 200, 400 and 401 only (pinned in tests/rehearsal/ghesSimulator.test.ts);
     * 409 is a choice, and the client is fed 409, 423, 400 and 422 (tests/provider/undocumentedAnswers.test.ts).
     */
    busyStatus = 409;
    /** Answer 400 to GET /config/apply without run_id (the documented form always has one). */
    requireRunId = false;
    /**
     * How GET /config/apply answers a run_id it does not know, and (without run_id) before any
     * run. No source: no 404 is documented. "404" (the default), "400", or "empty-200"
     * (`{running: false, successful: false, nodes: []}`); the client is fed each.
     */
    unknownRunAnswer: "404" | "400" | "empty-200" = "404";
    /** The next N status requests for a known run_id answer as if the run were unknown (a run not registered yet). */
    forgetRunsForNextPolls = 0;
    /**
     * A node whose part of the next client run fails half-way while the top level still reads
     * running to the end; `topLevelAfterNodeFailure` is what the top level says at the end. No
     * source relates the top level to the nodes: the client is fed both.
     */
    failNodeOfNextRun?: string;
    topLevelAfterNodeFailure: "failed" | "successful" = "failed";
    /** Makes `ghe-config KEY VALUE` fail for this key. */
    failWriteKey?: string;
    /** Writes number `from` .. `from + count - 1` from now on fail (see failWrites). */
    private failWriteRange?: { from: number; until: number; landed: boolean };
    /** Handle the next POST /config/apply (the run starts) but drop the connection instead of answering. */
    loseNextApplyAnswers = 0;
    /** Answer the next GET /manage/v1/version a byte at a time, one every `trickleMs` (a stuck proxy). */
    trickleNextRequests = 0;
    trickleMs = 100;
    /** Called after each Manage API answer (lets a test act between two client requests). */
    afterResponse?: (request: RecordedRequest) => void;
    /** Called after each admin-shell command ended (lets a test act between two commands). */
    afterCommand?: (command: RecordedCommand) => void;
    /**
     * Subdomain isolation (the Container registry needs it), held where GHES holds it: the
     * ghe-config key `core.subdomain-isolation` (GHES's configuration code reads
     * `raw_config["subdomain-isolation"]` beside `raw_config["github-hostname"]`, which is
     * `ghe-config core.github-hostname`); the Manage API reports it as `subdomain_isolation`.
     * On by default: a test default, no source (GHES docs describe enabling it; the client reads it
     * at run time and never assumes it).
     */
    get subdomainIsolation(): boolean { return this.config()[SUBDOMAIN_ISOLATION_KEY] === "true"; }
    set subdomainIsolation(on: boolean) { this.setConfig({ [SUBDOMAIN_ISOLATION_KEY]: String(on) }); }
    /**
     * ghe-config keys this appliance accepts but ignores: written, yet its configuration code
     * and settings treat them as unset. No source: fault injection, for a version where an observed
     * key differs (the client verifies what it wrote after the run, provider/operations.ts).
     */
    readonly ignoredKeys = new Set<string>();
    /**
     * The appliance's clock relative to `clock` (the runner's), and whether its answers carry a `Date`
     * header. RFC 9110 §6.6.1: an origin server with a clock MUST send `Date` in 2xx-4xx
     * answers (Node's http server does by default); `sendDate = false` models one without.
     */
    clockOffsetMs = 0;
    sendDate = true;
    /** Whether GET config/settings carries the undocumented `feature_toggles` block. */
    reportFeatureToggles = true;
    /** Exit status of the legacy `ghe-config-apply`. */
    legacyApplyExit = 0;
    /**
     * Remote operations handled so far: Manage API requests answered and admin-shell commands
     * run (fault injection, not a GHES behaviour: the crash sweep counts them).
     */
    get operations(): number { return this.operationLog.length; }
    /** The handled operations in arrival order. */
    readonly operationLog: (RecordedRequest | RecordedCommand)[] = [];
    /**
     * A client killed after this many operations (fault injection): the operation that reaches
     * the count is processed, its answer never arrives, and every later request, command and
     * connection is refused until `unfreeze()`, so the dying client's clean-up cannot reach the
     * appliance either. What a SIGKILL of the deploying process leaves behind.
     */
    freezeAfterOperations?: number;
    frozen = false;
    /**
     * The admin-shell command with this index in `commands` fails once (fault injection):
     * "before" it ran (nothing executed), or "after" it ran (its output arrives, only its exit
     * status says it failed).
     */
    failCommand?: { index: number; when: "before" | "after"; status: number };
    /** Printed before every command's own output, as a login profile that prints a line would (fault injection). */
    banner?: string;

    private https?: https.Server;
    private ssh?: SshServer;
    private sshHostKey: string;
    private readonly sockets = new Set<Socket>();
    private readonly sshConnections = new Set<Connection>();
    /** Admin-shell commands still running. */
    private readonly children = new Set<ChildProcess>();
    private readonly bin: string;
    private readonly cert = selfSignedCert();
    managePort = 0;
    sshPort = 0;
    private runSeq = 0;

    constructor(o: SimulatorOptions = {}) {
        this.version = o.version ?? "3.14.2";
        this.password = o.password ?? "sim-root-password";
        this.applyDurationMs = o.applyDurationMs ?? 150;
        this.nodes = o.nodes ?? ["ghe-sim-primary"];
        this.clock = o.clock ?? realClock;
        this.shell = o.shell ?? "/bin/sh";
        this.dir = mkdtempSync(join(tmpdir(), "ghes-sim-"));
        this.bin = writeFakeGheTools(this.dir);
        writeConfigDir(this.configDir, { [SUBDOMAIN_ISOLATION_KEY]: "true", ...o.config });
        writeFileSync(this.argvLog, "");
        this.sshHostKey = generateEd25519KeyPair().private;
    }

    get configDir(): string { return join(this.dir, "ghe-config"); }
    get argvLog(): string { return join(this.dir, "argv.log"); }
    /** The CA bundle a client needs to trust the Manage API. */
    get caBundle(): string { return this.cert.cert; }
    get hostKeyFingerprint(): string { return fingerprintOf((sshUtils.parseKey(this.sshHostKey) as ParsedKey).getPublicSSH()); }
    private get modern(): boolean { return compare(this.version, "3.12") >= 0; }

    /** Current ghe-config values. */
    config(): Record<string, string> { this.settleRuns(); return readConfigDir(this.configDir) ?? {}; }
    /** The values in effect: those the last successful configuration run applied. */
    appliedConfig(): Record<string, string> | undefined { this.settleRuns(); return readConfigDir(this.configDir + ".applied"); }
    setConfig(values: Record<string, string>): void { this.settleRuns(); writeConfigDir(this.configDir, values); }
    /** Removes keys, as an operator's `ghe-config --unset KEY` does. */
    unsetConfig(...keys: string[]): void { this.settleRuns(); for (const k of keys) rmSync(join(this.configDir, k), { force: true }); }
    /**
     * What the appliance serves for a Packages toggle: GHES's own rule (rehearsal/packagesConfigRules.ts)
     * over the settings the last successful configuration run applied ("true", "false", "readonly").
     */
    servedToggle(name: ToggleName): string { return String(ecosystemEnabled(this.effective(this.appliedConfig() ?? {}), name)); }
    /** Settings as this appliance's configuration code sees them: ignored keys are unset. */
    private effective(cfg: Record<string, string>): Record<string, string> {
        return Object.fromEntries(Object.entries(cfg).filter(([k]) => !this.ignoredKeys.has(k)));
    }
    /** Every argv the fake tools received. */
    toolInvocations(): { tool: string; args: string[] }[] {
        return parseArgvLog(readFileSync(this.argvLog, "utf8"));
    }
    /** Counts of what changed GHES: ghe-config writes and configuration runs started by clients. */
    writes(): number { return this.toolInvocations().filter((i) => i.tool === "ghe-config" && i.args.length === 2).length; }
    clientRuns(): Run[] { return this.runs.filter((r) => !r.external); }

    failRequests(count: number, status = 500, pathPrefix?: string): void { this.failNextRequests = { count, status, pathPrefix }; }
    resetRequests(count: number): void { this.resetNextRequests = count; }
    /**
     * The `nth` ghe-config write from now on (1 = the next; `--unset` counts) and the `count - 1`
     * after it exit 255; with `landed`, each lands first and only its exit status says it failed.
     */
    failWrites(nth: number, o: { count?: number; landed?: boolean } = {}): void {
        writeFileSync(join(this.dir, "write-count"), "0");
        this.failWriteRange = { from: nth, until: nth + (o.count ?? 1), landed: o.landed ?? false };
    }
    dropCommands(count: number): void { this.dropNextCommands = count; }
    hangCommands(count: number): void { this.hangNextCommands = count; }
    authorizeKey(publicKey: string): void { this.authorizedKeys.add(publicKey.trim()); }
    /** An operator's configuration run that applies the current settings, awaited to its end. */
    async runConfigurationNow(): Promise<void> {
        const run = this.startRun(0, true);
        if (!this.runDone(run) || !this.appliedConfig()) throw new Error("the operator's run did not finish");
    }
    /** Closes every admin-shell connection from the appliance's side (sshd restarted during a run). */
    closeShells(): void { for (const c of this.sshConnections) c.end(); }
    /** A new process reaches the appliance again (after `freezeAfterOperations`). */
    unfreeze(): void { this.frozen = false; this.freezeAfterOperations = undefined; }
    /** Counts one handled operation; true when the client dies with it (its answer is lost). */
    private countOperation(op: RecordedRequest | RecordedCommand): boolean {
        this.operationLog.push(op);
        if (this.freezeAfterOperations === undefined || this.operations < this.freezeAfterOperations) return false;
        this.frozen = true;
        return true;
    }
    /** A configuration run started by someone else (e.g. an operator in the console). */
    startExternalRun(durationMs: number): string { return this.startRun(durationMs, true).id; }

    async start(): Promise<this> {
        this.https = https.createServer({ key: this.cert.key, cert: this.cert.cert }, (req, res) => this.handle(req, res));
        this.https.on("connection", (s: Socket) => {
            if (this.frozen) {
                s.destroy();
                return;
            }
            this.sockets.add(s);
            s.on("close", () => this.sockets.delete(s));
        });
        await new Promise<void>((resolve) => this.https!.listen(0, "127.0.0.1", resolve));
        this.managePort = (this.https.address() as AddressInfo).port;
        try {
            await this.startSsh(0);
        } catch (err) {
            await this.stop();
            throw err;
        }
        return this;
    }

    /**
     * Everything a `restore` puts back: lets a test set an appliance up once and start each
     * trial from that state with the same servers (the crash sweep, tests/provider/crashSweep/).
     */
    snapshot(): SimulatorSnapshot {
        this.settleRuns();
        const files: { path: string; mode: number; mtime: Date; content?: Buffer }[] = [];
        const walk = (rel: string) => {
            for (const name of readdirSync(join(this.dir, rel)).sort()) {
                const path = rel ? `${rel}/${name}` : name;
                if (path === "bin") continue;
                const st = lstatSync(join(this.dir, path));
                if (st.isDirectory()) { files.push({ path, mode: st.mode & 0o7777, mtime: st.mtime }); walk(path); }
                else files.push({ path, mode: st.mode & 0o7777, mtime: st.mtime, content: readFileSync(join(this.dir, path)) });
            }
        };
        walk("");
        const fields: Record<string, unknown> = {};
        const functions: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(this)) {
            if (NOT_STATE.has(k)) continue;
            if (typeof v === "function") functions[k] = v;
            else fields[k] = v;
        }
        // One clone: a command or request stays the same object in operationLog and in commands/requests.
        return { files, fields: structuredClone(fields), functions };
    }

    /**
     * Puts the appliance back into a snapshot's state, as if it had never left it: waits for
     * the admin-shell commands still running, closes every connection (a new client finds
     * none of the last one's), then replaces files and fields.
     */
    async restore(s: SimulatorSnapshot): Promise<void> {
        await Promise.all([...this.children].map((c) => new Promise((resolve) => c.once("close", resolve))));
        for (const c of this.sshConnections) c.end();
        for (const sock of this.sockets) sock.destroy();
        // Only what differs is removed or written again (most settings stay as they were).
        const wanted = new Map(s.files.map((f) => [f.path, f]));
        const prune = (rel: string) => {
            for (const name of readdirSync(join(this.dir, rel))) {
                const path = rel ? `${rel}/${name}` : name;
                if (path === "bin") continue;
                const want = wanted.get(path);
                const st = lstatSync(join(this.dir, path));
                const same = want !== undefined && (want.content === undefined ? st.isDirectory()
                    : st.isFile() && (st.mode & 0o7777) === want.mode && readFileSync(join(this.dir, path)).equals(want.content));
                if (!same) rmSync(join(this.dir, path), { recursive: true, force: true });
                else if (want.content === undefined) prune(path);
            }
        };
        prune("");
        for (const f of s.files) {
            const path = join(this.dir, f.path);
            if (f.content === undefined) mkdirSync(path, { recursive: true });
            else if (!existsSync(path)) writeFileSync(path, f.content);
            chmodSync(path, f.mode);
        }
        // Deepest first: writing into a directory changes its modification time.
        for (const f of [...s.files].reverse()) utimesSync(join(this.dir, f.path), f.mtime, f.mtime);
        const self = this as unknown as Record<string, unknown>;
        for (const k of Object.keys(self)) if (!NOT_STATE.has(k) && !(k in s.fields) && !(k in s.functions)) self[k] = undefined;
        Object.assign(self, structuredClone(s.fields), s.functions);
    }

    /** Replaces the SSH host key (a rebuilt appliance, or a machine in the middle). */
    async changeHostKey(): Promise<void> {
        this.sshHostKey = generateEd25519KeyPair().private;
        const port = this.sshPort;
        await this.stopSsh();
        await this.startSsh(port);
    }

    async stop(): Promise<void> {
        await this.stopSsh();
        if (this.https) {
            for (const s of this.sockets) s.destroy();
            await new Promise<void>((resolve) => this.https!.close(() => resolve()));
            this.https = undefined;
        }
        rmSync(this.dir, { recursive: true, force: true });
    }

    // ---- Manage API -------------------------------------------------------------------

    private handle(req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse): void {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            this.settleRuns();
            const url = new URL(req.url ?? "/", "https://127.0.0.1");
            const text = Buffer.concat(chunks).toString("utf8");
            let body: unknown;
            try { body = text ? JSON.parse(text) : undefined; } catch { body = text; }
            const { user, ok } = this.checkAuth(req.headers.authorization);
            const rec: RecordedRequest = { method: req.method ?? "", path: url.pathname + url.search, body, user, authorized: ok, status: 0 };
            this.requests.push(rec);
            if (this.frozen) { rec.status = -1; req.socket.destroy(); return; }
            this.pendingDrop = () => { rec.status = -1; req.socket.destroy(); };
            const send = (status: number, payload?: unknown) => {
                rec.status = status;
                rec.response = payload;
                if (this.sendDate) res.setHeader("date", new Date(this.clock.now() + this.clockOffsetMs).toUTCString());
                else res.sendDate = false;
                if (this.countOperation(rec)) { req.socket.destroy(); return; }
                res.writeHead(status, payload === undefined ? {} : { "content-type": "application/json" });
                res.end(payload === undefined ? undefined : JSON.stringify(payload));
                this.afterResponse?.(rec);
            };
            if (this.trickleNextRequests > 0) {
                this.trickleNextRequests--;
                rec.status = 200;
                res.writeHead(200, { "content-type": "application/json" });
                const timer = setInterval(() => { if (!res.writableEnded) res.write(" "); }, this.trickleMs);
                timer.unref();
                res.on("close", () => clearInterval(timer));
                return;
            }
            if (this.resetNextRequests > 0) {
                this.resetNextRequests--;
                rec.status = -1;
                req.socket.destroy();
                return;
            }
            const f = this.failNextRequests;
            if (f.count > 0 && (!f.pathPrefix || url.pathname.startsWith(f.pathPrefix))) {
                f.count--;
                return send(f.status, { message: "injected failure" });
            }
            if (!ok) return send(401, { message: "Bad credentials" });
            try {
                this.route(req.method ?? "GET", url, body, send);
            } catch (err) {
                send(500, { message: (err as Error).message });
            }
        });
    }

    private checkAuth(header: string | undefined): { user?: string; ok: boolean } {
        if (!header?.startsWith("Basic ")) return { ok: false };
        const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
        const i = decoded.indexOf(":");
        const user = decoded.slice(0, i);
        const pass = Buffer.from(decoded.slice(i + 1));
        const expected = Buffer.from(this.password);
        const ok = user === "api_key" && pass.length === expected.length && timingSafeEqual(pass, expected);
        return { user, ok };
    }

    private route(method: string, url: URL, body: unknown, send: (status: number, payload?: unknown) => void): void {
        const path = url.pathname;
        const key = (body as { key?: string } | undefined)?.key;
        if (path === "/manage/v1/version" && method === "GET") {
            if (compare(this.version, "3.8") < 0) return send(404, { message: "Not Found" });
            return send(200, this.nodes.map((hostname) => ({ hostname, version: { version: this.version, platform: "ami", build_id: "3f5a8c1e", build_date: "2026-01-01" } })));
        }
        if (!this.modern) return send(404, { message: "Not Found" });
        if (path === "/manage/v1/access/ssh") {
            // GHES REST docs: GET answers [{key, fingerprint}]; POST and DELETE answer [{hostname, uuid, message, modified}].
            if (method === "GET") return send(200, [...this.authorizedKeys].map((k) => ({ key: this.listKeyComments ? k : normalizeKey(k), fingerprint: sshFingerprintOf(k) })));
            if (typeof key !== "string" || !/^ssh-\S+ \S+/.test(key)) return send(400, { message: "key is required" });
            const existing = [...this.authorizedKeys].find((k) => normalizeKey(k) === normalizeKey(key));
            if (method === "POST") {
                if (!existing) this.authorizedKeys.add(key.trim());
                return send(200, this.nodes.map((hostname) => ({ hostname, uuid: this.uuidOf(hostname), message: "SSH key added successfully", modified: !existing })));
            }
            if (method === "DELETE") {
                if (existing) this.authorizedKeys.delete(existing);
                return send(200, this.nodes.map((hostname) => ({ hostname, uuid: this.uuidOf(hostname), message: existing ? "SSH key removed successfully" : "SSH key not found", modified: existing !== undefined })));
            }
        }
        if (path === "/manage/v1/config/apply") {
            if (method === "POST") {
                if (this.currentRun()) return send(this.busyStatus, { message: "A configuration run is already in progress" });
                const run = this.startRun(this.applyDurationMs, false);
                if (this.loseNextApplyAnswers > 0) {
                    this.loseNextApplyAnswers--;
                    return this.dropAnswer();
                }
                return send(200, { run_id: run.id });
            }
            if (method === "GET") {
                const id = url.searchParams.get("run_id");
                if (!id && this.requireRunId) return send(400, { message: "run_id is required" });
                let run = id ? this.runs.find((r) => r.id === id) : this.runs[this.runs.length - 1];
                if (run && id && this.forgetRunsForNextPolls > 0) { this.forgetRunsForNextPolls--; run = undefined; }
                if (!run) {
                    // Undocumented (see unknownRunAnswer); "no run yet" is answered the same way.
                    if (this.unknownRunAnswer === "404") return id ? send(404, { message: "run not found" }) : send(200, { running: false, successful: false, nodes: [] });
                    if (this.unknownRunAnswer === "400") return send(400, { message: "unknown run_id" });
                    return send(200, { running: false, successful: false, nodes: [] });
                }
                return send(200, this.runStatus(run));
            }
        }
        if (path === "/manage/v1/config/apply/events" && method === "GET") {
            const run = this.runs[this.runs.length - 1];
            const events = (node: string) => {
                if (!run) return [];
                const ok = !run.failedNodes.includes(node);
                return [
                    { timestamp: new Date(run.startedAt).toISOString(), severity_text: "INFO", body: "Starting configuration run", event_name: "start" },
                    ...(this.runDone(run) ? [{ timestamp: new Date(run.startedAt + run.durationMs).toISOString(), severity_text: ok ? "INFO" : "ERROR", body: ok ? "Configuration run complete" : "ghe-packages: could not reach storage", event_name: "finish" }] : []),
                ];
            };
            return send(200, { nodes: this.nodes.map((node) => ({ node, last_request_id: "sim", events: events(node) })) });
        }
        if (path === "/manage/v1/maintenance") {
            // GHES REST docs, "Get the status of maintenance mode": an array, one object per node.
            if (method === "GET") {
                return send(200, this.nodes.map((hostname) => ({
                    hostname, uuid: this.uuidOf(hostname), status: this.maintenance,
                    // The description types it `format: date` but its example is a date-time; GHES sends the latter.
                    ...(this.maintenance === "scheduled" ? { scheduled_time: new Date(this.clock.now() + 3600_000).toISOString() } : {}),
                    connection_services: [],
                })));
            }
            if (method === "POST") {
                const enabled = (body as { enabled?: boolean })?.enabled === true;
                this.maintenance = enabled ? "on" : "off";
                this.maintenanceLog.push(enabled);
                return send(200, this.nodes.map((hostname) => ({ hostname, uuid: this.uuidOf(hostname), message: "maintenance mode updated" })));
            }
        }
        if (path === "/manage/v1/config/settings" && method === "GET") {
            // Documented: subdomain_isolation (boolean). Undocumented: feature_toggles.packages, shaped
            // as the recorded answer of a real appliance (tests/fixtures/manage-config-settings.recorded.json:
            // ecosystem toggles as strings, npm upstreaming, blob redirection and enabled as booleans).
            // How the Manage API derives the values is not published: modelled as GHES's configuration
            // code computes them (rehearsal/packagesConfigRules.ts), so the client verifies only toggles
            // it wrote, and tolerates the block being absent (reportFeatureToggles = false).
            const cfg = this.effective(this.config());
            const packages: Record<string, unknown> = {};
            for (const name of TOGGLE_NAMES) {
                const v = ecosystemEnabled(cfg, name);
                if (name === "npm-upstreaming") packages.npm_upstreaming_enabled = v === true || v === "true";
                else packages[`${name}_enabled`] = String(v);
            }
            packages.container_blob_redirection_enabled = containerBlobRedirectionEnabled(cfg);
            packages.enabled = packagesEnabled(cfg);
            return send(200, {
                private_mode: false, subdomain_isolation: this.subdomainIsolation, github_hostname: "ghes.example.com",
                ...(this.reportFeatureToggles ? { feature_toggles: { packages } } : {}),
            });
        }
        send(404, { message: "Not Found" });
    }

    /** The request was handled, but its answer is lost on the way back (a reset connection). */
    private pendingDrop?: () => void;
    private dropAnswer(): void {
        this.pendingDrop?.();
    }

    private readonly uuids = new Map<string, string>();
    /** A stable UUID per node, as GHES reports node UUIDs. */
    private uuidOf(hostname: string): string {
        if (!this.uuids.has(hostname)) this.uuids.set(hostname, randomUUID());
        return this.uuids.get(hostname) as string;
    }

    private startRun(durationMs: number, external: boolean): Run {
        const failedNodes = external || this.failNextRuns <= 0 ? [] : this.nodes;
        if (!external && this.failNextRuns > 0) this.failNextRuns--;
        const run: Run = { id: `sim-run-${++this.runSeq}`, startedAt: this.clock.now(), durationMs, successful: failedNodes.length === 0, failedNodes, external };
        if (!external && this.failNodeOfNextRun) {
            run.failedNode = this.failNodeOfNextRun;
            run.failedNodes = [this.failNodeOfNextRun];
            run.topLevelAfterNodeFailure = this.topLevelAfterNodeFailure;
            this.failNodeOfNextRun = undefined;
        }
        this.runs.push(run);
        return run;
    }

    /**
     * A successful run puts the settings into effect at its end. Done lazily, at the start of
     * everything that reads or changes the settings, which is the same as doing it at the end:
     * nothing changes them in between.
     */
    private settleRuns(): void {
        for (const run of this.runs) {
            if (run.applied || !run.successful || !this.runDone(run)) continue;
            run.applied = true;
            rmSync(this.configDir + ".applied", { recursive: true, force: true });
            cpSync(this.configDir, this.configDir + ".applied", { recursive: true });
        }
    }

    private runDone(r: Run): boolean { return this.clock.now() >= r.startedAt + r.durationMs; }
    private currentRun(): Run | undefined { return this.runs.find((r) => !this.runDone(r)); }

    private runStatus(run: Run) {
        const done = this.runDone(run);
        const nodeFailed = run.failedNode !== undefined && this.clock.now() >= run.startedAt + run.durationMs / 2;
        return {
            run_id: run.id,
            running: !done,
            successful: done && run.successful && (run.failedNode === undefined || run.topLevelAfterNodeFailure === "successful"),
            nodes: this.nodes.map((hostname) => (hostname === run.failedNode && nodeFailed
                ? { run_id: run.id, hostname, running: false, successful: false }
                : { run_id: run.id, hostname, running: !done, successful: done && run.successful })),
        };
    }

    // ---- admin shell -----------------------------------------------------------------

    private async startSsh(port: number): Promise<void> {
        this.ssh = new SshServer({ hostKeys: [this.sshHostKey] }, (client) => this.onSshClient(client));
        await new Promise<void>((resolve, reject) => {
            this.ssh!.once("error", reject);
            this.ssh!.listen(port, "127.0.0.1", () => resolve());
        });
        this.sshPort = (this.ssh.address() as AddressInfo).port;
    }

    private async stopSsh(): Promise<void> {
        if (!this.ssh) return;
        for (const c of this.sshConnections) c.end();
        await new Promise<void>((resolve) => this.ssh!.close(() => resolve()));
        this.ssh = undefined;
    }

    private onSshClient(client: Connection): void {
        if (this.frozen) { client.on("error", () => undefined); client.end(); return; }
        this.sshConnections.add(client);
        (client as unknown as { setNoDelay(on: boolean): void }).setNoDelay(true);
        client.on("close", () => this.sshConnections.delete(client));
        client.on("error", () => undefined);
        client.on("authentication", (ctx) => {
            if (ctx.method !== "publickey" || ctx.username !== "admin") return ctx.reject(["publickey"]);
            const offered = `${ctx.key.algo} ${ctx.key.data.toString("base64")}`;
            const match = [...this.authorizedKeys].map(normalizeKey).find((k) => k === offered);
            if (!match) return ctx.reject(["publickey"]);
            if (!ctx.signature) return ctx.accept(); // key probe; the signature follows
            const parsed = sshUtils.parseKey(match) as ParsedKey;
            if (parsed.verify(ctx.blob as Buffer, ctx.signature, ctx.hashAlgo) === true) return ctx.accept();
            ctx.reject(["publickey"]);
        });
        client.on("ready", () => {
            client.on("session", (accept) => {
                const session = accept();
                session.on("exec", (acceptExec, _reject, info) => {
                    this.settleRuns();
                    const stream = acceptExec();
                    const rec: RecordedCommand = { command: info.command, stdin: "" };
                    this.commands.push(rec);
                    if (this.frozen) { client.end(); return; }
                    const fault = this.failCommand?.index === this.commands.length - 1 ? this.failCommand : undefined;
                    if (fault) this.failCommand = undefined;
                    if (fault?.when === "before") {
                        rec.exitCode = fault.status;
                        this.countOperation(rec);
                        stream.exit(fault.status);
                        stream.end();
                        return;
                    }
                    const dropThis = this.dropCommandMatching?.test(info.command) ?? false;
                    if (dropThis) this.dropCommandMatching = undefined;
                    if (this.dropNextCommands > 0 || dropThis) {
                        if (!dropThis) this.dropNextCommands--;
                        client.end();
                        return;
                    }
                    if (this.hangNextCommands > 0) {
                        this.hangNextCommands--;
                        return; // never answers; the client's timeout must fire
                    }
                    const child = spawn(this.shell, ["-c", info.command], {
                        env: {
                            PATH: `${this.bin}:/usr/bin:/bin`,
                            HOME: this.dir, // the admin user's home (the configuration lock lives there)
                            GHE_SIM_CONFIG_DIR: this.configDir,
                            GHE_SIM_ARGV_LOG: this.argvLog,
                            GHE_SIM_APPLY_SECONDS: String(this.applyDurationMs / 1000),
                            GHE_SIM_APPLY_EXIT: String(this.legacyApplyExit),
                            ...(this.failWriteKey ? { GHE_SIM_FAIL_WRITE_KEY: this.failWriteKey } : {}),
                            ...(this.failWriteRange ? {
                                GHE_SIM_WRITE_COUNT: join(this.dir, "write-count"),
                                GHE_SIM_FAIL_WRITE_FROM: String(this.failWriteRange.from),
                                GHE_SIM_FAIL_WRITE_UNTIL: String(this.failWriteRange.until),
                                GHE_SIM_FAIL_WRITE_LANDS: this.failWriteRange.landed ? "1" : "0",
                            } : {}),
                        },
                    });
                    this.children.add(child);
                    child.on("close", () => this.children.delete(child));
                    if (this.banner !== undefined) stream.write(`${this.banner}\n`);
                    stream.on("data", (d: Buffer) => { rec.stdin += d.toString("utf8"); child.stdin.write(d); });
                    stream.on("end", () => child.stdin.end());
                    child.stdin.on("error", () => undefined);
                    child.stdout.on("data", (d: Buffer) => stream.write(d));
                    child.stderr.on("data", (d: Buffer) => stream.stderr.write(d));
                    child.on("close", (code) => {
                        rec.exitCode = code;
                        if (this.countOperation(rec)) { client.end(); this.afterCommand?.(rec); return; }
                        stream.exit(fault ? fault.status : (code ?? 255));
                        stream.end();
                        this.afterCommand?.(rec);
                    });
                });
            });
        });
    }
}

const SUBDOMAIN_ISOLATION_KEY = "core.subdomain-isolation";

function sshFingerprintOf(line: string): string {
    const data = line.trim().split(/\s+/)[1] ?? "";
    return fingerprintOf(Buffer.from(data, "base64"));
}

function normalizeKey(k: string): string {
    const [algo, data] = k.trim().split(/\s+/);
    return `${algo} ${data}`;
}

