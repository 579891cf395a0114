import { PolicyConfigSchema } from "@pulumi/policy";

/*
 * The pack's configuration, per policy as CrossGuard has it (`--policy-pack-config FILE`
 * locally, `pulumi policy enable ORG/ghes-packages-s3 VERSION --config FILE` for an
 * organisation). Every key has a default here, so an unconfigured pack enforces the strict rules.
 */

/** Stack names as the policy pack process sees them (the CLI passes them in the environment). */
export function currentStack(): { stack?: string; project?: string; organization?: string } {
    const env = process.env;
    return {
        stack: env.PULUMI_STACK ?? env.PULUMI_NODEJS_STACK,
        project: env.PULUMI_PROJECT ?? env.PULUMI_NODEJS_PROJECT,
        organization: env.PULUMI_ORGANIZATION ?? env.PULUMI_NODEJS_ORGANIZATION,
    };
}

/** Whether the current stack is listed: as `stack`, `project/stack` or `org/project/stack`. */
export function stackListed(listed: readonly string[]): boolean {
    const { stack, project, organization } = currentStack();
    if (!stack) return false;
    const names = [stack, project && `${project}/${stack}`, organization && project && `${organization}/${project}/${stack}`].filter(Boolean);
    return listed.some((l) => names.includes(l));
}

/** How the current stack is named in messages. */
export const stackLabel = (): string => {
    const { stack, project } = currentStack();
    return stack ? `stack ${project ? `${project}/` : ""}${stack}` : "this stack (its name is unknown to the pack)";
};

export const stackListSchema = (description: string): PolicyConfigSchema["properties"][string] => ({
    type: "array", items: { type: "string" }, default: [], description,
});

/** A glob with `*` only, as bucket names are matched. */
export function globMatch(pattern: string, value: string): boolean {
    const re = new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
    return re.test(value);
}
