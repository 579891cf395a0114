import { strict as assert } from "node:assert";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { TEMPLATE_DIR } from "../templates/instantiate";
import { assertDeploysPackagesStorage, assertReadmeHas, freshCloneCi, runUnderMocks, sh, useItConfig } from "./consumerRepo";

/*
 * README "Install", second way: a git tag made by `npm run release:tag`, installed by URL. The
 * git host is a local bare repository (`git clone --bare`, a file:// URL): the same clone npm
 * does over https, without a network. The tag must install without a build (no dev
 * dependencies, no prepare) and survive `npm ci` in a fresh clone with an empty npm cache.
 */
const version = JSON.parse(readFileSync("package.json", "utf8")).version as string;
const TAG = `v${version}`;
const URL_PLACEHOLDER = `git+https://<your git host>/<org>/ghes-packages-s3.git#${TAG}`;

describe("install: a git tag carrying the built package (npm run test:install)", function () {
    this.timeout(900000);
    let root = "";
    before(() => { root = mkdtempSync(join(tmpdir(), "ghes-packages-git-")); });
    after(() => rmSync(root, { recursive: true, force: true }));

    it("release:tag, then the README's install line, committed, npm ci on a fresh clone with an empty cache, compile, mocks", () => {
        const release = "npm ci && npm run release:tag && git push origin " + TAG;
        const install = `npm install "${URL_PLACEHOLDER}" @pulumi/pulumi @pulumi/aws`;
        assertReadmeHas([release, install]);

        // The maintainers' side, in a clone of this commit (this checkout's node_modules stand in for `npm ci`).
        sh(root, `git clone -q ${JSON.stringify(resolve("."))} source && git clone -q --bare source host.git`);
        const source = join(root, "source");
        symlinkSync(resolve("node_modules"), join(source, "node_modules"), "dir");
        sh(source, "npm run release:tag --silent");
        sh(source, `git remote set-url origin ${JSON.stringify(join(root, "host.git"))} && git push -q origin ${TAG}`);
        const tagged = JSON.parse(sh(source, `git show ${TAG}:package.json`));
        assert.equal(tagged.scripts, undefined, "no prepare or build: npm installs the tag without dev dependencies");
        assert.equal(tagged.devDependencies, undefined);
        assert.ok(sh(source, `git ls-tree -r --name-only ${TAG} dist`).includes("dist/index.js"), "the tag carries dist/");
        assert.ok(!sh(source, `git ls-tree -r --name-only ${TAG} dist`).includes("tsbuildinfo"), "and not the build's record of source hashes");
        assert.equal(sh(source, "git status --porcelain --untracked-files=no"), "", "the checkout's files and index are untouched");

        // The team's side.
        const repo = join(root, "infra");
        mkdirSync(repo);
        sh(repo, "git init -q && npm init -y >/dev/null");
        const started = process.hrtime.bigint();
        sh(repo, install.replace(URL_PLACEHOLDER, `git+file://${join(root, "host.git")}#${TAG}`) + " --loglevel=error");
        console.log(`      npm install from the tag: ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(0)} s`);
        const installed = join(repo, "node_modules", "ghes-packages-s3");
        assert.ok(existsSync(join(installed, "dist", "index.js")));
        assert.ok(!existsSync(join(repo, "node_modules", "typescript")) && !existsSync(join(repo, "node_modules", "mocha")), "no dev dependency of the package was installed");
        sh(repo, `cp ${JSON.stringify(resolve(TEMPLATE_DIR, "index.ts"))} ${JSON.stringify(resolve(TEMPLATE_DIR, "tsconfig.json"))} .`);
        sh(repo, "npm install --save-dev typescript@~5.9.3 @types/node@22 --loglevel=error");
        sh(repo, "git add index.ts tsconfig.json package.json package-lock.json && git commit -qm 'GHES Packages storage'");

        const ci = freshCloneCi(repo);
        console.log(`      npm ci, empty cache: ${ci.seconds.toFixed(0)} s`);
        const tagCommit = sh(source, `git rev-parse ${TAG}^{commit}`).trim();
        assert.equal(ci.lock.packages["node_modules/ghes-packages-s3"].resolved, `git+file://${join(root, "host.git")}#${tagCommit}`, "the lockfile pins the tag's commit");
        sh(ci.dir, "npx tsc -p .");
        const { config, secretKeys } = useItConfig("infra");
        assertDeploysPackagesStorage(runUnderMocks(ci.dir, "bin/index.js", "infra", config, secretKeys));
    });
});
