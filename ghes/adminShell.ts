import { createHash } from "node:crypto";
import { Client } from "ssh2";
import { formatDuration } from "./clock";
import { AdminShellError, SettingsWriteError } from "./errors";
import { batchStdin, BatchWriteOutcome, ConfigEntry, gheConfigGetBatch, gheConfigSetBatch, parseGetBatch, parseSetBatchOutcome } from "./gheConfigBatch";
import { excerpt } from "./redaction";

export interface AdminShellOptions {
    hostname: string;
    port: number;
    privateKey: string;
    /** Pinned host key ("SHA256:..."). */
    expectedFingerprint?: string;
    /** Without a pinned key: accept (and record) whatever key the host shows. Default false: refuse. */
    trustOnFirstUse?: boolean;
    /** Connect (TCP + handshake + auth) timeout. Default 20 s. */
    connectTimeoutMs?: number;
    /** Default per-command timeout. Default 60 s. */
    commandTimeoutMs?: number;
}

export interface CommandResult {
    code: number | null;
    stdout: string;
    stderr: string;
}

/** OpenSSH's fingerprint format for a raw host key blob. */
export function fingerprintOf(hostKey: Buffer): string {
    return "SHA256:" + createHash("sha256").update(hostKey).digest("base64").replace(/=+$/, "");
}

/**
 * The GHES administrative shell (`ssh -p 122 admin@HOST`): pinned host key, keepalives, a
 * timeout on every command, exit status checked, values shell-quoted, secrets on stdin.
 */
export class AdminShell {
    private client?: Client;
    /** Fingerprint of the host key seen on connect. */
    public fingerprint?: string;
    private readonly endpoint: string;
    /** Secret values this shell sent: masked in any output quoted in an error, before it is cut. */
    private readonly sentSecrets = new Set<string>();

    constructor(private readonly o: AdminShellOptions) {
        this.endpoint = `ssh://admin@${o.hostname}:${o.port}`;
    }

    connect(): Promise<void> {
        const client = new Client();
        let refusal: AdminShellError | undefined;
        return new Promise<void>((resolve, reject) => {
            const timeoutMs = this.o.connectTimeoutMs ?? 20000;
            const timer = setTimeout(() => {
                client.end();
                reject(this.error("connect-timeout", `no connection within ${formatDuration(timeoutMs)}`));
            }, timeoutMs);
            client.on("ready", () => {
                clearTimeout(timer);
                // Many small request/answer exchanges: without this, delayed ACKs add ~40 ms to each.
                client.setNoDelay(true);
                this.client = client;
                // A closed connection fails the next command at once instead of at its timeout.
                client.once("close", () => { if (this.client === client) this.client = undefined; });
                resolve();
            });
            // Closed before it was ready (e.g. the appliance's sshd going down): fail now, not at the connect timeout.
            client.on("close", () => {
                clearTimeout(timer);
                reject(refusal ?? this.error("dropped", "the connection closed before it was ready"));
            });
            client.on("error", (err: Error & { level?: string; code?: string }) => {
                clearTimeout(timer);
                if (refusal) return reject(refusal);
                if (err.level === "client-authentication") return reject(this.error("auth-rejected", "the SSH key was not accepted for user admin"));
                if (err.level === "client-timeout") return reject(this.error("connect-timeout", err.message));
                reject(this.error(err.code === "ECONNREFUSED" || err.level === "client-socket" ? "unreachable" : "dropped", err.message));
            });
            try {
                client.connect({
                    host: this.o.hostname,
                    port: this.o.port,
                    username: "admin",
                    privateKey: this.o.privateKey,
                    readyTimeout: timeoutMs,
                    keepaliveInterval: 10000,
                    keepaliveCountMax: 3,
                    hostVerifier: (key: Buffer) => {
                        const fp = fingerprintOf(key);
                        this.fingerprint = fp;
                        if (!this.o.expectedFingerprint && !this.o.trustOnFirstUse) {
                            // Nothing secret may go to a host nobody verified: the AWS secret key travels over this channel.
                            refusal = this.error("host-key-unverified", `the appliance presented SSH host key ${fp}, and no key is pinned. ` +
                                `Verify it out of band (on the appliance: ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub, or ssh-keyscan -p ${this.o.port} ${this.o.hostname} | ssh-keygen -lf -) ` +
                                `and set sshHostKeyFingerprint to it; or set sshHostKeyTrustOnFirstUse: true to accept it once and pin it in state.`);
                            return false;
                        }
                        if (this.o.expectedFingerprint && this.o.expectedFingerprint !== fp) {
                            refusal = this.error("host-key-mismatch", `SSH host key is ${fp}, but ${this.o.expectedFingerprint} is pinned. ` +
                                `If the appliance was rebuilt or its key rotated on purpose, set sshHostKeyFingerprint to the new value; otherwise stop: this may be a different machine.`);
                            return false;
                        }
                        return true;
                    },
                });
            } catch (err) {
                // e.g. a private key ssh2 cannot parse: fail now, and leave no timer behind.
                clearTimeout(timer);
                reject(this.error("bad-private-key", (err as Error).message));
            }
        });
    }

    /** Runs one command; resolves with its exit status and output, rejects on timeout or a dropped connection. */
    exec(command: string, opts: { stdin?: string; timeoutMs?: number } = {}): Promise<CommandResult> {
        const client = this.client;
        if (!client) return Promise.reject(this.error("not-connected", "not connected"));
        const timeoutMs = opts.timeoutMs ?? this.o.commandTimeoutMs ?? 60000;
        return new Promise<CommandResult>((resolve, reject) => {
            let settled = false;
            const finish = (err?: Error, result?: CommandResult) => {
                if (settled) return;
                settled = true;
                clearTimeout(timer);
                client.removeListener("close", onClose);
                if (err) reject(err); else resolve(result as CommandResult);
            };
            const onClose = () => finish(this.error("dropped", "connection closed before the command finished"));
            client.on("close", onClose);
            const timer = setTimeout(() => finish(this.error("command-timeout", `command did not finish within ${formatDuration(timeoutMs)}`)), timeoutMs);
            client.exec(command, (err, stream) => {
                if (err) return finish(this.error("dropped", err.message));
                let stdout = "";
                let stderr = "";
                let code: number | null = null;
                stream.on("data", (d: Buffer) => { stdout += d.toString("utf8"); });
                stream.stderr.on("data", (d: Buffer) => { stderr += d.toString("utf8"); });
                stream.on("exit", (c: number | null) => { code = c; });
                stream.on("close", () => {
                    if (code === null) return finish(this.error("dropped", "the command ended without an exit status (connection dropped?)"));
                    finish(undefined, { code, stdout, stderr });
                });
                stream.end(opts.stdin ?? "");
            });
        });
    }

    /** Reads several keys with one remote command; an unset key is undefined. */
    async readConfig(keys: readonly string[]): Promise<Record<string, string | undefined>> {
        return this.configFrom(keys, await this.exec(gheConfigGetBatch(keys)));
    }

    /** The settings a command ending with gheConfigGetBatch(keys) printed; throws if the read failed. */
    configFrom(keys: readonly string[], r: CommandResult): Record<string, string | undefined> {
        const rows = parseGetBatch(keys, r.stdout);
        if (r.code !== 0 || rows.length !== keys.length) {
            throw this.error("exit-status", `reading ${keys.join(", ")} failed with exit status ${r.code}: ${excerpt(r.stderr, this.sentSecrets)}`);
        }
        const out: Record<string, string | undefined> = {};
        for (const row of rows) {
            if (row.status !== 0 && row.status !== 1) throw this.error("exit-status", `reading ${row.key} failed with exit status ${row.status}`);
            out[row.key] = row.status === 0 ? row.value : undefined;
        }
        return out;
    }

    /**
     * `ghe-config KEY VALUE` for several keys in order, all or nothing, with one remote command
     * (ghes/gheConfigBatch.ts); secret values travel on stdin. `thenRun` (a shell snippet) runs
     * in the same command once every write succeeded; if it fails, the writes are undone too.
     * On failure a SettingsWriteError says what the appliance stores now.
     */
    async setConfigs(entries: readonly ConfigEntry[], thenRun?: string): Promise<void> {
        if (entries.length === 0) return;
        for (const e of entries) if (e.secret) this.sentSecrets.add(e.value);
        const r = await this.exec(gheConfigSetBatch(entries, thenRun), { stdin: batchStdin(entries) });
        if (r.code === 0) return;
        const outcome = parseSetBatchOutcome(entries, r.code, r.stdout);
        const status = /(?:ghe-config|follow-up) exit status (\d+)/.exec(r.stderr);
        const stderr = excerpt(r.stderr.replace(/(?:ghe-config|follow-up) exit status \d+\n?/g, ""), this.sentSecrets);
        throw new SettingsWriteError(this.endpoint, describeWriteFailure(outcome, status?.[1] ?? String(r.code), stderr), outcome);
    }

    /** `ghe-config-apply` (GHES < 3.12, synchronous). */
    async apply(timeoutMs: number, thenRun?: string): Promise<CommandResult> {
        // `thenRun` (a shell snippet) runs in the same command once ghe-config-apply succeeded.
        return this.exec(thenRun ? `ghe-config-apply; s=$?; if [ "$s" -eq 0 ]; then ${thenRun}; fi; exit $s` : "ghe-config-apply", { timeoutMs });
    }

    private error(kind: AdminShellError["kind"], detail: string): AdminShellError {
        return new AdminShellError(kind, this.endpoint, detail);
    }

    end(): void {
        this.client?.end();
        this.client = undefined;
    }
}

const STATE_TEXT = { previous: "holds the previous value", new: "holds the new value", unknown: "holds a value that is neither (read it back)" } as const;

/** What a failed batch write did, for the error: which write failed, and what is stored now. */
function describeWriteFailure(o: BatchWriteOutcome, status: string, stderr: string): string {
    const cause = `${stderr ? `: ${stderr}` : ""}`;
    const failed = (key?: string) => key ? `writing ${key} failed with exit status ${status}${cause}` : `the command after the writes failed with exit status ${status}${cause}`;
    switch (o.kind) {
        case "nothing-written": return `writing the settings failed before the first write (${o.reason})${cause}; nothing was written`;
        case "restored": return `${failed(o.failedKey)}; every key written before the failure was restored to its previous value and read back`;
        case "restore-failed": return `${failed(o.failedKey)}; restoring the previous values failed: ${o.stored.map((x) => `${x.key} ${STATE_TEXT[x.state]}`).join(", ")}`;
        case "unknown": return `writing the settings ended with exit status ${o.status}, which this package does not recognise: the settings may have landed, fully or in part${cause}`;
    }
}
