import { bucketNameError } from "./awsNames";

/*
 * Rules for the values of the GHES settings resource, pure. Each returns what is wrong
 * (without the field name: the field table adds it), or undefined when the value is valid.
 */

// Control characters (newlines included) have no place in any of these values; the shell
// quoting would carry them safely, but GHES config files would not.
// eslint-disable-next-line no-control-regex
export const hasControlChars = (s: string): boolean => /[\x00-\x1f\x7f]/.test(s);

export function hostnameError(h: string): string | undefined {
    const dns = /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
    const v4 = /^(\d{1,3})(\.\d{1,3}){3}$/;
    const v6 = /^[0-9a-fA-F:]+$/;
    if (dns.test(h) || (v4.test(h) && h.split(".").every((o) => Number(o) <= 255)) || (h.includes(":") && v6.test(h))) return undefined;
    return `must be a host name or IP address without scheme, port or path (got ${JSON.stringify(h)})`;
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
    if (url.search || url.hash || (url.pathname !== "/" && url.pathname !== "")) return "must be the service root, without path, query or fragment";
    if (hasControlChars(u) || /\s/.test(u)) return "must not contain spaces or control characters";
    return undefined;
}

export const caBundleError = (v: string): string | undefined =>
    v.includes("-----BEGIN CERTIFICATE-----") ? undefined : "must be PEM text with at least one -----BEGIN CERTIFICATE----- block";

export const fingerprintError = (v: string): string | undefined =>
    /^SHA256:[A-Za-z0-9+/]{43}=?$/.test(v) ? undefined
        : `must be an OpenSSH SHA256 fingerprint such as SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s (got ${JSON.stringify(v)})`;

export const managementUserError = (v: string): string | undefined =>
    /^[\w.@-]{1,64}$/.test(v) ? undefined : "must be api_key or a Management Console user name";

export const passwordError = (v: string): string | undefined => (hasControlChars(v) ? "must not contain control characters" : undefined);

export const sshPrivateKeyError = (v: string): string | undefined => (v.includes("PRIVATE KEY-----") ? undefined : "must be a PEM or OpenSSH private key");

export const bucketError = (v: string): string | undefined => bucketNameError("bucket", v)?.replace(/^bucket: /, "");

export const accessKeyIdError = (v: string): string | undefined =>
    /^[\x21-\x7e]{3,128}$/.test(v) ? undefined : "must be 3-128 printable characters without spaces";

export const secretAccessKeyError = (v: string): string | undefined =>
    /^[\x21-\x7e]{3,256}$/.test(v) ? undefined : "must be 3-256 printable characters without spaces";
