import { strict as assert } from "node:assert";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { instantiateTemplate, templatePrompts } from "../templates/instantiate";
import { assertDeploysPackagesStorage, assertReadmeHas, freshCloneCi, installWorkspace, PLACEHOLDER, runUnderMocks, sh, TARBALL, useItConfig } from "./consumerRepo";

/*
 * README "Start from the template", which uses the vendored tarball of "Install", first way
 * (an existing repository: tests/install/existingRepo.test.ts). It ends as a CI runner
 * begins: a fresh clone, `npm ci` with an empty npm cache, a strict compile, and the program
 * run under mocks.
 */
describe("install: the tarball committed in the infra repository (npm run test:install)", function () {
    this.timeout(900000);
    const w = installWorkspace();

    it("the template, laid down as pulumi new does (it runs npm install), committed, then npm ci on a fresh clone with an empty cache, compile, mocks", () => {
        const lines = [
            "mkdir ghes-packages && cd ghes-packages && git init",
            `mkdir -p vendor && cp ${PLACEHOLDER} vendor/`,
            "git add -A && git commit -m \"GHES Packages storage\"",
        ];
        assertReadmeHas(lines);
        sh(w.root, lines[0]);
        const repo = join(w.root, "ghes-packages");
        sh(repo, lines[1].split(PLACEHOLDER).join(w.packed));
        // `pulumi new <template> --force`: the files with ${PROJECT}/${DESCRIPTION} replaced, then npm install.
        instantiateTemplate(repo, { project: "ghes-packages", description: "GitHub Packages storage of our appliance" });
        sh(repo, "npm install --loglevel=error");
        sh(repo, lines[2]);
        assert.equal(sh(repo, "git status --porcelain"), "", "nothing left untracked (bin/ and node_modules/ are ignored)");

        const ci = freshCloneCi(repo);
        console.log(`      npm ci, empty cache: ${ci.seconds.toFixed(0)} s`);
        assert.equal(ci.lock.packages["node_modules/ghes-packages-s3"].resolved, `file:vendor/${TARBALL}`);
        sh(ci.dir, "npx tsc -p .");
        // The prompts' answers are the stack's config.
        const prompts = templatePrompts();
        const { config, secretKeys } = useItConfig("ghes-packages");
        for (const key of Object.keys(prompts)) assert.ok(config[key.includes(":") ? key : `ghes-packages:${key}`] !== undefined, `config for prompt ${key}`);
        const run = runUnderMocks(ci.dir, "bin/index.js", "ghes-packages", config, secretKeys);
        assertDeploysPackagesStorage(run);
        writeFileSync(join(w.root, "template-run.json"), JSON.stringify(run));
    });
});
