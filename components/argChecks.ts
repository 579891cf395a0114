import * as pulumi from "@pulumi/pulumi";
import { InputError } from "../validation/inputError";

/**
 * The plain value of an input when it is already known at construction time; undefined for
 * Outputs and Promises (validated by AWS or on resolution instead). This is how bad input is
 * refused before any resource is registered while preview-time unknowns are never errors.
 */
export function knownValue<T>(value: pulumi.Input<T> | undefined): T | undefined {
    if (value === undefined || pulumi.Output.isInstance(value) || value instanceof Promise) return undefined;
    return value as T;
}

/** Collects problems and throws one InputError naming every bad argument. */
export class ArgChecks {
    private readonly problems: string[] = [];
    constructor(private readonly component: string) {}

    /** Runs `check` on the known value of `value`; skips unknown and absent values. */
    add<T>(value: pulumi.Input<T> | undefined, check: (v: T) => string | undefined): void {
        const v = knownValue(value);
        if (v === undefined) return;
        const problem = check(v);
        if (problem) this.problems.push(problem);
    }

    fail(problem: string): void {
        this.problems.push(problem);
    }

    throwIfAny(): void {
        if (this.problems.length > 0) throw new InputError(this.component, this.problems);
    }
}

/** A lowercase, bucket-safe prefix derived from a Pulumi resource name. */
export function bucketPrefixFromName(name: string): string {
    const cleaned = name.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/-+/g, "-").replace(/^-+|-+$/g, "");
    const base = (cleaned || "ghes").replace(/^(xn--|sthree-|amzn-s3-demo-)/, "g-");
    return `${base.slice(0, 27).replace(/-+$/, "")}-packages-`;
}
