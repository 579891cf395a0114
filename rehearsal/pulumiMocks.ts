import * as pulumi from "@pulumi/pulumi";
import { RegisterRequest, tapRegistrations, waitForRegistrations } from "./monitorTap";

export interface RegisteredResource {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
    provider?: string;
    options: RegisteredOptions;
}

/** Resource options as the engine receives them (the mock API hides these, so the monitor is tapped). */
export interface RegisteredOptions {
    parent: string;
    retainOnDelete?: boolean;
    protect?: boolean;
    dependencies: string[];
    additionalSecretOutputs: string[];
    replacementTrigger?: unknown;
    deleteBeforeReplace?: boolean;
    /** Input keys whose value reached the engine wrapped as a secret. */
    secretInputs: string[];
}

/** Pulumi's wire marker for a secret value. */
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

const optionsByName = new Map<string, RegisteredOptions>();

/** Every resource registered under the mocks, in order. */
export const registered: RegisteredResource[] = [];

/**
 * Installs the mocks. With `unknowns`, values only the cloud can know (generated names, key
 * ids, secrets, GHES outputs) are `<placeholders>` instead of made-up stand-ins: a plan shows
 * them as Pulumi's preview would, as not yet known.
 */
export function installMocks(o: { unknowns?: boolean } = {}): void {
    const computed = (what: string, standIn: string) => (o.unknowns ? `<${what}>` : standIn);
    pulumi.runtime.setMocks({
        newResource(args: pulumi.runtime.MockResourceArgs) {
            registered.push({ type: args.type, name: args.name, inputs: args.inputs, provider: args.provider, options: optionsByName.get(`${args.type}::${args.name}`)! });
            const state: Record<string, unknown> = { ...args.inputs };
            switch (args.type) {
                case "aws:s3/bucket:Bucket": {
                    const bucket = (args.inputs.bucket as string | undefined) ?? computed(`${args.inputs.bucketPrefix ?? args.name}...`, `${args.inputs.bucketPrefix ?? args.name}${"0".repeat(8)}`);
                    Object.assign(state, { bucket, arn: `arn:aws:s3:::${bucket}`, region: args.inputs.region ?? "us-west-2" });
                    break;
                }
                case "aws:iam/user:User": {
                    const name = (args.inputs.name as string | undefined) ?? computed(`${args.name}-...`, `${args.name}-1234567`);
                    Object.assign(state, { name, arn: `arn:aws:iam::123456789012:user${args.inputs.path ?? "/"}${name}` });
                    break;
                }
                case "aws:iam/accessKey:AccessKey":
                    Object.assign(state, { secret: computed("secret access key", `mock-secret-for-${args.name}`) });
                    return { id: computed("access key id", `AKIAMOCK${args.name.length.toString().padStart(12, "0")}`), state };
                default:
                    if (args.type.startsWith("pulumi-nodejs:dynamic")) {
                        Object.assign(state, o.unknowns
                            ? { ghesVersion: "<GHES version>", hostKeyFingerprint: "<host key>", applyRunId: "<run id>", configuredAt: "<time>", writtenKeys: [] }
                            : { ghesVersion: "3.14.2", hostKeyFingerprint: "SHA256:mock", applyRunId: "mock-run", configuredAt: "2026-01-01T00:00:00Z", writtenKeys: [] });
                    }
            }
            return { id: `${args.name}-id`, state };
        },
        call(args: pulumi.runtime.MockCallArgs) {
            return args.inputs;
        },
    }, "ghes-packages", "test", false);
    tapRegistrations((req) => optionsByName.set(`${req.getType()}::${req.getName()}`, optionsOf(req)));
}

function optionsOf(req: RegisterRequest): RegisteredOptions {
    const trigger = req.getReplacementTrigger?.();
    const wire = req.getObject().toJavaScript() as Record<string, Record<string, unknown> | undefined>;
    return {
        parent: req.getParent(),
        retainOnDelete: req.getRetainondelete?.(),
        protect: req.getProtect?.(),
        dependencies: req.getDependenciesList(),
        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
        replacementTrigger: trigger ? trigger.toJavaScript() : undefined,
        deleteBeforeReplace: req.getDeletebeforereplace(),
        secretInputs: Object.keys(wire).filter((k) => wire[k]?.["4dabf18193072939515e22adb298388d"] === SECRET_SIG),
    };
}

/** Registered resources whose name starts with the given instance name. */
export function resourcesOf(instance: string): RegisteredResource[] {
    return registered.filter((r) => r.name === instance || r.name.startsWith(`${instance}-`));
}

/** Resolves an Output (mocks run with preview = false, so every value is known). */
export function valueOf<T>(o: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => o.apply((v) => { resolve(v); return v; }));
}

/** Whether an Output is marked secret. */
export function isSecretOutput<T>(o: pulumi.Output<T>): Promise<boolean> {
    return (o as unknown as { isSecret: Promise<boolean> }).isSecret;
}

/** Waits until every registration queued so far reached the mock monitor (no timer). */
export function settle(): Promise<void> {
    return waitForRegistrations();
}
