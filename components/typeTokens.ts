import * as pulumi from "@pulumi/pulumi";

/*
 * Type tokens start with the package name, as Pulumi's component schema tooling requires
 * (`<package>:<module>:<Type>`). Until 0.2.0 they started with `ghes-packages:`; the alias
 * keeps any stack created then from replacing its resources.
 */
export const PACKAGE = "ghes-packages-s3";
const PACKAGE_BEFORE_0_2 = "ghes-packages";

/** The component's type token and the options that alias its pre-0.2 token. */
export function componentType(module: string, type: string, opts: pulumi.ComponentResourceOptions | undefined): [string, pulumi.ComponentResourceOptions] {
    return [`${PACKAGE}:${module}:${type}`, withAlias(opts, `${PACKAGE_BEFORE_0_2}:${module}:${type}`)];
}

/** A dynamic resource's type tokens: the current one, then the pre-0.2 one older stacks may hold. */
export function dynamicTypeTokens(type: string): [current: string, before0_2: string] {
    return [`pulumi-nodejs:dynamic/${PACKAGE}:${type}`, `pulumi-nodejs:dynamic/${PACKAGE_BEFORE_0_2}:${type}`];
}

/** The dynamic resource's module and the options that alias its pre-0.2 type token. */
export function dynamicType(type: string, opts: pulumi.CustomResourceOptions | undefined): [string, pulumi.CustomResourceOptions] {
    return [PACKAGE, withAlias(opts, dynamicTypeTokens(type)[1])];
}

function withAlias<T extends pulumi.ResourceOptions>(opts: T | undefined, oldType: string): T {
    return { ...opts, aliases: [...(opts?.aliases ?? []), { type: oldType }] } as T;
}

/** `isInstance` as @pulumi/awsx has it: works across copies of this package in one program. */
export function isInstanceOf(obj: unknown, token: string): boolean {
    return obj !== undefined && obj !== null && (obj as { __pulumiType?: unknown }).__pulumiType === token;
}
