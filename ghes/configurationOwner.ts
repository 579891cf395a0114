import { AdminShell } from "./adminShell";
import { shellQuote } from "./shellQuote";

/*
 * Which resource configured the appliance last, by the host name it reaches the appliance
 * with. When a program changes that name (an IP address for a DNS name), the engine creates
 * the new resource first and deletes the old one after: the old one's delete must not switch
 * Packages off under the new one, although both name the same bucket and key.
 */
const OWNER_FILE = `"$HOME/.ghes-packages-s3.owner"`;

/** The host name the last configuring resource used, if any. */
export async function readConfigurationOwner(shell: AdminShell): Promise<string | undefined> {
    const r = await shell.exec(`[ -f ${OWNER_FILE} ] && cat ${OWNER_FILE}; exit 0`);
    return r.stdout.trim() || undefined;
}

export async function writeConfigurationOwner(shell: AdminShell, hostname: string): Promise<void> {
    await shell.exec(`printf '%s\\n' ${shellQuote(hostname)} > ${OWNER_FILE}`);
}
