import { PolicyResource } from "@pulumi/policy";
import { INSTANCE_TAG } from "../policies/packageTags";
import { bucketArnFor, regionOfServiceUrl } from "../policies/s3Endpoint";
import { AWS, GHES_SETTINGS, isOneOf } from "./resourceTypes";

/*
 * How the pack finds its way through a stack: which buckets hold packages, which resources
 * configure a bucket, which key and user the GHES settings use. A link is either a property
 * dependency (the engine records it even while values are unknown in preview) or an equal value.
 */

/** Marks a value the engine does not know yet (preview); such a value never links and is never judged. */
export const UNKNOWN = Symbol("unknown");

/**
 * What @pulumi/policy's property proxy throws when a policy touches a value unknown in preview.
 * The class is internal to @pulumi/policy (not in its types), so it is recognised by name.
 */
const isUnknownValueError = (e: unknown): boolean => e instanceof Error && e.constructor.name === "UnknownValueError";

/** A property, or UNKNOWN where @pulumi/policy's proxy reports it unknown (preview). */
export function read(props: Record<string, unknown>, ...path: string[]): unknown {
    try {
        let v: unknown = props;
        for (const k of path) {
            if (v === undefined || v === null || typeof v !== "object") return undefined;
            v = (v as Record<string, unknown>)[k];
        }
        return v;
    } catch (e) {
        if (isUnknownValueError(e)) return UNKNOWN;
        throw e;
    }
}

/** `f()`, or `fallback` where it touched a value unknown in preview. */
export function whenKnown<T>(f: () => T, fallback: T): T {
    try {
        return f();
    } catch (e) {
        if (isUnknownValueError(e)) return fallback;
        throw e;
    }
}

/**
 * A property's array as a plain array. @pulumi/policy 1.20's proxy breaks `map`/`filter` on
 * proxied arrays (species lookup); reading element by element works in every version.
 */
export function items(v: unknown): unknown[] {
    if (!Array.isArray(v)) return [];
    const out: unknown[] = [];
    for (let i = 0; i < v.length; i++) out.push(v[i]);
    return out;
}

export const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** Whether `r.props[key]` refers to `target`: by dependency, or by one of the target's identifying values. */
export function refersTo(r: PolicyResource, key: string, target: PolicyResource, values: unknown[]): boolean {
    if ((r.propertyDependencies[key] ?? []).some((d) => d.urn === target.urn)) return true;
    const v = read(r.props, key);
    return typeof v === "string" && values.some((t) => t === v);
}

/** `type "name"`, as the engine shows a resource. */
export const describe = (r: PolicyResource): string => `${r.type} "${r.name}"`;

export const isSettings = (r: PolicyResource): boolean => isOneOf(r.type, GHES_SETTINGS);

/** A bucket of any supported kind, with what identifies it. */
export interface BucketView {
    resource: PolicyResource;
    native: boolean;
    /** The bucket's name, when known. */
    name?: string;
    /** Its ARN: from the resource, or built from the name. */
    arn?: string;
    /** Values other resources use to refer to it (name, ARN). */
    ids: unknown[];
    /** Its tags as a plain map (aws-native's `[{key, value}]` converted). */
    tags: Record<string, string>;
}

export function bucketView(r: PolicyResource): BucketView | undefined {
    const native = isOneOf(r.type, AWS.nativeBucket);
    if (!native && !isOneOf(r.type, AWS.bucket)) return undefined;
    const name = str(read(r.props, native ? "bucketName" : "bucket"));
    const arn = str(read(r.props, "arn")) ?? (name ? bucketArnFor(name, str(read(r.props, "region")) ?? "us-east-1") : undefined);
    return { resource: r, native, name, arn, ids: [name, arn, str(read(r.props, "id"))].filter((x) => x !== undefined), tags: tagsOf(r) };
}

/** A resource's tags as a plain map (aws-native's `[{key, value}]` converted); empty while unknown. */
export function tagsOf(r: PolicyResource): Record<string, string> {
    return whenKnown(() => {
        const raw = read(r.props, "tags");
        const t: Record<string, string> = {};
        if (Array.isArray(raw)) for (const e of items(raw) as { key?: unknown; value?: unknown }[]) t[String(e?.key)] = String(e?.value);
        else if (raw && typeof raw === "object") for (const [k, v] of Object.entries(raw)) t[k] = String(v);
        return t;
    }, {});
}

/** A Packages bucket: pointed at by a GHES settings resource, or carrying the package's instance tag. */
export interface PackagesBucket extends BucketView {
    /** Why the pack holds it to the Packages rules. */
    why: string;
}

export function packagesBuckets(resources: PolicyResource[]): PackagesBucket[] {
    const settings = resources.filter(isSettings);
    const found: PackagesBucket[] = [];
    for (const r of resources) {
        const b = bucketView(r);
        if (!b) continue;
        const users = settings.filter((s) => refersTo(s, "bucket", r, b.ids));
        const reasons = [
            ...users.map((s) => `GHES settings "${s.name}" store packages in it`),
            ...(b.tags[INSTANCE_TAG] !== undefined ? [`tagged ${INSTANCE_TAG}=${b.tags[INSTANCE_TAG]}`] : []),
        ];
        if (reasons.length) found.push({ ...b, why: reasons.join("; ") });
    }
    return found;
}

/** The resources of the given types that configure `bucket` (their `bucket` property refers to it). */
export function configOf(resources: PolicyResource[], bucket: BucketView, types: readonly string[]): PolicyResource[] {
    return resources.filter((r) => isOneOf(r.type, types) && refersTo(r, "bucket", bucket.resource, bucket.ids));
}

/** The ARN of the bucket a settings resource points at: from the bucket in the stack, or from its name and service URL. */
export function settingsBucketArn(resources: PolicyResource[], settings: PolicyResource): string | undefined {
    for (const r of resources) {
        const b = bucketView(r);
        if (b && refersTo(settings, "bucket", r, b.ids)) return b.arn;
    }
    const name = str(read(settings.props, "bucket"));
    const url = str(read(settings.props, "serviceUrl"));
    if (!name || !url) return undefined;
    try {
        return bucketArnFor(name, regionOfServiceUrl(url).region);
    } catch {
        return undefined; // a malformed URL: the provider's check reports it
    }
}
