import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/*
 * The packages that `names` need at run time, as this checkout's node_modules holds them: each
 * of `names` and, transitively, its dependencies, optional dependencies and peers, found as Node
 * finds them (the nearest node_modules up the tree). Paths relative to `root`, sorted.
 */
export function dependencyClosure(root: string, names: readonly string[]): string[] {
    const picked = new Set<string>();
    const visit = (rel: string) => {
        if (picked.has(rel)) return;
        picked.add(rel);
        const pkg = JSON.parse(readFileSync(join(root, rel, "package.json"), "utf8")) as Record<string, Record<string, string> | undefined>;
        for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.peerDependencies })) {
            const found = resolveFrom(root, rel, dep);
            if (found) visit(found); // an optional dependency this platform skipped, or a peer nobody installed
        }
    };
    for (const name of names) {
        const rel = join("node_modules", name);
        if (!existsSync(join(root, rel, "package.json"))) throw new Error(`${name} is not installed in ${root}/node_modules`);
        visit(rel);
    }
    return [...picked].sort();
}

/** Where Node finds package `name` required from the package at `from` (relative to `root`): its own node_modules, then each enclosing package's, then the root's. */
function resolveFrom(root: string, from: string, name: string): string | undefined {
    for (let dir = from; ;) {
        const candidate = join(dir, "node_modules", name);
        if (existsSync(join(root, candidate, "package.json"))) return candidate;
        if (dir === "") return undefined;
        const i = dir.lastIndexOf("/node_modules/");
        dir = i < 0 ? "" : dir.slice(0, i);
    }
}

/**
 * Lays the closure of `names` out in `to` as hard links to this checkout's files (GNU `cp -al`:
 * seconds and no disk space, where npm would unpack ~250 tarballs). Nothing is ever written
 * through those links: npm replaces a package it changes (new files) and unlinks one it removes.
 */
export function linkDependencyClosure(root: string, to: string, names: readonly string[]): number {
    const closure = dependencyClosure(root, names);
    // A package inside another's node_modules comes with that package's folder.
    const outermost = closure.filter((p) => !closure.some((q) => p.startsWith(`${q}/node_modules/`)));
    for (const p of outermost) mkdirSync(dirname(join(to, p)), { recursive: true });
    execFileSync("sh", ["-c", 'cd "$1" && to=$2 && shift 2 && for p; do cp -al "$p" "$to/$p" || exit 1; done', "sh", root, to, ...outermost], { stdio: ["ignore", "pipe", "pipe"] });
    return closure.length;
}
