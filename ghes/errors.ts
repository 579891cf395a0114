import type { BatchWriteOutcome } from "./gheConfigBatch";

/*
 * Every failure of the GHES client layer, by kind. Retries and user-facing hints are decided
 * from the kind (here, in one place), never from message text, so rewording a message cannot
 * change behaviour.
 */

/** What went wrong talking to the Manage API. */
export type ManageApiErrorKind =
    | "unreachable" // no TCP/TLS connection, or it was reset
    | "timeout" // no complete answer within the request deadline
    | "server" // 5xx
    | "busy" // 409/423/429: another operation holds the appliance
    | "unauthorized" // 401
    | "forbidden" // 403
    | "not-found" // 404: endpoint missing on this version, or unknown id
    | "client" // any other 4xx
    | "tls" // certificate verification failed
    | "malformed"; // 2xx, but the answer lacks what the API documents

const RETRIABLE_MANAGE: ReadonlySet<ManageApiErrorKind> = new Set(["unreachable", "timeout", "server"]);

/** An HTTP error from the Manage API; names method, path, endpoint and status, never a credential. */
export class ManageApiError extends Error {
    constructor(
        readonly kind: ManageApiErrorKind,
        readonly method: string,
        readonly path: string,
        readonly endpoint: string,
        readonly detail: string,
        readonly status?: number,
    ) {
        super(`Manage API ${method} ${path} on ${endpoint} failed: ${detail}${HINTS[kind] ?? ""}`);
        this.name = "ManageApiError";
    }

    /** Whether the same request may be sent again (idempotent requests only). */
    get retriable(): boolean {
        return RETRIABLE_MANAGE.has(this.kind);
    }

    /** Whether the request may have reached the appliance although no answer arrived. */
    get answerLost(): boolean {
        return this.kind === "unreachable" || this.kind === "timeout";
    }
}

const HINTS: Partial<Record<ManageApiErrorKind, string>> = {
    unauthorized: " (check managementPassword / GHES_MANAGEMENT_PASSWORD and managementUser)",
    forbidden: " (the user may not use this endpoint; the root site administrator's api_key user can)",
    "not-found": " (endpoint missing: the Manage API needs GHES >= 3.12 for this call)",
    tls: " (give caBundle: the CA that signed the Management Console certificate)",
};

export function manageKindOfStatus(status: number): ManageApiErrorKind {
    if (status >= 500) return "server";
    if (status === 401) return "unauthorized";
    if (status === 403) return "forbidden";
    if (status === 404) return "not-found";
    if (status === 409 || status === 423 || status === 429) return "busy";
    return "client";
}

const UNREACHABLE_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "EAI_AGAIN", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_SOCKET", "ECONNABORTED"]);

/** Classifies a Node network error (no HTTP status). */
export function manageKindOfNetworkError(err: NodeJS.ErrnoException): ManageApiErrorKind {
    const code = err.code ?? "";
    if (code === "ETIMEDOUT" || code === "ERR_TIMEOUT") return "timeout";
    if (UNREACHABLE_CODES.has(code)) return "unreachable";
    if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) return "tls";
    // Node reports a socket closed before the answer as a plain "socket hang up" with ECONNRESET;
    // anything else unknown is treated as not retriable.
    return "client";
}

/** What went wrong with the administrative SSH shell. */
export type AdminShellErrorKind =
    | "host-key-mismatch" // the host key differs from the pinned one
    | "host-key-unverified" // no pinned key and trust on first use not allowed
    | "auth-rejected" // the SSH key was not accepted
    | "no-credential" // before 3.12 no SSH key was given
    | "bad-private-key" // the private key cannot be parsed
    | "connect-timeout" // no connection within the connect timeout
    | "unreachable" // TCP refused/reset/unroutable
    | "dropped" // the connection went away during a command
    | "command-timeout" // a command did not finish in time
    | "exit-status" // a command ran and failed
    | "not-connected"; // the connection closed while idle (sshd restarts during a configuration run), or was never opened

/**
 * Kinds after which nothing reached the appliance's tools, or an idempotent step may run again.
 * A shell that closed while idle is one of them: services restart during a run.
 */
const CONNECTION_LOST: ReadonlySet<AdminShellErrorKind> = new Set(["connect-timeout", "unreachable", "dropped", "not-connected"]);

export class AdminShellError extends Error {
    constructor(readonly kind: AdminShellErrorKind, readonly endpoint: string, detail: string) {
        super(`admin shell ${endpoint}: ${detail}`);
        this.name = "AdminShellError";
    }

    /** The connection went away (not a refusal): a fresh connection may succeed. */
    get connectionLost(): boolean {
        return CONNECTION_LOST.has(this.kind);
    }
}

export function isConnectionLost(err: unknown): boolean {
    return err instanceof AdminShellError && err.connectionLost;
}

/** A batch of `ghe-config` writes that failed; `outcome` says what the appliance stores now. */
export class SettingsWriteError extends AdminShellError {
    constructor(endpoint: string, detail: string, readonly outcome: BatchWriteOutcome) {
        super("exit-status", endpoint, detail);
        this.name = "SettingsWriteError";
    }
}

/** A write or run on the appliance that failed part-way; says what is and is not in effect. */
export class GhesOperationError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "GhesOperationError";
    }
}
