import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
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

/** Compiled files in dist/ whose source is gone. */
export function leftoverOutputs(dist = "dist"): string[] {
    const walk = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir, { withFileTypes: true }) : [])
        .flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
    return walk(dist).filter((f) => /\.(?:js|d\.ts)$/.test(f) && !existsSync(join(dirname(dist), f.slice(dist.length + 1).replace(/\.(?:js|d\.ts)$/, ".ts"))));
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
    // A tarball packed from a dist/ with leftovers (below) holds them too: made again.
    const current = (made: ReturnType<typeof readStamp>) => (made?.inputs === inputs && !leftoverOutputs().length ? made : undefined);
    const ready = current(readStamp());
    if (ready) return ready;
    return withDirLock(LOCK, () => {
        const again = current(readStamp());
        if (again) return again;
        rmSync(PACK_DIR, { recursive: true, force: true });
        mkdirSync(PACK_DIR, { recursive: true });
        // tsc never removes the output of a source that is gone (renamed, deleted): such a dist/
        // is built again from nothing, or the tarball would ship it (tests/package.test.ts).
        if (leftoverOutputs().length) rmSync("dist", { recursive: true, force: true });
        // `npm pack` runs `prepare` (the TypeScript build). The build is incremental (its record,
        // dist/tsconfig.tsbuildinfo, holds a hash of each source's content): right after `npm ci`
        // built dist/, it checks and writes nothing new (3.8 CPU-s instead of 6.7).
        const [packed] = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", PACK_DIR, "--loglevel=error"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
        const made = { inputs, tarball: join(PACK_DIR, packed.filename), files: (packed.files as { path: string }[]).map((f) => f.path) };
        writeFileSync(join(PACK_DIR, "stamp.json"), JSON.stringify(made, null, 2));
        return made;
    });
}

/** Makes the packed package in a child process, while other test files run (tests/support/runChecks.ts). */
export function startPacking(): void {
    makeInBackground(__filename, "packedPackage");
}
