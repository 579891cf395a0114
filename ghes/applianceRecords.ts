import { AdminShell } from "./adminShell";
import { shellQuote } from "./shellQuote";

/*
 * What this package records on the appliance itself, in the admin user's home, next to its
 * configuration lock (ghes/applianceLock.ts):
 * - the maintenance claim: GHES does not say who turned maintenance mode on, so before this
 *   package turns it on it leaves a claim, and removes it once maintenance is off again. A
 *   claim found at the start of an operation means an earlier one was interrupted with
 *   maintenance still on: that window is this package's to end. Without a claim, maintenance
 *   that is on (or scheduled) is an operator's and is never touched.
 * - a pending run: set in the same command that writes settings, cleared in the same command
 *   that releases the lock after a successful configuration run. Found at the start of an
 *   operation, it means an earlier one wrote settings and was interrupted before its run
 *   succeeded (the Manage API cannot say "written but never applied"): this one runs.
 * - the configuration owner: the host name the last configuring resource used. When a program
 *   changes that name (an IP address for a DNS name), the engine creates the new resource
 *   first and deletes the old one after: the old one's delete must not switch Packages off
 *   under the new one, although both name the same bucket and key.
 */
const CLAIM_FILE = `"$HOME/.ghes-packages-s3.maintenance"`;
const OWNER_FILE = `"$HOME/.ghes-packages-s3.owner"`;
const PENDING_FILE = `"$HOME/.ghes-packages-s3.run-pending"`;

/** Shell snippets, run inside the write and the lock-release commands (no extra round trip). */
export const MARK_RUN_PENDING = `: > ${PENDING_FILE}`;
export const CLEAR_RUN_PENDING = `rm -f ${PENDING_FILE}`;

export interface ApplianceRecords {
    maintenanceClaimed: boolean;
    /** Settings were written by an operation whose configuration run did not succeed. */
    runPending: boolean;
    /** The host name the last configuring resource used, if any. */
    owner?: string;
}

/** Every record, with one command. */
export async function readApplianceRecords(shell: AdminShell): Promise<ApplianceRecords> {
    const r = await shell.exec(`if [ -f ${CLAIM_FILE} ]; then echo claimed; else echo unclaimed; fi; ` +
        `if [ -f ${PENDING_FILE} ]; then echo pending; else echo none; fi; [ -f ${OWNER_FILE} ] && cat ${OWNER_FILE}; exit 0`);
    const [claim, pending, owner] = r.stdout.split("\n");
    return { maintenanceClaimed: claim === "claimed", runPending: pending === "pending", owner: owner?.trim() || undefined };
}

export async function writeConfigurationOwner(shell: AdminShell, hostname: string): Promise<void> {
    await shell.exec(`printf '%s\\n' ${shellQuote(hostname)} > ${OWNER_FILE}`);
}

export async function writeMaintenanceClaim(shell: AdminShell, runner: string): Promise<void> {
    const r = await shell.exec(`printf '%s\\n' "$(date +%s)" > ${CLAIM_FILE}`);
    if (r.code !== 0) throw new Error(`could not record the maintenance claim of ${runner} on the appliance (exit status ${r.code})`);
}

export async function removeMaintenanceClaim(shell: AdminShell): Promise<void> {
    await shell.exec(`rm -f ${CLAIM_FILE}`);
}
