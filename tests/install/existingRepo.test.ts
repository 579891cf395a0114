import { strict as assert } from "node:assert";
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { TEMPLATE_DIR } from "../templates/instantiate";
import { assertDeploysPackagesStorage, assertReadmeHas, freshCloneCi, installWorkspace, PLACEHOLDER, runUnderMocks, sh, TARBALL, useItConfig } from "./consumerRepo";

/*
 * README "Install", first way: the packed tarball committed in an existing infra repository
 * under vendor/. It ends as a CI runner begins: a fresh clone, `npm ci` with an empty npm
 * cache, a strict compile, and the program run under mocks. (A file of its own so that
 * `npm run test:install -- --parallel` runs it beside the template and the git tag.)
 */
describe("install: the tarball committed in an existing infra repository (npm run test:install)", function () {
    this.timeout(900000);
    const w = installWorkspace();

    it("an existing infra repository: the README's lines, then npm ci on a fresh clone with an empty cache, compile, mocks", () => {
        const lines = [
            `mkdir -p vendor && cp ${PLACEHOLDER} vendor/`,
            `npm install ./vendor/${TARBALL} @pulumi/pulumi @pulumi/aws`,
            `git add vendor/${TARBALL} package.json package-lock.json`,
        ];
        assertReadmeHas(lines);
        const repo = join(w.root, "infra");
        mkdirSync(repo);
        sh(repo, "git init -q && npm init -y >/dev/null");
        for (const line of lines) sh(repo, line.split(PLACEHOLDER).join(w.packed));
        // The team's program: the README's "Use it" snippet (the template's index.ts is that snippet, word for word).
        copyFileSync(join(TEMPLATE_DIR, "index.ts"), join(repo, "index.ts"));
        copyFileSync(join(TEMPLATE_DIR, "tsconfig.json"), join(repo, "tsconfig.json"));
        sh(repo, "npm install --save-dev typescript@~5.9.3 @types/node@22 --loglevel=error");
        sh(repo, "git add index.ts tsconfig.json package.json package-lock.json && git commit -qm 'GHES Packages storage'");

        const manifest = JSON.parse(readFileSync(join(repo, "package.json"), "utf8"));
        assert.equal(manifest.dependencies["ghes-packages-s3"], `file:vendor/${TARBALL}`, "package.json names the vendored file, relative");

        const ci = freshCloneCi(repo);
        console.log(`      npm ci, empty cache: ${ci.seconds.toFixed(0)} s`);
        assert.equal(ci.lock.packages["node_modules/ghes-packages-s3"].resolved, `file:vendor/${TARBALL}`, "the lockfile records the path inside the repository");
        sh(ci.dir, "npx tsc -p .");
        const { config, secretKeys } = useItConfig("infra");
        const run = runUnderMocks(ci.dir, "bin/index.js", "infra", config, secretKeys);
        assertDeploysPackagesStorage(run);
        assert.deepEqual(run.outputs, { bucket: "ghes-prod-packages-00000000", serviceUrl: "https://s3.us-west-2.amazonaws.com" });
    });
});
