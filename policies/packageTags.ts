/**
 * The tags this package puts on every bucket and IAM user it creates. The instance tag names
 * the component that made them; the org-wide policy pack recognises Packages buckets by it.
 */
export const INSTANCE_TAG = "ghes-packages-instance";

/** `tags` plus the package's own: `managed-by` and the instance tag. */
export function withPackageTags(tags: Record<string, string>, instance: string): Record<string, string> {
    return { ...tags, "managed-by": "pulumi", [INSTANCE_TAG]: instance };
}
