import { strict as assert } from "node:assert";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { load } from "js-yaml";
import { instantiateTemplate, TEMPLATE_DIR, templatePrompts } from "./instantiate";

/*
 * The `pulumi new` template: what it lays down, and that its parts agree with each other and
 * with the README. Installing it for real (vendored tarball, lockfile, `npm ci` on an empty
 * cache in a fresh clone, strict compile, mocks) is `npm run test:install`
 * (tests/install/vendoredTarball.test.ts).
 */
const pkg = JSON.parse(readFileSync("package.json", "utf8"));
const read = (file: string) => readFileSync(join(TEMPLATE_DIR, file), "utf8");

function useItSnippet(): string {
    const readme = readFileSync("README.md", "utf8");
    const section = readme.slice(readme.indexOf("\n## Use it"));
    return /```ts\n([\s\S]*?)```/.exec(section)![1];
}

describe("templates/ghes-packages: a pulumi new template", () => {
    it("holds Pulumi.yaml, index.ts, package.json, a strict tsconfig.json, .gitignore and the deploy workflow", () => {
        const files = readdirSync(TEMPLATE_DIR, { recursive: true }).map(String).sort();
        assert.deepEqual(files, [".github", ".github/workflows", ".github/workflows/ghes-packages.yml", ".gitignore", "Pulumi.yaml", "index.ts", "package.json", "tsconfig.json"]);
        assert.equal(JSON.parse(read("tsconfig.json")).compilerOptions.strict, true);
        assert.deepEqual(read(".gitignore").split("\n").filter(Boolean), ["/bin/", "/node_modules/"], "the vendored tarball is not ignored");
    });

    it("is the README's \"Use it\" program, word for word", () => {
        assert.equal(read("index.ts"), useItSnippet());
    });

    it("installs the package from the tarball vendored in the project (README, \"Install\"), this version", () => {
        const deps = JSON.parse(read("package.json")).dependencies;
        assert.equal(deps["ghes-packages-s3"], `file:vendor/ghes-packages-s3-${pkg.version}.tgz`);
        assert.equal(deps["@pulumi/pulumi"], pkg.peerDependencies["@pulumi/pulumi"]);
        assert.equal(deps["@pulumi/aws"], pkg.peerDependencies["@pulumi/aws"]);
    });

    it("prompts for every config key the program requires, the password as a secret", () => {
        const prompts = templatePrompts();
        const required = [...read("index.ts").matchAll(/cfg\.(require|requireSecret)\("([^"]+)"\)/g)].map((m) => ({ key: m[2], secret: m[1] === "requireSecret" }));
        assert.ok(required.length >= 3);
        for (const { key, secret } of required) {
            assert.ok(prompts[key], `prompt for ${key}`);
            assert.equal(prompts[key].secret === true, secret, `${key} secret: ${secret}`);
        }
        assert.equal(prompts["aws:region"].default, "us-west-2");
    });

    it("lays down as pulumi new does: the project's name everywhere, no template section left", () => {
        const dir = mkdtempSync(join(tmpdir(), "ghes-packages-template-"));
        try {
            instantiateTemplate(dir, { project: "acme-ghes", description: "acme's GHES Packages storage" });
            const project = load(readFileSync(join(dir, "Pulumi.yaml"), "utf8")) as Record<string, unknown>;
            assert.deepEqual(project, { name: "acme-ghes", description: "acme's GHES Packages storage", runtime: "nodejs" });
            assert.equal(JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name, "acme-ghes");
            const workflow = readFileSync(join(dir, ".github", "workflows", "ghes-packages.yml"), "utf8");
            assert.ok(workflow.includes("/acme-ghes/prod"));
            for (const f of ["Pulumi.yaml", "package.json", "index.ts", ".github/workflows/ghes-packages.yml"]) {
                assert.doesNotMatch(readFileSync(join(dir, f), "utf8"), /\$\{(PROJECT|DESCRIPTION)\}/, f);
            }
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
