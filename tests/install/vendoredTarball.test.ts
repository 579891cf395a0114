import { strict as assert } from "node:assert";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { instantiateTemplate, TEMPLATE_DIR, templatePrompts } from "../templates/instantiate";
import { packedPackage } from "../support/packedPackage";
import { assertDeploysPackagesStorage, assertReadmeHas, freshCloneCi, runUnderMocks, sh, useItConfig } from "./consumerRepo";

/*
 * README "Install", first way: the packed tarball committed in the infra repository under
 * vendor/, and "Start from the template", which uses the same vendored tarball. Each ends as
 * a CI runner begins: a fresh clone, `npm ci` with an empty npm cache, a strict compile, and
 * the program run under mocks.
 */
const version = JSON.parse(readFileSync("package.json", "utf8")).version as string;
const TARBALL = `ghes-packages-s3-${version}.tgz`;
const PLACEHOLDER = `/path/to/${TARBALL}`;

describe("install: the tarball committed in the infra repository (npm run test:install)", function () {
    this.timeout(900000);
    let root = "";
    let packed = "";
    before(() => {
        root = mkdtempSync(join(tmpdir(), "ghes-packages-install-"));
        // `npm pack` of this checkout, made once per change of its sources and shared with
        // npm test (tests/support/packedPackage.ts), so the two can run side by side in CI.
        packed = packedPackage().tarball;
        assert.equal(basename(packed), TARBALL);
    });
    after(() => rmSync(root, { recursive: true, force: true }));

    it("an existing infra repository: the README's lines, then npm ci on a fresh clone with an empty cache, compile, mocks", () => {
        const lines = [
            `mkdir -p vendor && cp ${PLACEHOLDER} vendor/`,
            `npm install ./vendor/${TARBALL} @pulumi/pulumi @pulumi/aws`,
            `git add vendor/${TARBALL} package.json package-lock.json`,
        ];
        assertReadmeHas(lines);
        const repo = join(root, "infra");
        mkdirSync(repo);
        sh(repo, "git init -q && npm init -y >/dev/null");
        for (const line of lines) sh(repo, line.split(PLACEHOLDER).join(packed));
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

    it("the template, laid down as pulumi new does (it runs npm install), committed, then npm ci on a fresh clone with an empty cache, compile, mocks", () => {
        const lines = [
            "mkdir ghes-packages && cd ghes-packages && git init",
            `mkdir -p vendor && cp ${PLACEHOLDER} vendor/`,
            "git add -A && git commit -m \"GHES Packages storage\"",
        ];
        assertReadmeHas(lines);
        sh(root, lines[0]);
        const repo = join(root, "ghes-packages");
        sh(repo, lines[1].split(PLACEHOLDER).join(packed));
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
        writeFileSync(join(root, "template-run.json"), JSON.stringify(run));
    });
});
