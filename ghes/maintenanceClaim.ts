import { AdminShell } from "./adminShell";

/*
 * Who turned maintenance mode on. GHES does not say (its status has no owner), so before this
 * package turns maintenance on it leaves a claim file on the appliance, and removes it once
 * maintenance is off again. A claim found at the start of an operation means an earlier one
 * was interrupted with maintenance still on: that window is this package's to end. Without a
 * claim, maintenance that is on (or scheduled) is an operator's and is never touched.
 */
const CLAIM_FILE = `"$HOME/.ghes-packages-s3.maintenance"`;

export async function hasMaintenanceClaim(shell: AdminShell): Promise<boolean> {
    return (await shell.exec(`[ -f ${CLAIM_FILE} ]`)).code === 0;
}

export async function writeMaintenanceClaim(shell: AdminShell, runner: string): Promise<void> {
    const r = await shell.exec(`printf '%s\\n' "$(date +%s)" > ${CLAIM_FILE}`);
    if (r.code !== 0) throw new Error(`could not record the maintenance claim of ${runner} on the appliance (exit status ${r.code})`);
}

export async function removeMaintenanceClaim(shell: AdminShell): Promise<void> {
    await shell.exec(`rm -f ${CLAIM_FILE}`);
}
