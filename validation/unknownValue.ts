/** The value Pulumi substitutes for not-yet-known inputs in preview (check/diff of dynamic providers). */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export const isUnknown = (v: unknown): boolean => v === UNKNOWN_VALUE;
