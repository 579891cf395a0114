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
    installMocks();
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
const SECRET_INPUTS = new Set(["managementPassword", "secretAccessKey", "sshPrivateKey", "caBundle"]);

/** One resource a line, with the inputs a security review looks at. */
export function describePlan(plan: ResourcePlan): string[] {
    const lines: string[] = [];
    for (const r of plan.resources) {
        const settings = Object.entries(r.inputs)
            .filter(([k, v]) => !HIDDEN.has(k) && v !== undefined)
            .map(([k, v]) => `${k}=${SECRET_INPUTS.has(k) ? "[secret]" : JSON.stringify(v)}`);
        const opts = [
            r.options.retainOnDelete ? "retainOnDelete" : "",
            r.options.replacementTrigger !== undefined ? `replacementTrigger=${JSON.stringify(r.options.replacementTrigger)}` : "",
            r.options.additionalSecretOutputs.length ? `secretOutputs=${r.options.additionalSecretOutputs.join(",")}` : "",
        ].filter(Boolean);
        lines.push(`  ${r.type}  ${r.name}`);
        if (settings.length) lines.push(`      ${settings.join("  ")}`);
        if (opts.length) lines.push(`      options: ${opts.join("  ")}`);
    }
    return lines;
}
