import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { packedPackage } from "../support/packedPackage";

/*
 * A platform team's infra repository on a CI runner: commands run as the README writes them,
 * the repository committed, then a fresh clone installed with `npm ci` and an EMPTY npm cache
 * (only what the repository and the registry hold), compiled strictly and run under mocks.
 */
export const GIT_IDENTITY = { GIT_AUTHOR_NAME: "infra", GIT_AUTHOR_EMAIL: "infra@example.com", GIT_COMMITTER_NAME: "infra", GIT_COMMITTER_EMAIL: "infra@example.com" };

const version = JSON.parse(readFileSync("package.json", "utf8")).version as string;
/** The tarball's file name, as the README writes it. */
export const TARBALL = `ghes-packages-s3-${version}.tgz`;
/** Where the README's lines have the tarball's path. */
export const PLACEHOLDER = `/path/to/${TARBALL}`;

/**
 * `npm pack` of this checkout, made once per change of its sources and shared with npm test
 * (tests/support/packedPackage.ts): the install tests run side by side with it in CI, and
 * two builds of dist/ at once would overwrite each other.
 */
export function packedTarball(): string {
    const packed = packedPackage().tarball;
    assert.equal(basename(packed), TARBALL);
    return packed;
}

/** Runs one shell line of the README in `cwd`; returns its standard output. */
export function sh(cwd: string, line: string, env: Record<string, string> = {}): string {
    return execFileSync("bash", ["-euo", "pipefail", "-c", line], {
        cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...GIT_IDENTITY, npm_config_yes: "true", npm_config_fund: "false", npm_config_audit: "false", ...env },
    });
}

/** The README's lines must be there verbatim: the test runs what users read. */
export function assertReadmeHas(lines: string[]): void {
    const readme = readFileSync("README.md", "utf8");
    for (const line of lines) assert.ok(readme.includes(line), `README has the line: ${line}`);
}

export interface FreshInstall {
    dir: string;
    lock: { packages: Record<string, { resolved?: string; version?: string }> };
    seconds: number;
}

/** Clones `repo` into a new directory and runs `npm ci` there with an empty cache. */
export function freshCloneCi(repo: string): FreshInstall {
    const root = mkdtempSync(join(tmpdir(), "ghes-packages-ci-"));
    const dir = join(root, "clone");
    sh(root, `git clone -q ${JSON.stringify(repo)} clone`);
    const cache = join(root, "empty-npm-cache");
    const started = process.hrtime.bigint();
    sh(dir, `npm ci --cache ${JSON.stringify(cache)} --no-audit --no-fund --loglevel=error`);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { dir, lock: JSON.parse(readFileSync(join(dir, "package-lock.json"), "utf8")), seconds };
}

/** Runs the compiled program `main` under the consumer's own @pulumi/pulumi mocks with this stack config. */
export function runUnderMocks(dir: string, main: string, project: string, config: Record<string, string>, secretKeys: string[]): { types: string[]; outputs: Record<string, unknown>; secretOutputs: string[] } {
    writeFileSync(join(dir, "run-under-mocks.js"), `const pulumi = require("@pulumi/pulumi");
const types = [];
pulumi.runtime.setMocks({
    newResource: (a) => {
        types.push(a.type);
        const bucket = a.type === "aws:s3/bucket:Bucket" ? { bucket: a.inputs.bucket ?? a.inputs.bucketPrefix + "00000000", region: a.inputs.region ?? "us-west-2" } : {};
        return { id: a.name + "-id", state: { ...a.inputs, ...bucket, ghesVersion: "3.14.2" } };
    },
    call: (a) => a.inputs,
}, ${JSON.stringify(project)}, "prod", false);
pulumi.runtime.setAllConfig(${JSON.stringify(config)}, ${JSON.stringify(secretKeys)});
const program = require(${JSON.stringify(`./${main}`)});
const names = Object.keys(program);
let result;
Promise.all(names.map((n) => new Promise((resolve) => program[n].apply(resolve)))).then(async (values) => {
    const secret = await Promise.all(names.map((n) => program[n].isSecret));
    result = { outputs: Object.fromEntries(names.map((n, i) => [n, values[i]])), secretOutputs: names.filter((n, i) => secret[i]) };
});
// Every registration has finished when nothing is left to do.
process.once("beforeExit", () => console.log(JSON.stringify({ types, ...result })));
`);
    const out = execFileSync(process.execPath, ["run-under-mocks.js"], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return JSON.parse(out.trim().split("\n").pop()!);
}

/** Stack config of the README's "Use it" program, as `pulumi config set` writes it for `project`. */
export function useItConfig(project: string): { config: Record<string, string>; secretKeys: string[] } {
    return {
        config: {
            "aws:region": "us-west-2",
            [`${project}:ghesHostname`]: "ghes.example.com",
            [`${project}:ghesPassword`]: "install-test-password",
            [`${project}:ghesSshHostKeyFingerprint`]: "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s",
        },
        secretKeys: [`${project}:ghesPassword`],
    };
}

/** Asserts the program registered the component and its GHES resource. */
export function assertDeploysPackagesStorage(run: { types: string[] }): void {
    assert.ok(run.types.includes("ghes-packages-s3:index:PackagesStorage"), run.types.join());
    assert.ok(run.types.includes("pulumi-nodejs:dynamic/ghes-packages-s3:GhesPackagesSettings"), run.types.join());
}

/** A scratch directory and the packed tarball for one install test file, made before and removed after its tests. */
export function installWorkspace(): { root: string; packed: string } {
    const w = { root: "", packed: "" };
    before(() => {
        w.root = mkdtempSync(join(tmpdir(), "ghes-packages-install-"));
        w.packed = packedTarball();
    });
    after(() => rmSync(w.root, { recursive: true, force: true }));
    return w;
}
