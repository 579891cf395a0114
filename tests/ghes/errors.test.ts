import { strict as assert } from "node:assert";
import { AdminShellError, AdminShellErrorKind, GhesOperationError, isConnectionLost, ManageApiError, ManageApiErrorKind, manageKindOfNetworkError, manageKindOfStatus, SettingsWriteError } from "../../ghes/errors";

/* Retries and hints follow from an error's kind; these tables are the contract, written out. */
describe("ghes/errors: every client failure by kind", () => {
    it("maps HTTP statuses to kinds: 5xx server, 409/423/429 busy, 401, 403, 404, any other 4xx client", () => {
        const cases: [number, ManageApiErrorKind][] = [
            [500, "server"], [502, "server"], [503, "server"], [599, "server"],
            [401, "unauthorized"], [403, "forbidden"], [404, "not-found"],
            [409, "busy"], [423, "busy"], [429, "busy"],
            [400, "client"], [405, "client"], [410, "client"], [422, "client"], [499, "client"],
        ];
        for (const [status, kind] of cases) assert.equal(manageKindOfStatus(status), kind, String(status));
    });

    it("maps Node network error codes to kinds; an unknown code is not retried", () => {
        const cases: [string | undefined, ManageApiErrorKind][] = [
            ["ETIMEDOUT", "timeout"], ["ERR_TIMEOUT", "timeout"],
            ["ECONNRESET", "unreachable"], ["ECONNREFUSED", "unreachable"], ["EPIPE", "unreachable"], ["EAI_AGAIN", "unreachable"],
            ["ENOTFOUND", "unreachable"], ["EHOSTUNREACH", "unreachable"], ["ENETUNREACH", "unreachable"], ["UND_ERR_SOCKET", "unreachable"],
            ["ECONNABORTED", "unreachable"],
            ["DEPTH_ZERO_SELF_SIGNED_CERT", "tls"], ["SELF_SIGNED_CERT_IN_CHAIN", "tls"], ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "tls"],
            ["CERT_HAS_EXPIRED", "tls"], ["ERR_TLS_CERT_ALTNAME_INVALID", "tls"],
            ["EACCES", "client"], ["", "client"], [undefined, "client"],
        ];
        for (const [code, kind] of cases) assert.equal(manageKindOfNetworkError(Object.assign(new Error("x"), { code })), kind, String(code));
    });

    it("retries only unreachable, timeout and server; an answer may be lost only without one", () => {
        const kinds: ManageApiErrorKind[] = ["unreachable", "timeout", "server", "busy", "unauthorized", "forbidden", "not-found", "client", "tls", "malformed"];
        const e = (k: ManageApiErrorKind) => new ManageApiError(k, "GET", "/manage/v1/version", "127.0.0.1:8443", "d");
        assert.deepEqual(kinds.filter((k) => e(k).retriable), ["unreachable", "timeout", "server"]);
        assert.deepEqual(kinds.filter((k) => e(k).answerLost), ["unreachable", "timeout"]);
    });

    it("names method, path, endpoint and detail, with the hint of its kind", () => {
        const e = new ManageApiError("unauthorized", "POST", "/manage/v1/config/apply", "ghes.example.com:8443", "HTTP 401", 401);
        assert.equal(e.message, "Manage API POST /manage/v1/config/apply on ghes.example.com:8443 failed: HTTP 401 (check managementPassword / GHES_MANAGEMENT_PASSWORD and managementUser)");
        assert.deepEqual([e.name, e.kind, e.method, e.path, e.endpoint, e.detail, e.status], ["ManageApiError", "unauthorized", "POST", "/manage/v1/config/apply", "ghes.example.com:8443", "HTTP 401", 401]);
        const hint = (k: ManageApiErrorKind) => new ManageApiError(k, "GET", "/p", "h:1", "d").message.slice("Manage API GET /p on h:1 failed: d".length);
        assert.equal(hint("forbidden"), " (the user may not use this endpoint; the root site administrator's api_key user can)");
        assert.equal(hint("not-found"), " (endpoint missing: the Manage API needs GHES >= 3.12 for this call)");
        assert.equal(hint("tls"), " (give caBundle: the CA that signed the Management Console certificate)");
        for (const k of ["unreachable", "timeout", "server", "busy", "client", "malformed"] as const) assert.equal(hint(k), "", k);
    });

    it("admin shell: only a lost connection may be retried on a fresh one, never a refusal", () => {
        const kinds: AdminShellErrorKind[] = ["host-key-mismatch", "host-key-unverified", "auth-rejected", "no-credential", "bad-private-key",
            "connect-timeout", "unreachable", "dropped", "command-timeout", "exit-status", "not-connected"];
        const e = (k: AdminShellErrorKind) => new AdminShellError(k, "ssh://admin@ghes:122", "detail");
        // not-connected: a shell that closed while idle (sshd restarting during a run) is a lost connection too.
        assert.deepEqual(kinds.filter((k) => e(k).connectionLost), ["connect-timeout", "unreachable", "dropped", "not-connected"]);
        assert.deepEqual(kinds.filter((k) => isConnectionLost(e(k))), ["connect-timeout", "unreachable", "dropped", "not-connected"]);
        assert.equal(isConnectionLost(Object.assign(new Error("x"), { kind: "dropped", connectionLost: true })), false, "only the client's own errors");
        assert.equal(isConnectionLost(undefined), false);
        const x = e("dropped");
        assert.deepEqual([x.name, x.message, x.endpoint], ["AdminShellError", "admin shell ssh://admin@ghes:122: detail", "ssh://admin@ghes:122"]);
    });

    it("a failed batch of writes is an admin-shell exit-status error (never retried as a lost connection) that carries what GHES stores now", () => {
        const e = new SettingsWriteError("ssh://admin@ghes:122", "ghe-config exit status 1", { kind: "restored", failedKey: "secrets.packages.aws-secret-key" });
        assert.ok(e instanceof AdminShellError);
        assert.deepEqual([e.name, e.kind, e.message, e.connectionLost, e.outcome], ["SettingsWriteError", "exit-status", "admin shell ssh://admin@ghes:122: ghe-config exit status 1", false, { kind: "restored", failedKey: "secrets.packages.aws-secret-key" }]);
    });

    it("an operation error keeps its message and says what it is", () => {
        const e = new GhesOperationError("written but not in effect");
        assert.deepEqual([e.name, e.message, e instanceof Error], ["GhesOperationError", "written but not in effect", true]);
    });
});
