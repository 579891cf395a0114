import { runSimulation } from "@cloud-copilot/iam-simulate";
import { PolicyDocument } from "../../policies/identityPolicy";
import { ACCOUNT } from "../../rehearsal/fixtures";

export type Decision = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied" | "Invalid";

/** Evaluates an identity policy (and optionally a bucket policy) like AWS does. */
export async function evaluate(opts: {
    identity?: PolicyDocument;
    resourcePolicy?: PolicyDocument;
    action: string;
    resource: string;
    context?: Record<string, string | string[]>;
    principal?: string;
}): Promise<Decision> {
    const r = await runSimulation({
        identityPolicies: opts.identity ? [{ name: "ghes-packages-storage", policy: opts.identity }] : [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: opts.resourcePolicy,
        request: {
            action: opts.action,
            principal: opts.principal ?? `arn:aws:iam::${ACCOUNT}:user/ghes/packages`,
            resource: { accountId: ACCOUNT, resource: opts.resource },
            contextVariables: opts.context ?? {},
        },
    }, {});
    if (r.resultType === "error") return "Invalid";
    return r.overallResult as Decision;
}
