import { Clock } from "./clock";
import { RunnerIdentity } from "./runnerIdentity";

/**
 * Everything needed to reach one appliance, already resolved (password taken from the
 * environment if need be, host key pin chosen). The client layer never sees provider inputs.
 */
export interface GhesConnection {
    hostname: string;
    managementPort: number;
    sshPort: number;
    /** PEM CA bundle for the Manage API certificate. */
    caBundle?: string;
    dangerouslySkipTlsVerification: boolean;
    managementUser: string;
    managementPassword: string;
    /** The operator's admin-shell key (needed before 3.12, where no API registers a temporary one). */
    sshPrivateKey?: string;
    /** The SSH host key the admin shell must present ("SHA256:..."). */
    expectedHostKey?: string;
    /** Without an expected host key: accept the one shown (and log it). Otherwise such a host is refused. */
    trustHostKeyOnFirstUse: boolean;
}

/** What the client layer needs from its surroundings: a logger and (in tests) a clock. */
export interface GhesContext {
    log: (message: string) => void;
    clock?: Clock;
    /** Who runs this operation (default: this process, ghes/runnerIdentity.ts). */
    runner?: () => RunnerIdentity;
}
