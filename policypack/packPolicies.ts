import { Policies } from "@pulumi/policy";
import { bucketPolicies } from "./bucketPolicies";
import { ghesSettingsPolicies } from "./ghesSettingsPolicies";
import { identityPolicies } from "./identityPolicies";

/** The pack's name, as `pulumi policy publish` registers it and violations name it. */
export const PACK_NAME = "ghes-packages-s3";

/** Every policy of the pack, in the order the README's table lists them. */
export const PACK_POLICIES: Policies = [...ghesSettingsPolicies, ...bucketPolicies, ...identityPolicies];
