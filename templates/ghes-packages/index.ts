import * as pulumi from "@pulumi/pulumi";
import { PackagesStorage } from "ghes-packages-s3";

const cfg = new pulumi.Config();
const storage = new PackagesStorage("ghes-prod", {
    ghes: {
        hostname: cfg.require("ghesHostname"),
        managementPassword: cfg.requireSecret("ghesPassword"),
        sshHostKeyFingerprint: cfg.require("ghesSshHostKeyFingerprint"), // see "First contact"
        caBundle: cfg.get("ghesCaBundle"),
    },
    bucket: { kmsKeyArn: cfg.get("kmsKeyArn") }, // everything else has secure defaults
});
export const bucket = storage.bucketName;
export const serviceUrl = storage.serviceUrl;
