import { strict as assert } from "node:assert";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import * as ts from "typescript";

/*
 * The README's TypeScript snippets pasted into one program the way the README tells ("paste
 * them below it, leaving out the import lines it already has") compile strictly: no duplicate
 * import, no binding declared twice. Each snippet alone is checked by tests/readme.test.ts.
 */
const DIR = resolve("tests/.snippets-program");

export function pastedTogether(readme: string): string {
    const snippets = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
    const lines: string[] = [];
    for (const snippet of snippets) {
        for (const line of snippet.split("\n")) {
            if (line.startsWith("import ") && lines.includes(line)) continue;
            lines.push(line);
        }
    }
    return lines.join("\n");
}

describe("README: the snippets pasted into one program", function () {
    this.timeout(120000);
    before(() => mkdirSync(DIR, { recursive: true }));
    after(() => rmSync(DIR, { recursive: true, force: true }));

    it("compile strictly together", () => {
        const program = pastedTogether(readFileSync("README.md", "utf8"));
        assert.ok((program.match(/new PackagesStorage\(/g) ?? []).length >= 2, "more than one snippet is pasted");
        const file = join(DIR, "index.ts");
        writeFileSync(file, program);
        const config = ts.readConfigFile("tsconfig.test.json", ts.sys.readFile);
        const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, process.cwd());
        const diagnostics = ts.getPreEmitDiagnostics(ts.createProgram([file], { ...options, noEmit: true }))
            .filter((d) => d.file && resolve(d.file.fileName) === file)
            .map((d) => `${relative(process.cwd(), d.file!.fileName)}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
        assert.deepEqual(diagnostics, []);
    });
});
