import { AdminShell, HostKeyMismatchError } from "./adminShell";
import { Clock, realClock } from "./backoff";
import { GhesSettingsInputs, PASSWORD_ENV } from "./inputs";
import { compareVersions, ManageClient } from "./manageClient";
import { GhesSettings, WRITE_ORDER } from "./settings";
import { generateEd25519KeyPair } from "./sshKeys";

/** What the provider methods need from their surroundings; tests pass their own. */
export interface ProviderContext {
    log: (message: string) => void;
    env: Record<string, string | undefined>;
    clock?: Clock;
}

/** From this version on the Manage API manages SSH keys and configuration runs. */
export const MANAGE_API_VERSION = "3.12";

/** An open connection to one appliance: Manage API client, admin shell, and how to clean up. */
export interface GhesSession {
    manage: ManageClient;
    shell: AdminShell;
    /** The appliance's version; undefined before 3.8 (no version endpoint). */
    version?: string;
    /** True on 3.12+: SSH key registration and configuration runs go through the Manage API. */
    modern: boolean;
    fingerprint: string;
    /** Closes the shell and removes the short-lived SSH key. Safe to call twice. */
    close(): Promise<void>;
}

function managementPassword(inputs: GhesSettingsInputs, env: ProviderContext["env"]): string {
    const p = inputs.managementPassword ?? env[PASSWORD_ENV];
    if (!p) throw new Error(`managementPassword: not given and ${PASSWORD_ENV} is not set`);
    return p;
}

function manageClientFor(inputs: GhesSettingsInputs, ctx: ProviderContext): ManageClient {
    return new ManageClient({
        hostname: inputs.hostname,
        port: inputs.managementPort,
        user: inputs.managementUser,
        password: managementPassword(inputs, ctx.env),
        caBundle: inputs.caBundle,
        dangerouslySkipTlsVerification: inputs.dangerouslySkipTlsVerification,
        clock: ctx.clock,
    });
}

/**
 * Opens a session: version check, then (3.12+) a fresh ed25519 key registered through the
 * Manage API for this session only, or (older) the operator's SSH key; then the admin shell
 * with the host key pinned when a fingerprint is known.
 */
async function openSession(inputs: GhesSettingsInputs, ctx: ProviderContext, pinnedFingerprint?: string): Promise<GhesSession> {
    if (inputs.dangerouslySkipTlsVerification) {
        ctx.log(`WARNING: TLS verification of https://${inputs.hostname}:${inputs.managementPort} is OFF (dangerouslySkipTlsVerification); the management password can be intercepted. Give caBundle instead.`);
    }
    const manage = manageClientFor(inputs, ctx);
    const version = await manage.version();
    const modern = version !== undefined && compareVersions(version, MANAGE_API_VERSION) >= 0;
    let privateKey: string;
    let registered: string | undefined;
    if (modern) {
        const pair = generateEd25519KeyPair(`pulumi-ghes-packages-${Date.now()}`);
        await manage.addSshKey(pair.public);
        registered = pair.public;
        privateKey = pair.private;
    } else {
        if (!inputs.sshPrivateKey) {
            throw new Error(`sshPrivateKey: GHES ${version ?? "< 3.8"} at ${inputs.hostname} has no Manage API for SSH keys (needs >= ${MANAGE_API_VERSION}); ` +
                `give the private key of a key authorized for the admin shell (Management Console > SSH access)`);
        }
        privateKey = inputs.sshPrivateKey;
    }

    const expected = inputs.sshHostKeyFingerprint ?? pinnedFingerprint;
    let shell: AdminShell | undefined;
    try {
        // One retry for a dropped connection; never for a host key or authentication problem.
        for (let attempt = 1; ; attempt++) {
            shell = new AdminShell({ hostname: inputs.hostname, port: inputs.sshPort, privateKey, expectedFingerprint: expected });
            try {
                await shell.connect();
                break;
            } catch (err) {
                if (attempt >= 2 || err instanceof HostKeyMismatchError || /not accepted/.test((err as Error).message)) throw err;
                ctx.log(`${(err as Error).message}; retrying once in 2 s`);
                await (ctx.clock ?? realClock).sleep(2000);
            }
        }
    } catch (err) {
        if (registered) await manage.removeSshKey(registered).catch(() => undefined);
        throw err;
    }
    const openShell = shell as AdminShell;
    let closed = false;
    return {
        manage,
        shell: openShell,
        version,
        modern,
        fingerprint: openShell.fingerprint as string,
        async close() {
            if (closed) return;
            closed = true;
            openShell.end();
            if (registered) {
                try {
                    await manage.removeSshKey(registered);
                } catch (err) {
                    ctx.log(`WARNING: could not remove the temporary SSH key from ${inputs.hostname} (${(err as Error).message}); remove the key commented pulumi-ghes-packages-* under Management Console > SSH access`);
                }
            }
        },
    };
}

/** Reads every Packages storage key from the admin shell. */
export async function readSettings(shell: AdminShell): Promise<GhesSettings> {
    const current: GhesSettings = {};
    for (const key of WRITE_ORDER) current[key] = await shell.getConfig(key);
    return current;
}

/** Errors where the SSH connection went away: safe to retry idempotent reads and writes once. */
function isConnectionDrop(err: unknown): boolean {
    return /connection closed before|without an exit status|no connection within|ECONNRESET|Keepalive timeout/i.test((err as Error)?.message ?? "");
}

/**
 * Runs `fn` with an open session and always closes it (removing the temporary key). A dropped
 * connection is retried once with a fresh session unless `fn` marked the work as not
 * repeatable (e.g. a configuration run had started).
 */
export async function withSession<T>(
    inputs: GhesSettingsInputs,
    ctx: ProviderContext,
    pinnedFingerprint: string | undefined,
    fn: (session: GhesSession, markUnrepeatable: () => void) => Promise<T>,
): Promise<T> {
    for (let attempt = 1; ; attempt++) {
        const session = await openSession(inputs, ctx, pinnedFingerprint);
        let repeatable = true;
        try {
            return await fn(session, () => { repeatable = false; });
        } catch (err) {
            if (attempt >= 2 || !repeatable || !isConnectionDrop(err)) throw err;
            ctx.log(`${(err as Error).message}; reconnecting once (the writes are idempotent)`);
        } finally {
            await session.close();
        }
    }
}
