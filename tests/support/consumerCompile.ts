import { copyFileSync, existsSync, renameSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import type * as TypeScript from "typescript";
import { consumerDependencies } from "./consumerInstall";

/*
 * The consumer's `tsc -p .`, by the consumer's own TypeScript (its node_modules) with the
 * consumer's tsconfig.json, and every declaration file checked (no skipLibCheck): @pulumi/*,
 * @types/node and the package's. Checking the third-party declarations is most of the work and
 * the same for every run with the same versions, so the check goes through TypeScript's
 * incremental build info, kept beside the cached dependency tree (tests/support/consumerInstall.ts):
 * TypeScript re-checks every file whose text changed (the package's declarations, the program)
 * and what depends on it, and takes the rest from the last run with these versions.
 */
const BUILD_INFO = "consumer.tsbuildinfo";

export interface ConsumerCompile {
    /** The errors `tsc -p .` reports, one line each ("file: message"); out/ is written. */
    problems: string[];
    /** The errors the same compile reports with `file` (relative to the program) holding `text` instead (nothing written). */
    problemsWith(file: string, text: string): string[];
}

/** Compiles the program in `dir` as `tsc -p .` would. */
export function compileConsumer(dir: string): ConsumerCompile {
    const ts = require(join(dir, "node_modules", "typescript")) as typeof TypeScript; // eslint-disable-line @typescript-eslint/no-require-imports
    const cached = join(consumerDependencies(), BUILD_INFO);
    const info = join(dir, BUILD_INFO);
    if (existsSync(cached)) copyFileSync(cached, info);
    const sys = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d: TypeScript.Diagnostic) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n")); } };
    const config = ts.getParsedCommandLineOfConfigFile(join(dir, "tsconfig.json"), { incremental: true, tsBuildInfoFile: info }, sys)!;
    const builder = ts.createIncrementalProgram({ rootNames: config.fileNames, options: config.options, configFileParsingDiagnostics: config.errors });
    const program = builder.getProgram();
    const diagnostics = [...builder.getConfigFileParsingDiagnostics(), ...builder.getOptionsDiagnostics(), ...builder.getGlobalDiagnostics(),
        ...builder.getSyntacticDiagnostics(), ...builder.getSemanticDiagnostics()];
    // Emitted file by file: a whole-program emit would type-check every file again.
    for (const file of config.fileNames) diagnostics.push(...program.emit(program.getSourceFile(file)).diagnostics);
    // The builder's own emit only writes the build info: out/ is written above, whatever the build info says was emitted before.
    builder.emit(undefined, (name, text) => { if (name === info) ts.sys.writeFile(name, text); });
    if (existsSync(info)) {
        copyFileSync(info, `${cached}.${process.pid}`);
        renameSync(`${cached}.${process.pid}`, cached);
    }
    const lines = (list: readonly TypeScript.Diagnostic[]) =>
        list.map((d) => `${d.file ? relative(dir, d.file.fileName) : "tsconfig"}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
    return {
        problems: lines(diagnostics),
        problemsWith(file, text) {
            const path = resolve(dir, file);
            const host = ts.createCompilerHost(config.options);
            const original = host.getSourceFile;
            // Every other file as the compile above parsed it (TypeScript reuses the old program's structure).
            host.getSourceFile = (name, ...rest) => resolve(name) === path ? ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true) : program.getSourceFile(name) ?? original(name, ...rest);
            const changed = ts.createProgram({ rootNames: config.fileNames, options: config.options, host, oldProgram: program });
            return lines(ts.getPreEmitDiagnostics(changed, changed.getSourceFile(path)));
        },
    };
}
