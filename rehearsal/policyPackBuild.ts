import { copyFileSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { compileSources } from "./compileSources";

/*
 * Builds the policy pack as `npm run build` ships it (dist/policypack: compiled JavaScript with
 * PulumiPolicy.yaml and package.json beside it), into a throw-away folder, so a test or the demo
 * can start it the way the CLI does without touching this checkout's dist/. Compiled in this
 * process (rehearsal/compileSources.ts): the JavaScript tsc emits, without a tsc process.
 */

const ROOT = resolve(__dirname, "..");

/** The files of policypack/ that are not TypeScript and ship as they are. */
export const POLICY_PACK_MANIFESTS = ["PulumiPolicy.yaml", "package.json"];

export interface BuiltPack {
    /** The pack's folder, the argument of `--policy-pack`. */
    dir: string;
    remove(): void;
}

export function buildPolicyPack(): BuiltPack {
    const out = mkdtempSync(join(tmpdir(), "ghes-policy-pack-"));
    try {
        try {
            compileSources([join("policypack", "index.ts")], join(out, "dist"));
        } catch (e) {
            throw new Error(`compiling the policy pack failed: ${(e as Error).message}`);
        }
        const dir = join(out, "dist", "policypack");
        for (const f of POLICY_PACK_MANIFESTS) copyFileSync(join(ROOT, "policypack", f), join(dir, f));
        // As in a program that installed the package: @pulumi/* resolve from the node_modules above it.
        symlinkSync(join(ROOT, "node_modules"), join(out, "node_modules"), "dir");
        return { dir, remove: () => rmSync(out, { recursive: true, force: true }) };
    } catch (e) {
        rmSync(out, { recursive: true, force: true });
        throw e;
    }
}
