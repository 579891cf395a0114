import * as pulumi from "@pulumi/pulumi";
import { Provider } from "@pulumi/aws/provider";
import { PackagesStorage } from "ghes-packages-s3";

/*
 * Stack config (secrets with --secret):
 *   pulumi config set --path 'appliances[0].name' ghes-us
 *   pulumi config set --path 'appliances[0].hostname' ghes-us.example.com
 *   pulumi config set --path 'appliances[0].region' us-west-2
 *   pulumi config set --path 'appliances[0].sshHostKeyFingerprint' SHA256:...   (verified out of band)
 *   pulumi config set --path 'appliances[0].kmsKeyArn' arn:aws:kms:us-west-2:111122223333:key/...
 *   pulumi config set --secret --path 'passwords.ghes-us' '...'
 *   (repeat for ghes-eu in eu-central-1, ...)
 */
interface Appliance {
    name: string;
    hostname: string;
    region: string;
    sshHostKeyFingerprint: string;
    kmsKeyArn?: string;
    allowedSourceCidrs?: string[];
    keyRotation?: string;
}

const config = new pulumi.Config();
const appliances = config.requireObject<Appliance[]>("appliances");
const passwords = config.requireSecretObject<Record<string, string>>("passwords");

// One explicit provider per region: resources never depend on the ambient AWS region.
const providers = new Map<string, Provider>();
const providerFor = (region: string) => {
    if (!providers.has(region)) providers.set(region, new Provider(`aws-${region}`, { region, defaultTags: { tags: { "managed-by": "pulumi", system: "ghes-packages" } } }));
    return providers.get(region)!;
};

export const instances = appliances.map((a) => {
    const storage = new PackagesStorage(a.name, {
        bucket: { kmsKeyArn: a.kmsKeyArn, allowedSourceCidrs: a.allowedSourceCidrs },
        identity: { path: "/ghes/", tags: { appliance: a.name } },
        keyRotation: a.keyRotation,
        ghes: {
            hostname: a.hostname,
            sshHostKeyFingerprint: a.sshHostKeyFingerprint,
            managementPassword: passwords.apply((p) => p[a.name]),
            maintenanceMode: true,
            // Docker read-only after moving images to the Container registry (README, "Package ecosystems").
            ecosystems: { container: "enabled", docker: "readonly", npm: "enabled", maven: "enabled" },
        },
    }, { providers: { aws: providerFor(a.region) } });
    return {
        name: a.name,
        bucket: storage.bucketName,
        serviceUrl: storage.serviceUrl,
        userArn: storage.userArn,
        ghesVersion: storage.ghesVersion,
    };
});
