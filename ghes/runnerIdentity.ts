import { currentHolder, formatHolder, isDeadProcessOfThisMachine } from "./holderIdentity";

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

/** This process (ghes/holderIdentity.ts): machine, boot and pid namespace, pid, start time, nonce. */
export function thisProcess(): RunnerIdentity {
    return { holder: formatHolder(currentHolder()), isGone: (holder) => isDeadProcessOfThisMachine(holder) };
}
