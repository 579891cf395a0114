import { createHmac, randomBytes } from "node:crypto";
import { readFileSync, readlinkSync } from "node:fs";
import { hostname } from "node:os";
import { shown } from "./outsideText";

/*
 * Who holds something on the appliance (its configuration lock, an operation record): one
 * shell-safe token that tells apart machines sharing a host name (cloned VMs, containers
 * started with a fixed --hostname), so a holder is declared dead only when that is proved:
 * - machine: /etc/machine-id (systemd; cloned images may share it);
 * - boot: /proc/sys/kernel/random/boot_id, random for every boot of a kernel (clones differ);
 *   both only as a keyed hash (12 hex digits): machine-id(5) asks that the id itself never
 *   leaves the machine, and an application-specific hash of it is what it recommends;
 * - pidns: the process's pid namespace (/proc/self/ns/pid): containers on one kernel share
 *   the boot id but not it, and their process ids overlap;
 * - pid and start: the process and its start time (/proc/PID/stat field 22, clock ticks since
 *   boot), so a reused process id is not taken for the holder;
 * - nonce: random, one per operation.
 * A field this machine cannot read (not Linux, no machine-id) is "-", and a holder with an
 * unknown boot, pidns or start is never declared dead: its lock ages out instead.
 */
export interface HolderIdentity {
    host: string;
    machine: string;
    boot: string;
    pidns: string;
    pid: number;
    start: string;
    nonce: string;
}

const FORMAT = /^([A-Za-z0-9._-]{1,64}),machine=([0-9a-f]{12}|-),boot=([0-9a-f]{12}|-),pidns=(\d{1,20}|-),pid=(\d{1,10}),start=(\d{1,20}|-),nonce=([0-9a-f]{8})$/;

export function formatHolder(id: HolderIdentity): string {
    return `${id.host},machine=${id.machine},boot=${id.boot},pidns=${id.pidns},pid=${id.pid},start=${id.start},nonce=${id.nonce}`;
}

/** Strict: anything but exactly the format above is not an identity. */
export function parseHolder(text: string): HolderIdentity | undefined {
    const m = FORMAT.exec(text);
    if (!m) return undefined;
    return { host: m[1], machine: m[2], boot: m[3], pidns: m[4], pid: Number(m[5]), start: m[6], nonce: m[7] };
}

/** For messages: who it is, without the noise. */
export function describeHolder(text: string): string {
    const id = parseHolder(text);
    // Not an identity this package wrote: whatever the lock file says, quoted and cut.
    if (!id) return shown(text);
    return `pid ${id.pid} on ${id.host} (machine ${id.machine}, boot ${id.boot})`;
}

/** What this machine is, as far as the identity goes. */
export interface MachineFacts {
    machine: string;
    boot: string;
    pidns: string;
    /** The start time of a process of this machine, or undefined when it does not run. */
    startOf(pid: number): string | undefined;
}

const read = (path: string): string | undefined => {
    try {
        return readFileSync(path, "utf8");
    } catch {
        return undefined;
    }
};
/** An application-specific 12-hex-digit hash of a 128-bit id (machine-id(5)), "-" when there is none. */
const hashedId = (text: string | undefined): string => {
    const h = (text ?? "").trim().toLowerCase().replace(/-/g, "");
    return /^[0-9a-f]{32}$/.test(h) ? createHmac("sha256", h).update("ghes-packages-s3 holder").digest("hex").slice(0, 12) : "-";
};

/** This machine, read from /etc and /proc (Linux); "-" where that is not available. */
export function thisMachine(): MachineFacts {
    let pidns = "-";
    try {
        pidns = /^pid:\[(\d+)\]$/.exec(readlinkSync("/proc/self/ns/pid"))?.[1] ?? "-";
    } catch {
        // no /proc: not Linux
    }
    return {
        machine: hashedId(read("/etc/machine-id") ?? read("/var/lib/dbus/machine-id")),
        boot: hashedId(read("/proc/sys/kernel/random/boot_id")),
        pidns,
        startOf: (pid) => {
            const stat = read(`/proc/${pid}/stat`);
            if (stat === undefined) return undefined;
            // Field 22; the command name (field 2) may hold spaces and parentheses, so count after its last ")".
            const start = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
            return /^\d+$/.test(start ?? "") ? start : "-";
        },
    };
}

/** This process, with a fresh nonce. */
export function currentHolder(machine: MachineFacts = thisMachine()): HolderIdentity {
    return {
        host: hostname().replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 64) || "_",
        machine: machine.machine,
        boot: machine.boot,
        pidns: machine.pidns,
        pid: process.pid,
        start: machine.startOf(process.pid) ?? "-",
        nonce: randomBytes(4).toString("hex"),
    };
}

/**
 * Whether `text` names a process of this machine (same machine id, boot and pid namespace)
 * that no longer runs: its pid is gone, or now belongs to a process started at another time.
 * Anything not proved (another machine, an unreadable field, a legacy holder) is false.
 */
export function isDeadProcessOfThisMachine(text: string, machine: MachineFacts = thisMachine()): boolean {
    const id = parseHolder(text);
    if (!id || id.boot === "-" || id.pidns === "-" || id.start === "-") return false;
    if (id.machine !== machine.machine || id.boot !== machine.boot || id.pidns !== machine.pidns) return false;
    const start = machine.startOf(id.pid);
    return start === undefined || (start !== "-" && start !== id.start);
}
