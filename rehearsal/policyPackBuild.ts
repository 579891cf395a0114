import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/*
 * Builds the policy pack as `npm run build` ships it (dist/policypack: compiled JavaScript with
 * PulumiPolicy.yaml and package.json beside it), into a throw-away folder, so a test or the demo
 * can start it the way the CLI does without touching this checkout's dist/.
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
        writeFileSync(join(out, "tsconfig.json"), JSON.stringify({
            extends: join(ROOT, "tsconfig.json"),
            compilerOptions: { outDir: join(out, "dist"), rootDir: ROOT, declaration: false, typeRoots: [join(ROOT, "node_modules", "@types")] },
            files: [join(ROOT, "policypack", "index.ts")],
            include: [],
        }));
        try {
            execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", join(out, "tsconfig.json")], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
        } catch (e) {
            throw new Error(`compiling the policy pack failed: ${(e as { stdout?: string }).stdout ?? (e as Error).message}`);
        }
        const dir = join(out, "dist", "policypack");
        mkdirSync(dir, { recursive: true });
        for (const f of POLICY_PACK_MANIFESTS) copyFileSync(join(ROOT, "policypack", f), join(dir, f));
        // As in a program that installed the package: @pulumi/* resolve from the node_modules above it.
        symlinkSync(join(ROOT, "node_modules"), join(out, "node_modules"), "dir");
        return { dir, remove: () => rmSync(out, { recursive: true, force: true }) };
    } catch (e) {
        rmSync(out, { recursive: true, force: true });
        throw e;
    }
}
