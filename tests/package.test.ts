import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { packedPackage } from "./support/packedPackage";

describe("package: what npm pack ships", function () {
    this.timeout(120000);
    let files: string[] = [];
    before(() => {
        // The tarball `npm pack` made, `prepare` (the TypeScript build) included: what users get.
        files = packedPackage().files;
    });

    it("ships compiled JavaScript and type declarations for the public surface and the provider", () => {
        for (const f of ["dist/index.js", "dist/index.d.ts", "dist/components/packagesStorage.js", "dist/components/packagesStorage.d.ts",
            "dist/provider/ghesSettingsProvider.js", "dist/provider/serializableProvider.js", "dist/policies/identityPolicy.js", "dist/ghes/manageClient.js",
            "README.md", "CHANGELOG.md", "LICENSE", "package.json"]) {
            assert.ok(files.includes(f), `${f} is in the tarball`);
        }
    });

    it("ships the policy pack as the Pulumi CLI loads it: PulumiPolicy.yaml, package.json (the version PolicyPack reads) and the compiled entry point in one folder", () => {
        for (const f of ["dist/policypack/PulumiPolicy.yaml", "dist/policypack/package.json", "dist/policypack/index.js", "dist/policypack/packPolicies.js",
            "dist/policypack/ghesSettingsPolicies.js", "dist/policypack/bucketPolicies.js", "dist/policypack/identityPolicies.js", "dist/policies/grantCheck.js"]) {
            assert.ok(files.includes(f), `${f} is in the tarball`);
        }
        const pkg = JSON.parse(readFileSync("package.json", "utf8"));
        assert.equal(JSON.parse(readFileSync("policypack/package.json", "utf8")).version, pkg.version, "a release bumps the pack's version with the package's");
        assert.equal(pkg.exports["./policypack"], "./dist/policypack/index.js", "a published wrapper pack requires it by name");
    });

    it("ships the build of today's sources and nothing else in dist/ (a removed source's leftover output fails here: rm -rf dist)", () => {
        // The sources, as git knows them (tracked, or new and not ignored), in the folders tsconfig.json compiles.
        const sources = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "--", "index.ts",
            ...["components", "policies", "provider", "ghes", "storage", "validation", "policypack"].map((d) => `${d}/*.ts`)], { encoding: "utf8" })
            .split("\n").filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"));
        const expected = sources.flatMap((f) => [`dist/${f.replace(/\.ts$/, ".js")}`, `dist/${f.replace(/\.ts$/, ".d.ts")}`])
            .filter((f) => f !== "dist/provider/ghesSettingsProvider.d.ts") // the state-contract file ships no declaration
            .concat("dist/policypack/PulumiPolicy.yaml", "dist/policypack/package.json");
        assert.ok(sources.length > 40, `${sources.length} sources`);
        assert.deepEqual(files.filter((f) => f.startsWith("dist/")).sort(), [...new Set(expected)].sort());
    });

    it("ships no tests, simulator, scripts or TypeScript sources", () => {
        const unwanted = files.filter((f) => /^tests\/|^dist\/tests\/|^dist\/rehearsal\/|^rehearsal\/|^scripts\/|^stack\/|(?<!\.d)\.ts$/.test(f));
        assert.deepEqual(unwanted, []);
    });

    it("keeps @pulumi/pulumi and @pulumi/aws as peer dependencies only (a second copy breaks user programs)", () => {
        const pkg = JSON.parse(readFileSync("package.json", "utf8"));
        for (const p of ["@pulumi/pulumi", "@pulumi/aws"]) {
            assert.ok(pkg.peerDependencies[p], `${p} is a peer dependency`);
            assert.equal(pkg.dependencies[p], undefined, `${p} is not a dependency`);
        }
        assert.equal(pkg.dependencies["@cloud-copilot/iam-simulate"], undefined, "the AGPL evaluator stays a dev dependency");
    });

    it("declares @pulumi/policy as an optional peer whose floor is true: the policy pack needs it, the components do not", () => {
        const pkg = JSON.parse(readFileSync("package.json", "utf8"));
        assert.equal(pkg.peerDependencies["@pulumi/policy"], "^1.20.0", "PolicyPackArgs.description arrived in 1.20 (the oldest served release with it; 1.16-1.19 are not on the registry)");
        assert.deepEqual(pkg.peerDependenciesMeta["@pulumi/policy"], { optional: true });
        assert.equal(pkg.dependencies["@pulumi/policy"], undefined);
        assert.match(pkg.devDependencies["@pulumi/policy"], /^\d+\.\d+\.\d+$/, "pinned for the tests");
    });

    it("resolves the provider implementation by the package name the serialized provider asks for", () => {
        const pkg = JSON.parse(readFileSync("package.json", "utf8"));
        const source = readFileSync("provider/serializableProvider.ts", "utf8");
        assert.ok(source.includes(`"${pkg.name}/dist/provider/ghesSettingsProvider"`));
        assert.ok(files.includes("dist/provider/ghesSettingsProvider.js"));
        assert.equal(pkg.exports["./dist/provider/ghesSettingsProvider"], "./dist/provider/ghesSettingsProvider.js", "the exports map keeps the path stacks store");
    });

    it("declares peer ranges whose floor is true, and installs from git (prepare builds)", () => {
        const pkg = JSON.parse(readFileSync("package.json", "utf8"));
        assert.equal(pkg.peerDependencies["@pulumi/pulumi"], "^3.216.0", "replacementTrigger (3.212) and ReadResult.inputs (3.216)");
        assert.equal(pkg.scripts.prepare, "npm run build");
        for (const [name, range] of Object.entries(pkg.dependencies)) assert.match(String(range), /^\^/, `${name} takes fixes`);
    });
});
