import * as pulumi from "@pulumi/pulumi";
import * as dynamic from "@pulumi/pulumi/dynamic";
import { ghesSettingsProvider } from "../provider/serializableProvider";
import { OnDelete, SECRET_INPUTS } from "../provider/inputs";

/** How to reach and authenticate to a GHES appliance. */
export interface GhesConnectionArgs {
    /** Host name or IP address of the appliance (no scheme, no port). Changing it replaces the resource. Required. */
    hostname: pulumi.Input<string>;
    /** Manage API port (HTTPS). Default: `8443`. */
    managementPort?: pulumi.Input<number>;
    /** Administrative SSH shell port. Default: `122`. */
    sshPort?: pulumi.Input<number>;
    /** PEM CA bundle that signed the appliance's Management Console certificate. Default: the system's CAs. */
    caBundle?: pulumi.Input<string>;
    /**
     * Turns TLS certificate verification OFF for the Manage API. Only for a lab appliance with
     * a self-signed certificate and no CA bundle: the password can then be intercepted. Default: `false`.
     */
    dangerouslySkipTlsVerification?: pulumi.Input<boolean>;
    /**
     * Pinned SSH host key of the admin shell, as OpenSSH prints it (`SHA256:...`, see
     * `ssh-keyscan -p 122 HOST | ssh-keygen -lf -`). Default: recorded on first contact
     * (trust on first use) and enforced afterwards.
     */
    sshHostKeyFingerprint?: pulumi.Input<string>;
    /** Manage API user: `api_key` (root site administrator) or a Management Console user (3.8+). Default: `"api_key"`. */
    managementUser?: pulumi.Input<string>;
    /**
     * Password of that user (root site administrator password for `api_key`). Give it as a
     * secret (`config.requireSecret`). Default: read from `GHES_MANAGEMENT_PASSWORD` at run time.
     */
    managementPassword?: pulumi.Input<string>;
    /**
     * Private key authorized for the admin shell; needed only for GHES < 3.12, where no API
     * registers a temporary key. Give it as a secret. Default: none (3.12+ registers a
     * short-lived key per operation and removes it afterwards).
     */
    sshPrivateKey?: pulumi.Input<string>;
}

/** What to do with GHES and how. */
export interface GhesBehaviourArgs {
    /** Enable GitHub Packages. Default: `true`. */
    packagesEnabled?: pulumi.Input<boolean>;
    /** Run the configuration (`ghe-config-apply`, minutes, services restart) after writing. Default: `true`. */
    applyConfiguration?: pulumi.Input<boolean>;
    /** Longest wait for a configuration run, in seconds. Default: `1800`. */
    applyTimeoutSeconds?: pulumi.Input<number>;
    /** Hold maintenance mode during the configuration run (3.12+; off again afterwards unless it was on before). Default: `false`. */
    maintenanceMode?: pulumi.Input<boolean>;
    /**
     * Allow changing the bucket or service URL of an instance that already has Packages
     * enabled. Set only for a planned migration after the objects were copied. Default: `false`.
     */
    allowStorageMigration?: pulumi.Input<boolean>;
    /** On delete: `"retain"` leaves GHES as it is; `"disable"` turns Packages off and applies. Default: `"retain"`. */
    onDelete?: pulumi.Input<OnDelete>;
    /**
     * Before touching GHES, use the key against the bucket exactly as GHES will (put, get,
     * list, multipart). Turn off only for runners that cannot reach S3. Default: `true`.
     */
    storageCheck?: pulumi.Input<boolean>;
    /** How long the storage check retries while a new key propagates, in seconds. Default: `120`. */
    storageCheckTimeoutSeconds?: pulumi.Input<number>;
}

export interface GhesPackagesSettingsArgs extends GhesConnectionArgs, GhesBehaviourArgs {
    /** "AWS Service URL" in the Management Console, e.g. `https://s3.us-west-2.amazonaws.com` (or the MinIO URL). Required. */
    serviceUrl: pulumi.Input<string>;
    /** Bucket name. Required. */
    bucket: pulumi.Input<string>;
    /** Access key id GHES uses. Required. */
    accessKeyId: pulumi.Input<string>;
    /** Secret access key GHES uses; kept secret in state. Required. */
    secretAccessKey: pulumi.Input<string>;
}

/**
 * GitHub Packages storage settings of one GHES appliance, written through the admin shell
 * (`ghe-config`) and applied through the Manage API. A second `pulumi up` with the same
 * values writes nothing and starts no configuration run; `pulumi refresh` shows drift.
 */
export class GhesPackagesSettings extends dynamic.Resource {
    declare public readonly hostname: pulumi.Output<string>;
    declare public readonly bucket: pulumi.Output<string>;
    declare public readonly serviceUrl: pulumi.Output<string>;
    declare public readonly accessKeyId: pulumi.Output<string>;
    declare public readonly packagesEnabled: pulumi.Output<boolean>;
    /** Version reported by the appliance. */
    declare public readonly ghesVersion: pulumi.Output<string>;
    /** SSH host key seen (and, from then on, enforced). */
    declare public readonly hostKeyFingerprint: pulumi.Output<string>;
    /** Id of the last configuration run this resource started. */
    declare public readonly applyRunId: pulumi.Output<string | undefined>;
    /** When the settings were last written or confirmed. */
    declare public readonly configuredAt: pulumi.Output<string>;
    /** Keys written by the last create or update (names only). */
    declare public readonly writtenKeys: pulumi.Output<string[]>;

    constructor(name: string, args: GhesPackagesSettingsArgs, opts?: pulumi.CustomResourceOptions) {
        const props: Record<string, unknown> = {
            ...args,
            ghesVersion: undefined,
            hostKeyFingerprint: undefined,
            applyRunId: undefined,
            configuredAt: undefined,
            writtenKeys: undefined,
        };
        for (const k of SECRET_INPUTS) {
            if (props[k] !== undefined) props[k] = pulumi.secret(props[k] as pulumi.Input<string>);
        }
        super(ghesSettingsProvider, name, props, {
            ...opts,
            additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), ...SECRET_INPUTS],
        }, "ghes-packages", "GhesPackagesSettings");
    }
}
