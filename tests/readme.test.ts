import { strict as assert } from "node:assert";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as ts from "typescript";
import { registered, settle } from "../rehearsal/pulumiMocks";

/*
 * The README's TypeScript snippets are part of the product: each is type-checked with the
 * project's strict options (importing the package by its name) and then run under Pulumi
 * mocks with the stack config a user would set. A snippet that no longer works fails here.
 */
const DIR = resolve("tests/.snippets");

function snippets(): string[] {
    const readme = readFileSync("README.md", "utf8");
    return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
}

describe("README: every TypeScript snippet compiles and runs as written", function () {
    this.timeout(120000);
    const files: string[] = [];
    before(() => {
        rmSync(DIR, { recursive: true, force: true });
        mkdirSync(DIR, { recursive: true });
        snippets().forEach((code, i) => {
            const file = join(DIR, `snippet${i}.ts`);
            writeFileSync(file, code);
            files.push(file);
        });
    });
    after(() => rmSync(DIR, { recursive: true, force: true }));

    it("has snippets", () => assert.ok(files.length >= 1));

    it("type-checks them with the project's strict options", () => {
        const config = ts.readConfigFile("tsconfig.test.json", ts.sys.readFile);
        const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, process.cwd());
        const program = ts.createProgram(files, { ...options, noEmit: true });
        const problems = ts.getPreEmitDiagnostics(program)
            .filter((d) => d.file && files.includes(resolve(d.file.fileName)))
            .map((d) => `${relative(process.cwd(), d.file!.fileName)}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
        assert.deepEqual(problems, []);
    });

    it("runs them under Pulumi mocks with the stack config the README sets", async () => {
        pulumi.runtime.setAllConfig({
            "ghes-packages:ghesHostname": "ghes-readme.example.com",
            "ghes-packages:ghesPassword": "readme-password",
            "ghes-packages:ghesSshHostKeyFingerprint": "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s",
        }, ["ghes-packages:ghesPassword"]);
        const before = registered.length;
        for (const file of files) {
            // At run time the package name resolves to this checkout (the type check used tsconfig paths).
            const runnable = file.replace(/\.ts$/, ".run.ts");
            writeFileSync(runnable, readFileSync(file, "utf8").replace(/from "ghes-packages-s3"/g, `from ${JSON.stringify(relative(DIR, resolve("index")))}`));
            require(runnable); // eslint-disable-line @typescript-eslint/no-require-imports
        }
        await settle();
        const created = registered.slice(before).map((r) => r.type);
        assert.ok(created.includes("ghes-packages-s3:index:PackagesStorage"));
        assert.ok(created.includes("pulumi-nodejs:dynamic/ghes-packages-s3:GhesPackagesSettings"));
    });
});
