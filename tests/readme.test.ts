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
 * Pasted into one program the way the README tells ("paste them below it, leaving out the
 * import lines it already has"), they compile strictly too: no duplicate import, no binding
 * declared twice.
 */
const DIR = resolve("tests/.snippets");
const PASTED = join(DIR, "pasted", "index.ts");

function snippets(readme: string): string[] {
    return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
}

export function pastedTogether(readme: string): string {
    const lines: string[] = [];
    for (const snippet of snippets(readme)) {
        for (const line of snippet.split("\n")) {
            if (line.startsWith("import ") && lines.includes(line)) continue;
            lines.push(line);
        }
    }
    return lines.join("\n");
}

describe("README: the TypeScript snippets", function () {
    this.timeout(120000);
    const files: string[] = [];
    let program: ts.Program | undefined;
    /** One program for the snippets and the pasted file: parsing the declarations they import is most of the work. */
    const compiled = () => {
        const config = ts.readConfigFile("tsconfig.test.json", ts.sys.readFile);
        const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, process.cwd());
        return program ??= ts.createProgram([...files, PASTED], { ...options, noEmit: true });
    };
    /** `file`'s own errors (checking the whole program would type-check this checkout again: npm run typecheck does). */
    const problems = (file: string) => ts.getPreEmitDiagnostics(compiled(), compiled().getSourceFile(file))
        .filter((d) => d.file && resolve(d.file.fileName) === file)
        .map((d) => `${relative(process.cwd(), d.file!.fileName)}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
    before(() => {
        rmSync(DIR, { recursive: true, force: true });
        mkdirSync(join(DIR, "pasted"), { recursive: true });
        const readme = readFileSync("README.md", "utf8");
        snippets(readme).forEach((code, i) => {
            const file = join(DIR, `snippet${i}.ts`);
            writeFileSync(file, code);
            files.push(file);
        });
        writeFileSync(PASTED, pastedTogether(readme));
    });
    after(() => rmSync(DIR, { recursive: true, force: true }));

    describe("README: every TypeScript snippet compiles and runs as written", () => {
        it("has snippets", () => assert.ok(files.length >= 1));

        it("type-checks them with the project's strict options", () => {
            assert.deepEqual(files.flatMap(problems), []);
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

    describe("README: the snippets pasted into one program", () => {
        it("compile strictly together", () => {
            assert.ok((readFileSync(PASTED, "utf8").match(/new PackagesStorage\(/g) ?? []).length >= 2, "more than one snippet is pasted");
            assert.deepEqual(problems(PASTED), []);
        });
    });
});
