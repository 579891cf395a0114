import { randomBytes } from "node:crypto";
import { AdminShell } from "./adminShell";
import { realClock } from "./clock";
import { AdminShellApplier, ConfigurationApplier, ManageApiApplier } from "./configurationApplier";
import { GhesConnection, GhesContext } from "./connection";
import { AdminShellError, isConnectionLost, ManageApiError } from "./errors";
import { compareVersions, ManageClient } from "./manageClient";
import { generateEd25519KeyPair } from "./sshKeys";

/** From this version on the Manage API registers SSH keys and starts configuration runs. */
export const MANAGE_API_VERSION = "3.12";

export function hasManageApi(version: string | undefined): boolean {
    return version !== undefined && compareVersions(version, MANAGE_API_VERSION) >= 0;
}

/**
 * Comment of every temporary admin-shell key this package registers:
 * `ghes-packages-s3-temporary-<the appliance's time in ms, 13 digits>-<16 random hex digits>`.
 * Stale ones are recognised by the whole format, which no administrator's comment matches by accident.
 */
const TEMPORARY_KEY = /^ssh-ed25519 [A-Za-z0-9+/]+={0,2} ghes-packages-s3-temporary-(\d{13})-[0-9a-f]{16}$/;

/**
 * 0.2.0 commented its keys `pulumi-ghes-packages-<Date.now()>`: recognised only with exactly 13
 * digits (a millisecond time; `pulumi-ghes-packages-2025` is someone's comment) no earlier than
 * this package's first release (0.1.0, 2026-11-27).
 */
const TEMPORARY_KEY_OF_0_2_0 = /^ssh-ed25519 [A-Za-z0-9+/]+={0,2} pulumi-ghes-packages-(\d{13})$/;
const FIRST_RELEASE_MS = Date.UTC(2026, 10, 27);

export function temporaryKeyComment(applianceMs: number): string {
    return `ghes-packages-s3-temporary-${String(Math.round(applianceMs)).padStart(13, "0")}-${randomBytes(8).toString("hex")}`;
}

/** When a key of the admin shell's list was registered, if it is provably one of this package's temporary keys. */
export function temporaryKeyRegisteredAt(line: string): number | undefined {
    const trimmed = line.trim();
    const current = TEMPORARY_KEY.exec(trimmed);
    if (current) return Number(current[1]);
    const old = TEMPORARY_KEY_OF_0_2_0.exec(trimmed);
    return old && Number(old[1]) >= FIRST_RELEASE_MS ? Number(old[1]) : undefined;
}

/**
 * A temporary key older than this is left over. An operation holds its key from reading the
 * settings until its configuration run is verified, so the bound is the longest run allowed
 * (applyTimeoutSeconds <= 6 h, provider/fields.ts) plus a margin: another stack's key in use
 * is never removed.
 */
export const STALE_KEY_MS = 6 * 3600_000 + 30 * 60_000;

/**
 * One appliance, reached through its Manage API: its version decides once how the admin shell
 * is entered (a temporary key on 3.12+, the operator's key before) and how configuration runs
 * are started (the ConfigurationApplier).
 */
export class GhesAppliance {
    /** Host key fingerprint seen on the last admin-shell connection. */
    hostKeyFingerprint?: string;
    /** Stale temporary keys are looked for once per appliance, not on every reconnect. */
    private staleKeysRemoved = false;
    readonly applier: ConfigurationApplier;

    private constructor(
        readonly conn: GhesConnection,
        private readonly ctx: GhesContext,
        readonly manage: ManageClient,
        /** The appliance's version; undefined before 3.8 (no version endpoint). */
        readonly version: string | undefined,
    ) {
        this.applier = hasManageApi(version)
            ? new ManageApiApplier(manage, ctx)
            : new AdminShellApplier((fn) => this.withAdminShell((shell, markUnrepeatable) => { markUnrepeatable(); return fn(shell); }), ctx);
    }

    /** Connects to the Manage API and reads the version (the first authenticated call). */
    static async connect(conn: GhesConnection, ctx: GhesContext): Promise<GhesAppliance> {
        if (conn.dangerouslySkipTlsVerification) {
            ctx.log(`WARNING: TLS verification of https://${conn.hostname}:${conn.managementPort} is OFF (dangerouslySkipTlsVerification); the management password can be intercepted. Give caBundle instead.`);
        }
        const manage = new ManageClient({
            hostname: conn.hostname,
            port: conn.managementPort,
            user: conn.managementUser,
            password: conn.managementPassword,
            caBundle: conn.caBundle,
            dangerouslySkipTlsVerification: conn.dangerouslySkipTlsVerification,
            clock: ctx.clock,
        });
        return new GhesAppliance(conn, ctx, manage, await manage.version());
    }

    get hasManageApi(): boolean {
        return hasManageApi(this.version);
    }

    /**
     * Runs `fn` with an open admin shell and always closes it (removing a temporary key). A lost
     * connection is retried once with a fresh shell unless `fn` marked its work as not
     * repeatable (e.g. a configuration run had started). The shell is never used after this returns.
     */
    async withAdminShell<T>(fn: (shell: AdminShell, markUnrepeatable: () => void) => Promise<T>): Promise<T> {
        for (let attempt = 1; ; attempt++) {
            const { shell, close } = await this.openShell();
            let repeatable = true;
            try {
                return await fn(shell, () => { repeatable = false; });
            } catch (err) {
                if (attempt >= 2 || !repeatable || !isConnectionLost(err)) throw err;
                this.ctx.log(`${(err as Error).message}; reconnecting once (the writes are idempotent)`);
            } finally {
                await close();
            }
        }
    }

    private async openShell(): Promise<{ shell: AdminShell; close: () => Promise<void> }> {
        const { conn, ctx } = this;
        let privateKey: string;
        let registered: string | undefined;
        if (this.hasManageApi) {
            await this.removeStaleKeys();
            const pair = generateEd25519KeyPair(temporaryKeyComment(this.applianceNow()));
            try {
                await this.manage.addSshKey(pair.public);
            } catch (err) {
                // The key may have been added although the answer was lost: remove it (idempotent), then report.
                if (err instanceof ManageApiError && err.answerLost) await this.manage.removeSshKey(pair.public).catch(() => undefined);
                throw err;
            }
            registered = pair.public;
            privateKey = pair.private;
        } else {
            if (!conn.sshPrivateKey) {
                throw new AdminShellError("no-credential", `ssh://admin@${conn.hostname}:${conn.sshPort}`,
                    `sshPrivateKey: GHES ${this.version ?? "< 3.8"} at ${conn.hostname} has no Manage API for SSH keys (needs >= ${MANAGE_API_VERSION}); ` +
                    `give the private key of a key authorized for the admin shell (Management Console > SSH access)`);
            }
            privateKey = conn.sshPrivateKey;
        }
        const removeKey = async () => {
            if (!registered) return;
            const key = registered;
            registered = undefined;
            try {
                await this.manage.removeSshKey(key);
            } catch (err) {
                ctx.log(`WARNING: could not remove the temporary SSH key from ${conn.hostname} (${(err as Error).message}); remove the key commented ${key.trim().split(/\s+/).pop()} under Management Console > SSH access`);
            }
        };
        try {
            const shell = await this.connectShell(privateKey);
            return { shell, close: async () => { shell.end(); await removeKey(); } };
        } catch (err) {
            await removeKey();
            throw err;
        }
    }

    /**
     * The appliance's time, from the `Date` header of its Manage API answers: keys are stamped
     * and aged by one clock, whatever the runners' clocks say. An appliance that sends no `Date`
     * (RFC 9110 §6.6.1 requires it of a server with a clock) leaves only this runner's clock.
     */
    private applianceNow(): number {
        return this.manage.applianceNow() ?? (this.ctx.clock ?? realClock).now();
    }

    /**
     * Removes temporary keys this package registered that outlived their operation (a process
     * killed mid-way, an answer lost): recognised by their whole comment format and older than
     * STALE_KEY_MS by the appliance's clock. The client retries each removal; one that still
     * fails is reported, not fatal.
     */
    private async removeStaleKeys(): Promise<void> {
        if (this.staleKeysRemoved) return;
        this.staleKeysRemoved = true;
        const keys = await this.manage.listSshKeys();
        // No source says GHES lists keys with their comments (the docs' example has none): without
        // them nothing can be recognised, and nothing is guessed.
        if (keys.length > 0 && keys.every((k) => k.trim().split(/\s+/).length < 3)) {
            this.ctx.log(`the Manage API lists the admin shell's keys without comments: stale temporary keys of this package cannot be recognised; remove any ghes-packages-s3-temporary-* key under Management Console > SSH access`);
        }
        const now = this.applianceNow();
        const stale = keys.filter((line) => {
            const registeredAt = temporaryKeyRegisteredAt(line);
            return registeredAt !== undefined && now - registeredAt > STALE_KEY_MS;
        });
        for (const key of stale) {
            try {
                await this.manage.removeSshKey(key);
                this.ctx.log(`removed a stale temporary admin-shell key (${key.trim().split(/\s+/).pop()}) left by an interrupted operation`);
            } catch (err) {
                this.ctx.log(`WARNING: could not remove the stale temporary SSH key ${key.trim().split(/\s+/).pop()} (${(err as Error).message}); remove it under Management Console > SSH access`);
            }
        }
    }

    /** Connects, retrying once after a lost connection; never after a refused host key or SSH key. */
    private async connectShell(privateKey: string): Promise<AdminShell> {
        for (let attempt = 1; ; attempt++) {
            // Within one operation the key seen first is pinned for every later connection.
            const expected = this.conn.expectedHostKey ?? this.hostKeyFingerprint;
            const shell = new AdminShell({ hostname: this.conn.hostname, port: this.conn.sshPort, privateKey, expectedFingerprint: expected, trustOnFirstUse: this.conn.trustHostKeyOnFirstUse });
            try {
                await shell.connect();
                if (!expected) this.ctx.log(`WARNING: trusting the admin shell's host key ${shell.fingerprint} on first use (sshHostKeyTrustOnFirstUse); it is pinned in state from now on`);
                this.hostKeyFingerprint = shell.fingerprint;
                return shell;
            } catch (err) {
                if (attempt >= 2 || !isConnectionLost(err)) throw err;
                this.ctx.log(`${(err as Error).message}; retrying once in 2 s`);
                await (this.ctx.clock ?? realClock).sleep(2000);
            }
        }
    }
}
