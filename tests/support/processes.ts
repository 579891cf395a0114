import { RunnerIdentity } from "../../ghes/runnerIdentity";

/**
 * Several deploying processes played in one: each gets its own holder id, and a process the
 * test killed reads as gone to the others (as a killed process of the same machine does).
 */
export class Processes {
    private readonly dead = new Set<string>();
    private seq = 0;

    spawn(): RunnerIdentity {
        const holder = `sweep-runner:${++this.seq}:${this.seq.toString(16).padStart(8, "0")}`;
        return { holder, isGone: (other) => this.dead.has(other) };
    }

    kill(p: RunnerIdentity): void {
        this.dead.add(p.holder);
    }
}
