import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import * as ts from "typescript";

/*
 * This repository's TypeScript compiled to JavaScript in this process, for a child process
 * that should run the current sources without loading a compiler of its own. Each file is
 * compiled on its own with the build's compiler options (ts.transpileModule, as ts-node's
 * transpile-only mode does): for the files compiled here that is the JavaScript
 * `tsc -p tsconfig.json` emits, byte for byte, without the seconds a whole program takes to
 * load every @pulumi/* declaration. Types are checked by `npm run checks`, not here.
 */

const ROOT = resolve(__dirname, "..");

/** The build's compiler options (tsconfig.json), as tsc reads them; no declarations. */
function buildOptions(): ts.CompilerOptions {
    const file = join(ROOT, "tsconfig.json");
    const { config, error } = ts.readConfigFile(file, ts.sys.readFile);
    if (error) throw new Error(`reading ${file}: ${ts.flattenDiagnosticMessageText(error.messageText, "\n")}`);
    return { ...ts.parseJsonConfigFileContent(config, ts.sys, ROOT).options, declaration: false };
}

/** `entries` and every source file they import, directly or not, by a relative path: what tsc compiles from `files: entries`. */
function sourcesOf(entries: string[]): string[] {
    const seen = new Set<string>();
    const todo = entries.map((e) => resolve(ROOT, e));
    while (todo.length) {
        const file = todo.pop()!;
        if (seen.has(file)) continue;
        seen.add(file);
        for (const { fileName } of ts.preProcessFile(readFileSync(file, "utf8"), true, true).importedFiles) {
            if (!fileName.startsWith(".")) continue; // a package: resolved from node_modules at run time
            const base = resolve(dirname(file), fileName);
            const found = [`${base}.ts`, join(base, "index.ts")].find((f) => existsSync(f));
            if (!found) throw new Error(`${relative(ROOT, file)} imports ${fileName}, which is no TypeScript file`);
            todo.push(found);
        }
    }
    return [...seen].sort();
}

/**
 * Compiles `entries` (paths relative to the repository) and what they import into `outDir`,
 * each at its path relative to the repository with `.js` for `.ts`; returns those paths.
 * Fails naming the file on a syntax error.
 */
export function compileSources(entries: string[], outDir: string): string[] {
    const options = buildOptions();
    return sourcesOf(entries).map((source) => {
        const name = relative(ROOT, source);
        const r = ts.transpileModule(readFileSync(source, "utf8"), { compilerOptions: options, fileName: source, reportDiagnostics: true });
        if (r.diagnostics?.length) throw new Error(`compiling ${name} failed: ${r.diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")).join("; ")}`);
        const compiled = name.replace(/\.ts$/, ".js");
        mkdirSync(dirname(join(outDir, compiled)), { recursive: true });
        writeFileSync(join(outDir, compiled), r.outputText);
        return compiled;
    });
}
