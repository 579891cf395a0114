import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, PACK_POLICIES } from "./packPolicies";

/*
 * The policy pack's entry point: `pulumi preview --policy-pack <this folder>` runs it (the CLI
 * starts @pulumi/pulumi's run-policy-pack here, which loads this file and serves the analyzer).
 * The folder ships compiled as dist/policypack with PulumiPolicy.yaml and package.json beside it.
 */
new PolicyPack(PACK_NAME, {
    description: "GitHub Enterprise Server Packages on S3: the rules of ghes-packages-s3 for every stack of an organisation.",
    policies: PACK_POLICIES,
});
