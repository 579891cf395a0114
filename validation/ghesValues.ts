import { isIPv4, isIPv6 } from "node:net";
import { ECOSYSTEMS } from "../ghes/ecosystemKeys";
import { MIN_MASKED_SECRET_LENGTH } from "../ghes/redaction";
import { bucketNameError } from "./awsNames";
import { isUnknown } from "./unknownValue";

/*
 * Rules for the values of the GHES settings resource, pure. Each returns what is wrong
 * (without the field name: the field table adds it), or undefined when the value is valid.
 */

// Control characters (newlines included) have no place in any of these values; the shell
// quoting would carry them safely, but GHES config files would not.
// eslint-disable-next-line no-control-regex
const hasControlChars = (s: string): boolean => /[\x00-\x1f\x7f]/.test(s);

const DNS_NAME = /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** A DNS name, or an IPv4/IPv6 address as Node parses it (no leading zeros, no ":::"). */
function isHostName(h: string): boolean {
    if (isIPv4(h) || isIPv6(h)) return true;
    // All-numeric dotted names are addresses, and must then be valid ones (010.000.000.001 is not).
    return DNS_NAME.test(h) && !/^[\d.]+$/.test(h);
}

export function hostnameError(h: string): string | undefined {
    if (isHostName(h)) return undefined;
    return `must be a host name or IP address without scheme, port or path (got ${JSON.stringify(h)})`;
}

/**
 * One spelling per appliance, so `GHES.example.com`, `ghes.example.com.` and
 * `ghes.example.com` are the same resource (a replace would disable Packages on delete).
 */
export function normalizeHostname(h: string): string {
    return h.toLowerCase().replace(/\.$/, "");
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

export function serviceUrlError(u: string): string | undefined {
    let url: URL;
    try {
        url = new URL(u);
    } catch {
        return `must be an absolute URL such as https://s3.us-west-2.amazonaws.com (got ${JSON.stringify(u)})`;
    }
    // Plain http only for a loopback S3 stand-in (the offline rehearsal); GHES would send keys in clear otherwise.
    if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname))) {
        return `must use https (got ${JSON.stringify(url.protocol)})`;
    }
    if (url.username || url.password) return "must not contain credentials";
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    if (!isHostName(host)) return `must name its host as a DNS name or IP address (got ${JSON.stringify(url.hostname)})`;
    if (url.search || url.hash || (url.pathname !== "/" && url.pathname !== "")) return "must be the service root, without path, query or fragment";
    if (hasControlChars(u) || /\s/.test(u)) return "must not contain spaces or control characters";
    return undefined;
}

export const caBundleError = (v: string): string | undefined =>
    v.includes("-----BEGIN CERTIFICATE-----") ? undefined : "must be PEM text with at least one -----BEGIN CERTIFICATE----- block";

export const fingerprintError = (v: string): string | undefined =>
    /^SHA256:[A-Za-z0-9+/]{43}$/.test(v) ? undefined
        : `must be an OpenSSH SHA256 fingerprint such as SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s (got ${JSON.stringify(v)})`;

export const managementUserError = (v: string): string | undefined =>
    /^[\w.@-]{1,64}$/.test(v) ? undefined : "must be api_key or a Management Console user name";

// Secrets shorter than MIN_MASKED_SECRET_LENGTH could not be masked in error messages and logs.
export const passwordError = (v: string): string | undefined =>
    hasControlChars(v) ? "must not contain control characters" : v.length < MIN_MASKED_SECRET_LENGTH ? `must be at least ${MIN_MASKED_SECRET_LENGTH} characters` : undefined;

export const sshPrivateKeyError = (v: string): string | undefined => (v.includes("PRIVATE KEY-----") ? undefined : "must be a PEM or OpenSSH private key");

export const bucketError = (v: string): string | undefined => bucketNameError("bucket", v)?.replace(/^bucket: /, "");

// A leading "-" would reach ghe-config as an option (e.g. --unset), whatever the quoting.
export const accessKeyIdError = (v: string): string | undefined =>
    !/^[\x21-\x7e]{3,128}$/.test(v) ? "must be 3-128 printable characters without spaces" : v.startsWith("-") ? "must not begin with '-'" : undefined;

export const secretAccessKeyError = (v: string): string | undefined =>
    !new RegExp(`^[\\x21-\\x7e]{${MIN_MASKED_SECRET_LENGTH},256}$`).test(v) ? `must be ${MIN_MASKED_SECRET_LENGTH}-256 printable characters without spaces` : v.startsWith("-") ? "must not begin with '-'" : undefined;

const ECOSYSTEM_STATES = ["enabled", "readonly", "disabled"];

/** The ecosystem toggles: known ecosystems only, each "enabled" | "readonly" | "disabled"; npmUpstreaming a boolean. */
export function ecosystemsError(v: unknown): string | undefined {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return `must be an object such as { docker: "readonly", container: "enabled" } (got ${JSON.stringify(v)})`;
    const problems: string[] = [];
    for (const [k, value] of Object.entries(v as Record<string, unknown>)) {
        // Unknown in preview: judged when known. Anything else that is not a state (objects, arrays,
        // null) is refused: String({}) would reach ghe-config as "[object Object]". (Outputs at
        // construction are left to the provider by the component, components/ghesPackagesSettings.ts.)
        if (value === undefined || isUnknown(value)) continue;
        if (k === "npmUpstreaming") {
            if (typeof value !== "boolean") problems.push(`npmUpstreaming must be true or false (got ${JSON.stringify(value)})`);
        } else if (!(ECOSYSTEMS as readonly string[]).includes(k)) {
            problems.push(`${JSON.stringify(k)} is not an ecosystem (${ECOSYSTEMS.join(", ")}, npmUpstreaming)`);
        } else if (!ECOSYSTEM_STATES.includes(value as string)) {
            problems.push(`${k} must be "enabled", "readonly" or "disabled" (got ${JSON.stringify(value)})`);
        }
    }
    return problems.length ? problems.join("; ") : undefined;
}
