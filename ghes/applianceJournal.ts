import { createHash, randomBytes } from "node:crypto";
import { AdminShell } from "./adminShell";
import { GhesOperationError } from "./errors";
import { GhesSettings } from "./gheConfigKeys";
import { gheConfigGetBatch } from "./gheConfigBatch";
import { shellQuote } from "./shellQuote";

/*
 * The operation journal: what this package keeps on the appliance for its own bookkeeping,
 * one file in the admin user's home next to the configuration lock (ghes/applianceLock.ts).
 * The next operation reads it first and finishes or adopts what it says:
 * - phase "owed": settings were (or may have been) written and no successful configuration run
 *   is known to have applied them. Written and read back BEFORE any setting, with the id of the
 *   latest run before the writes (`runBefore`), so a run that started after them is recognised
 *   and adopted (waited for, its outcome checked) even when the answer to POST config/apply or
 *   the journal's own update (`run`) was lost. The Manage API cannot say "written, never applied".
 * - `maintenance: "ours"`: this package turned maintenance mode on (GHES does not say who did);
 *   recorded before it is turned on, dropped once it is off. Without it, maintenance that is on
 *   or scheduled is an operator's and is never touched.
 * - `owner`: the host name the last configuring resource used. When a program changes that name
 *   (an IP address for a DNS name), the engine creates the new resource first and deletes the
 *   old one after: the old one's delete must not switch Packages off under the new one.
 * - a digest of the desired settings: salted SHA-256, so no secret is kept in clear (an
 *   admin-shell user can read the secret itself with ghe-config; the salt keeps equal secrets
 *   on two appliances from showing as equal digests). It tells whether an interrupted
 *   operation's writes are all in place.
 * Written atomically (a temporary file, then `mv`); read as hex between named tags, never by
 * line position, and no stored value ever reaches shell evaluation. 0.2.0 kept three files
 * (`.maintenance`, `.run-pending`, `.owner`): they are still read, and removed once the
 * journal is written.
 */
const BASE = `"$HOME/.ghes-packages-s3`;
const JOURNAL_FILE = `${BASE}.journal"`;
const LEGACY_FILES = { claim: `${BASE}.maintenance"`, pending: `${BASE}.run-pending"`, owner: `${BASE}.owner"` } as const;
const TAG = "ghes-packages-s3";
const HEADER = "ghes-packages-s3 journal 1";

export interface JournalEntry {
    /** Who wrote it (ghes/runnerIdentity.ts). */
    holder?: string;
    phase: "idle" | "owed";
    /** `salt:sha256hex` of the desired settings of the operation that wrote it. */
    digest?: string;
    /** Names of the settings the digest covers. */
    keys?: string[];
    /**
     * Latest configuration run before the writes: its id, "none" when the appliance had none,
     * undefined when unknown (the latest-run query is not served, or a 0.2.0 record).
     */
    runBefore?: string;
    /** The configuration run the writer started, once its id was known. */
    run?: string;
    /** This package turned maintenance mode on and has not seen it off again. */
    maintenance: "ours" | "no";
    /** Host name of the last configuring resource. */
    owner?: string;
}

export interface JournalRead {
    entry: JournalEntry;
    /** 0.2.0 record files were found (they are removed with the next journal write). */
    legacy: boolean;
    /** The journal file was there but unreadable (treated as owing a run). */
    unreadable: boolean;
}

export const IDLE: JournalEntry = { phase: "idle", maintenance: "no" };

/** The digest of desired settings, salted (a fresh salt when none is given). */
export function settingsDigest(settings: GhesSettings, salt = randomBytes(8).toString("hex")): string {
    const canonical = JSON.stringify(Object.keys(settings).sort().filter((k) => settings[k] !== undefined).map((k) => [k, settings[k]]));
    return `${salt}:${createHash("sha256").update(`${salt}\0${canonical}`).digest("hex")}`;
}

/** Whether `current` holds exactly the settings a journal's digest covers. */
export function digestMatches(entry: JournalEntry, current: GhesSettings): boolean {
    if (!entry.digest || !entry.keys) return false;
    const salt = entry.digest.split(":")[0];
    return settingsDigest(Object.fromEntries(entry.keys.map((k) => [k, current[k]])), salt) === entry.digest;
}

/** The journal's text: a header, then `name=value` lines, values percent-encoded (no line break, no `=`). */
export function formatJournal(e: JournalEntry): string {
    const fields: [string, string | undefined][] = [
        ["holder", e.holder], ["phase", e.phase], ["digest", e.digest], ["keys", e.keys?.join(",")],
        ["runBefore", e.runBefore], ["run", e.run], ["maintenance", e.maintenance], ["owner", e.owner],
    ];
    return [HEADER, ...fields.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${encodeURIComponent(v as string)}`)].join("\n") + "\n";
}

/** Parses the journal's text; undefined when it is not a journal this version understands. */
export function parseJournal(text: string): JournalEntry | undefined {
    const lines = text.split("\n").filter((l) => l !== "");
    if (lines[0] !== HEADER) return undefined;
    const f = new Map<string, string>();
    for (const line of lines.slice(1)) {
        const m = /^([A-Za-z]+)=([A-Za-z0-9%._~!*'()-]*)$/.exec(line);
        if (!m) return undefined;
        try {
            f.set(m[1], decodeURIComponent(m[2]));
        } catch {
            return undefined;
        }
    }
    const phase = f.get("phase");
    const maintenance = f.get("maintenance");
    if ((phase !== "idle" && phase !== "owed") || (maintenance !== "ours" && maintenance !== "no")) return undefined;
    return {
        holder: f.get("holder"), phase, digest: f.get("digest"), keys: f.get("keys")?.split(",").filter(Boolean),
        runBefore: f.get("runBefore"), run: f.get("run"), maintenance, owner: f.get("owner"),
    };
}

/** Prints each record file that exists as `TAG:name:hex` (hex, so no byte of it is interpreted). */
function dumpScript(): string {
    const files: [string, string][] = [["journal", JOURNAL_FILE], ["claim", LEGACY_FILES.claim], ["pending", LEGACY_FILES.pending], ["owner", LEGACY_FILES.owner]];
    return files.map(([name, file]) => `if [ -f ${file} ]; then printf '%s' '${TAG}:${name}:'; od -An -v -tx1 < ${file} | tr -d ' \\n'; echo; fi`).join("; ");
}

/** What dumpScript printed, by tag; lines without a tag (a login banner) are ignored. */
function parseDump(stdout: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const line of stdout.split("\n")) {
        const m = new RegExp(`^${TAG}:(journal|claim|pending|owner):([0-9a-f]*)$`).exec(line.trim());
        if (m) out.set(m[1], Buffer.from(m[2], "hex").toString("utf8"));
    }
    return out;
}

/** The journal as the records say, 0.2.0 files included. */
export function journalFrom(records: Map<string, string>): JournalRead {
    const text = records.get("journal");
    const parsed = text === undefined ? { ...IDLE } : parseJournal(text);
    const unreadable = text !== undefined && parsed === undefined;
    // Unreadable: assume settings may be unapplied (at worst one more run), and never claim maintenance.
    const entry: JournalEntry = parsed ?? { phase: "owed", maintenance: "no" };
    const legacy = records.has("claim") || records.has("pending") || records.has("owner");
    // 0.2.0 files are newer than any journal (this version removes them whenever it writes one).
    if (records.has("claim")) entry.maintenance = "ours";
    if (records.has("pending") && entry.phase !== "owed") Object.assign(entry, { phase: "owed", runBefore: undefined, run: undefined });
    const owner = records.get("owner")?.trim();
    if (owner) entry.owner = owner;
    return { entry, legacy, unreadable };
}

/** Reads the journal and the given settings with one remote command. */
export async function readJournalAndConfig(shell: AdminShell, keys: readonly string[]): Promise<{ journal: JournalRead; config: GhesSettings }> {
    const r = await shell.exec(`${dumpScript()}; ${gheConfigGetBatch(keys)}`);
    return { journal: journalFrom(parseDump(r.stdout)), config: shell.configFrom(keys, r) };
}

/**
 * A shell snippet that writes the journal atomically, removes 0.2.0 files, reads it back and
 * prints `TAG:journal-written` only when what is on disk is exactly what was meant.
 */
export function journalWriteScript(entry: JournalEntry): string {
    const text = formatJournal(entry);
    return `t=${JOURNAL_FILE}.tmp; printf '%s' ${shellQuote(text)} > "$t" && mv -f "$t" ${JOURNAL_FILE} && rm -f ${LEGACY_FILES.claim} ${LEGACY_FILES.pending} ${LEGACY_FILES.owner} && ` +
        `[ "$(cat ${JOURNAL_FILE}; printf x)" = ${shellQuote(text + "x")} ] && echo '${TAG}:journal-written'`;
}

/** Whether the output of a command holding journalWriteScript says the journal was written. */
export function journalWritten(stdout: string): boolean {
    return stdout.split("\n").some((l) => l.trim() === `${TAG}:journal-written`);
}

/** Writes the journal (one command) and checks it; throws naming the appliance's answer otherwise. */
export async function writeJournal(shell: AdminShell, entry: JournalEntry, onlyIf?: string): Promise<void> {
    const script = journalWriteScript(entry);
    const r = await shell.exec(onlyIf ? `if ${onlyIf}; then ${script}; else echo 'not holding the configuration lock' >&2; exit 3; fi` : script);
    if (r.code === 0 && journalWritten(r.stdout)) return;
    throw new GhesOperationError(`the operation journal on the appliance (~/.ghes-packages-s3.journal) could not be written (exit status ${r.code}): ${r.stderr.trim().slice(0, 200)}`);
}
