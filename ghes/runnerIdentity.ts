import { randomBytes } from "node:crypto";
import { hostname } from "node:os";

/**
 * Who runs an operation, as the appliance's lock and journal record it: an id with no secret
 * in it, and how to tell that a recorded holder is known to be gone (its process no longer
 * runs). Injected through the context, so a test can play several processes in one.
 */
export interface RunnerIdentity {
    /** This process's id, unique per operation. */
    readonly holder: string;
    /** Whether `holder` names a process known to be gone (never guesses "gone" for another machine). */
    isGone(holder: string): boolean;
}

/** This process: `host:pid:random`; a holder of this host whose pid no longer runs is gone. */
export function thisProcess(): RunnerIdentity {
    return {
        holder: `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`,
        isGone: (holder) => {
            const [host, pid] = holder.split(":");
            if (host !== hostname() || !/^\d+$/.test(pid ?? "")) return false;
            try {
                process.kill(Number(pid), 0);
                return false;
            } catch (err) {
                return (err as NodeJS.ErrnoException).code === "ESRCH";
            }
        },
    };
}
