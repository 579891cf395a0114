import { PackagesStorage, PackagesStorageArgs } from "../index";
import { installMocks, registered, RegisteredResource, settle, valueOf } from "./pulumiMocks";

/** What one instance creates, as Pulumi would register it (mocks: nothing leaves this process). */
export interface ResourcePlan {
    resources: RegisteredResource[];
    bucketName: string;
    serviceUrl: string;
    accessKeyId: string;
    secretAccessKey: string;
    identityPolicyJson: string;
    bucketPolicyJson?: string;
}

export async function planComponent(name: string, args: PackagesStorageArgs): Promise<ResourcePlan> {
    installMocks({ unknowns: true });
    const s = new PackagesStorage(name, args);
    const [bucketName, serviceUrl, accessKeyId, secretAccessKey, identityPolicyJson, bucketPolicyJson] = await Promise.all([
        valueOf(s.bucketName), valueOf(s.serviceUrl), valueOf(s.accessKeyId), valueOf(s.secretAccessKey),
        valueOf(s.identityPolicyJson), valueOf(s.bucketPolicyJson),
    ]);
    if (s.ghesSettings) await valueOf(s.ghesSettings.configuredAt);
    await settle();
    return { resources: [...registered], bucketName, serviceUrl, accessKeyId, secretAccessKey, identityPolicyJson, bucketPolicyJson };
}

const HIDDEN = new Set(["__provider", "policy", "tags"]);

/** Pulumi's short type names, as `pulumi up` prints them: `aws:s3/bucket:Bucket` -> `aws:s3:Bucket`. */
function shortType(type: string): string {
    const dynamic = /^pulumi-nodejs:dynamic\/([^:]+):(.+)$/.exec(type);
    if (dynamic) return `${dynamic[1]}:${dynamic[2]} (dynamic)`;
    const [pkg, mod, name] = type.split(":");
    return name === undefined ? type : `${pkg}:${mod.split("/")[0]}:${name}`;
}

/**
 * The resource tree, one resource a line under its parent, with the inputs a security review
 * looks at. Secret inputs show as [secret]; values known only after deployment as <...>.
 */
export function describePlan(plan: ResourcePlan): string[] {
    // A URN ends with the type chain ("Parent$Child") and the name: match the last type and the name.
    const isChildOf = (r: RegisteredResource, p: RegisteredResource) => [`$${p.type}::${p.name}`, `::${p.type}::${p.name}`].some((end) => r.options.parent.endsWith(end));
    const children = (parent: RegisteredResource | undefined) =>
        plan.resources.filter((r) => (parent ? isChildOf(r, parent) : !plan.resources.some((p) => isChildOf(r, p))));
    const lines: string[] = [];
    const walk = (r: RegisteredResource, depth: number) => {
        const pad = "  ".repeat(depth + 1);
        lines.push(`${pad}${depth ? "└─ " : ""}${shortType(r.type)}  ${r.name}`);
        const settings = Object.entries(r.inputs)
            .filter(([k, v]) => !HIDDEN.has(k) && v !== undefined)
            .map(([k, v]) => `${k}=${r.options.secretInputs.includes(k) ? "[secret]" : JSON.stringify(v)}`);
        const opts = [
            r.options.retainOnDelete ? "retainOnDelete" : "",
            r.options.replacementTrigger !== undefined ? `replacementTrigger=${JSON.stringify(r.options.replacementTrigger)}` : "",
            r.options.additionalSecretOutputs.length ? `secretOutputs=${r.options.additionalSecretOutputs.join(",")}` : "",
        ].filter(Boolean);
        const detail = `${pad}${depth ? "   " : ""}    `;
        if (settings.length) lines.push(`${detail}${settings.join("  ")}`);
        if (opts.length) lines.push(`${detail}options: ${opts.join("  ")}`);
        for (const c of children(r)) walk(c, depth + 1);
    };
    for (const root of children(undefined)) walk(root, 0);
    return lines;
}
