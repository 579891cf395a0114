import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import * as ts from "typescript";

/*
 * Builds the policy pack as `npm run build` ships it (dist/policypack: compiled JavaScript with
 * PulumiPolicy.yaml and package.json beside it), into a throw-away folder, so a test or the demo
 * can start it the way the CLI does without touching this checkout's dist/.
 *
 * Each file is compiled on its own with the build's compiler options (ts.transpileModule, in
 * this process): for these files that is the JavaScript `tsc -p tsconfig.json` emits, byte for
 * byte, without the seconds a whole program takes to load every @pulumi/* declaration. Types
 * are checked by `npm run checks`, not here.
 */

const ROOT = resolve(__dirname, "..");

/** The files of policypack/ that are not TypeScript and ship as they are. */
export const POLICY_PACK_MANIFESTS = ["PulumiPolicy.yaml", "package.json"];

export interface BuiltPack {
    /** The pack's folder, the argument of `--policy-pack`. */
    dir: string;
    remove(): void;
}

/** The build's compiler options (tsconfig.json), as tsc reads them. */
function buildOptions(): ts.CompilerOptions {
    const file = join(ROOT, "tsconfig.json");
    const { config, error } = ts.readConfigFile(file, ts.sys.readFile);
    if (error) throw new Error(`reading ${file}: ${ts.flattenDiagnosticMessageText(error.messageText, "\n")}`);
    return { ...ts.parseJsonConfigFileContent(config, ts.sys, ROOT).options, declaration: false };
}

/** `entry` and every source file it imports, directly or not, by a relative path: what tsc compiles from `files: [entry]`. */
function sourcesOf(entry: string): string[] {
    const seen = new Set<string>();
    const todo = [entry];
    while (todo.length) {
        const file = todo.pop()!;
        if (seen.has(file)) continue;
        seen.add(file);
        for (const { fileName } of ts.preProcessFile(readFileSync(file, "utf8"), true, true).importedFiles) {
            if (!fileName.startsWith(".")) continue; // a package: resolved from node_modules at run time
            const base = resolve(dirname(file), fileName);
            const found = [`${base}.ts`, join(base, "index.ts")].find((f) => existsSync(f));
            if (!found) throw new Error(`compiling the policy pack failed: ${relative(ROOT, file)} imports ${fileName}, which is no TypeScript file`);
            todo.push(found);
        }
    }
    return [...seen].sort();
}

export function buildPolicyPack(): BuiltPack {
    const out = mkdtempSync(join(tmpdir(), "ghes-policy-pack-"));
    try {
        const options = buildOptions();
        for (const source of sourcesOf(join(ROOT, "policypack", "index.ts"))) {
            const name = relative(ROOT, source);
            const r = ts.transpileModule(readFileSync(source, "utf8"), { compilerOptions: options, fileName: source, reportDiagnostics: true });
            if (r.diagnostics?.length) {
                throw new Error(`compiling the policy pack failed: ${name}: ${r.diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")).join("; ")}`);
            }
            const target = join(out, "dist", name.replace(/\.ts$/, ".js"));
            mkdirSync(dirname(target), { recursive: true });
            writeFileSync(target, r.outputText);
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
