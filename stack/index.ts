import * as pulumi from "@pulumi/pulumi";
import { OnDelete, PackagesStorage } from "../index";

/*
 * The reference stack; Pulumi.yaml declares every config key read here, with its default.
 * Secrets come from stack config set with --secret (pulumi config set --secret ghesPassword),
 * AWS credentials and region from the usual aws:region config and environment.
 */
const config = new pulumi.Config();
const optional = (key: string) => config.get(key) || undefined;
const hostname = optional("ghesHostname");
const cidrs = config.getObject<string[]>("allowedSourceCidrs");

const storage = new PackagesStorage(pulumi.getStack(), {
    bucket: {
        bucketName: optional("bucketName"),
        kmsKeyArn: optional("kmsKeyArn"),
        allowedSourceCidrs: cidrs && cidrs.length > 0 ? cidrs : undefined,
    },
    keyRotation: config.get("keyRotation"),
    ghes: hostname ? {
        hostname,
        managementPassword: config.getSecret("ghesPassword"),
        caBundle: optional("ghesCaBundle"),
        sshHostKeyFingerprint: optional("ghesSshHostKeyFingerprint"),
        sshHostKeyTrustOnFirstUse: config.getBoolean("ghesSshHostKeyTrustOnFirstUse"),
        onDelete: (config.get("onDelete") || "retain") as OnDelete,
        maintenanceMode: config.getBoolean("maintenanceMode"),
    } : undefined,
});

export const bucketName = storage.bucketName;
export const bucketArn = storage.bucketArn;
export const serviceUrl = storage.serviceUrl;
export const userArn = storage.userArn;
export const accessKeyId = storage.accessKeyId;
export const secretAccessKey = storage.secretAccessKey;
export const ghesVersion = storage.ghesVersion;
export const ghesApplyRunId = storage.ghesApplyRunId;
