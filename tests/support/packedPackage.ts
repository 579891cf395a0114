import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import type * as TS from "typescript";
import { makeInBackground, withDirLock } from "./sharedMakers";

/*
 * The package as `npm pack` makes it (the `prepare` script builds dist/), made once per
 * change of its inputs and shared by every test that needs it (tests/package.test.ts, the
 * consumer test): two test files packing at the same time would rebuild dist/ under each
 * other. `npm test` makes it before the workers start (tests/support/runChecks.ts); a single
 * test file run alone makes it on first use. A lock directory keeps concurrent makers apart.
 */
export const PACK_DIR = resolve(".test-pack");
const LOCK = `${PACK_DIR}.lock`;
/** The folders and files the build compiles (tsconfig.json), copies and ships (package.json "files"). */
function sources(): string[] {
    const tsconfig = JSON.parse(readFileSync("tsconfig.json", "utf8")) as { files?: string[]; include?: string[] };
    const folders = (tsconfig.include ?? []).map((pattern) => pattern.split("/")[0]);
    return [...new Set([...(tsconfig.files ?? []), ...folders, "package.json", "tsconfig.json", "README.md", "CHANGELOG.md", "LICENSE"])];
}

export interface PackedPackage {
    /** Absolute path of the tarball. */
    tarball: string;
    /** Paths inside the tarball, as `npm pack --json` lists them. */
    files: string[];
}

/**
 * What the tarball is made of: the sources it compiles and ships, and the compiler that builds
 * it. Not the Node or @pulumi/* versions of the run: users install the one tarball next to
 * theirs, so the CI legs that change those test the tarball the first leg made.
 */
function inputsHash(): string {
    const h = createHash("sha256");
    const add = (p: string) => {
        if (!existsSync(p)) return;
        if (statSync(p).isDirectory()) {
            for (const f of readdirSync(p).sort()) add(join(p, f));
            return;
        }
        h.update(p).update("\0").update(readFileSync(p)).update("\0");
    };
    sources().forEach(add);
    add(join("node_modules", "typescript", "package.json"));
    return h.digest("hex");
}

/**
 * Whether dist/ holds the build of the current sources: every output the build writes (each
 * compiled file's .js and .d.ts, the policy pack's copied files) exists and is newer than every
 * input (the compiled files, the configs, the compiler). A missing or older output: build.
 */
export function builtAlready(root = process.cwd()): boolean {
    // Loaded here, not at the top: every test process loads this file, few pack (0.2 CPU-s each).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ts = require("typescript") as typeof TS;
    const compiled = ts.getParsedCommandLineOfConfigFile(join(root, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
    if (!compiled || compiled.errors.length) return false;
    const sourceFiles = compiled.fileNames.map((f) => relative(root, f));
    const copied = ["policypack/PulumiPolicy.yaml", "policypack/package.json"];
    const inputs = [...sourceFiles, ...copied, "tsconfig.json", "package.json", join("node_modules", "typescript", "package.json")];
    const outputs = [...sourceFiles.flatMap((f) => [join("dist", f.replace(/\.ts$/, ".js")), join("dist", f.replace(/\.ts$/, ".d.ts"))]), ...copied.map((f) => join("dist", f))];
    const mtime = (f: string) => (existsSync(join(root, f)) ? statSync(join(root, f)).mtimeMs : undefined);
    const outputTimes = outputs.map(mtime);
    if (outputTimes.some((t) => t === undefined)) return false;
    return Math.min(...(outputTimes as number[])) >= Math.max(...inputs.map((f) => mtime(f) ?? Infinity));
}

function readStamp(): (PackedPackage & { inputs: string }) | undefined {
    try {
        const stamp = JSON.parse(readFileSync(join(PACK_DIR, "stamp.json"), "utf8"));
        return existsSync(stamp.tarball) ? stamp : undefined;
    } catch {
        return undefined;
    }
}

/** The packed package for the current sources: made now if none is, or if its inputs changed. */
export function packedPackage(): PackedPackage {
    const inputs = inputsHash();
    const ready = readStamp();
    if (ready?.inputs === inputs) return ready;
    return withDirLock(LOCK, () => {
        const again = readStamp();
        if (again?.inputs === inputs) return again;
        rmSync(PACK_DIR, { recursive: true, force: true });
        mkdirSync(PACK_DIR, { recursive: true });
        // `npm pack` runs `prepare` (the TypeScript build), unless dist/ is already the build of
        // these sources: `npm ci` ran `prepare` in a fresh checkout a moment ago.
        const build = builtAlready() ? ["--ignore-scripts"] : [];
        const [packed] = JSON.parse(execFileSync("npm", ["pack", "--json", ...build, "--pack-destination", PACK_DIR, "--loglevel=error"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
        const made = { inputs, tarball: join(PACK_DIR, packed.filename), files: (packed.files as { path: string }[]).map((f) => f.path) };
        writeFileSync(join(PACK_DIR, "stamp.json"), JSON.stringify(made, null, 2));
        return made;
    });
}

/** Makes the packed package in a child process, while other test files run (tests/support/runChecks.ts). */
export function startPacking(): void {
    makeInBackground(__filename, "packedPackage");
}
