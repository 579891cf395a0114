import * as pulumi from "@pulumi/pulumi";
import { PackagesStorage } from "ghes-packages-s3";

// pulumi config set aws:region us-west-2
// pulumi config set ghesHostname ghes.example.com
// pulumi config set --secret ghesPassword '<root site administrator password>'
// pulumi config set ghesCaBundle "$(cat ghes-ca.pem)"
// pulumi config set ghesSshHostKeyFingerprint SHA256:...   (README, "First contact": verify it out of band)
const config = new pulumi.Config();

const storage = new PackagesStorage("ghes-prod", {
    ghes: {
        hostname: config.require("ghesHostname"),
        managementPassword: config.requireSecret("ghesPassword"),
        caBundle: config.get("ghesCaBundle"),
        sshHostKeyFingerprint: config.require("ghesSshHostKeyFingerprint"),
    },
});

export const bucketName = storage.bucketName;
export const serviceUrl = storage.serviceUrl;
export const accessKeyId = storage.accessKeyId;
export const ghesVersion = storage.ghesVersion;
export const ghesApplyRunId = storage.ghesApplyRunId;
