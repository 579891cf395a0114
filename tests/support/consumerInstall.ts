import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { linkDependencyClosure } from "./dependencyClosure";
import { makeInBackground, withDirLock } from "./sharedMakers";

/*
 * A fresh consumer program with the packed package installed as a user installs it: `npm install`
 * of the tarball next to the user's own @pulumi/pulumi, @pulumi/aws, typescript and @types/node
 * (the versions this run's node_modules holds: the lockfile's, or those a CI leg put there).
 *
 * Installing those ~250 packages is the same work every run while their versions stay the same,
 * so it is done once per versions into a cache (CONSUMER_CACHE), with the package's own
 * dependencies, and without the package (npm installs it over hard links to the same versions
 * in this checkout, below). Each consumer starts from a hard-linked copy of that
 * tree, and `npm install` adds the tarball to it for real: npm resolves, unpacks and links the
 * package and finds every dependency and peer already where a fresh install puts it.
 */
// Outside node_modules, so `npm ci` keeps it: the key names the versions a tree holds, and a
// tree for other versions is removed when one is made (below).
export const CONSUMER_CACHE = resolve(".test-cache/consumer");
const LOCK = `${CONSUMER_CACHE}.lock`;
const NPM_QUIET = ["--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"];

const installedVersion = (pkg: string) => JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), "utf8")).version as string;

/** The user's package.json besides the package itself: exact versions, as this run has them. */
function userDependencies(): { dependencies: Record<string, string>; devDependencies: Record<string, string> } {
    return {
        dependencies: { "@pulumi/pulumi": installedVersion("@pulumi/pulumi"), "@pulumi/aws": installedVersion("@pulumi/aws") },
        devDependencies: { typescript: installedVersion("typescript"), "@types/node": installedVersion("@types/node") },
    };
}

/**
 * What the cached tree depends on: the user's versions, what the package declares, the Node that
 * installs and runs it. (Not the npm version: the run's own `npm install` brings the tree to what
 * its npm makes of it.)
 */
function cacheKey(): string {
    const pkg = JSON.parse(readFileSync("package.json", "utf8"));
    const inputs = { node: process.version, platform: process.platform, arch: process.arch, user: userDependencies(),
        dependencies: pkg.dependencies, peerDependencies: pkg.peerDependencies, peerDependenciesMeta: pkg.peerDependenciesMeta };
    return createHash("sha256").update(JSON.stringify(inputs)).digest("hex").slice(0, 16);
}

/** The cached dependency tree for this run's versions (made now if there is none): its directory. */
export function consumerDependencies(): string {
    const key = cacheKey();
    const dir = join(CONSUMER_CACHE, key);
    const ready = () => existsSync(join(dir, "complete"));
    if (ready()) return dir;
    mkdirSync(CONSUMER_CACHE, { recursive: true });
    return withDirLock(LOCK, () => {
        if (ready()) return dir;
        // One tree at a time: another key's tree is another run's versions (a CI leg before this one).
        for (const old of readdirSync(CONSUMER_CACHE)) rmSync(join(CONSUMER_CACHE, old), { recursive: true, force: true });
        const making = `${dir}.making`;
        mkdirSync(making, { recursive: true });
        const { dependencies, devDependencies } = userDependencies();
        const own = JSON.parse(readFileSync("package.json", "utf8")).dependencies as Record<string, string>;
        writeFileSync(join(making, "package.json"), JSON.stringify({ name: "consumer-dependencies", private: true, dependencies: { ...own, ...dependencies }, devDependencies }, null, 2));
        // Laid out first from this checkout's node_modules, which holds these very versions
        // (hard links: 1 CPU-s where unpacking them takes 12); npm install then makes of it the
        // tree it would make (it replaced 13 and removed 16 of 272 packages, on the lockfile's
        // versions). Without GNU cp or hard links, npm installs everything itself.
        try {
            linkDependencyClosure(process.cwd(), making, [...Object.keys({ ...own, ...dependencies }), ...Object.keys(devDependencies)]);
        } catch {
            rmSync(join(making, "node_modules"), { recursive: true, force: true });
        }
        execFileSync("npm", ["install", ...NPM_QUIET], { cwd: making, stdio: ["ignore", "pipe", "pipe"] });
        renameSync(making, dir);
        writeFileSync(join(dir, "complete"), "");
        return dir;
    });
}

/** Makes the cached dependency tree in a child process, while other test files run (tests/support/runChecks.ts). */
export function startInstallingConsumerDependencies(): void {
    makeInBackground(__filename, "consumerDependencies");
}

/**
 * Lays a consumer program out in `dir` (empty, outside this checkout, so nothing resolves from
 * here) and installs `tarball` into it with npm: package.json as a user writes it, then
 * `npm install`. Files npm rewrites are real copies, so the cache is never written through a link.
 */
export function installConsumer(dir: string, tarball: string): void {
    const cached = consumerDependencies();
    try {
        execFileSync("cp", ["-al", join(cached, "node_modules"), join(dir, "node_modules")], { stdio: ["ignore", "pipe", "pipe"] });
    } catch {
        // Another file system (no hard links) or no GNU cp: a plain copy.
        rmSync(join(dir, "node_modules"), { recursive: true, force: true });
        cpSync(join(cached, "node_modules"), join(dir, "node_modules"), { recursive: true, verbatimSymlinks: true });
    }
    const hiddenLock = join(dir, "node_modules", ".package-lock.json");
    unlinkSync(hiddenLock);
    copyFileSync(join(cached, "node_modules", ".package-lock.json"), hiddenLock);
    copyFileSync(join(cached, "package-lock.json"), join(dir, "package-lock.json"));
    const packed = basename(tarball);
    copyFileSync(tarball, join(dir, packed));
    const { dependencies, devDependencies } = userDependencies();
    writeFileSync(join(dir, "package.json"), JSON.stringify({
        name: "consumer", private: true, dependencies: { "ghes-packages-s3": `file:./${packed}`, ...dependencies }, devDependencies,
    }, null, 2));
    execFileSync("npm", ["install", ...NPM_QUIET], { cwd: dir, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, npm_config_yes: "true" } });
}
