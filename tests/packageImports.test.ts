import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import * as ts from "typescript";

/*
 * What a consumer can import. The public surface is the package root; `ghes-packages-s3/dist/...`
 * is an implementation detail, so a deep import must fail at compile time (not at run time)
 * under both TypeScript settings `pulumi new` has written: `moduleResolution: node` (node10,
 * the typescript template until March 2026) and `nodenext` (since). The one deep path that
 * must keep working is the state contract: the serialized provider in every stack's state
 * `require`s `ghes-packages-s3/dist/provider/ghesSettingsProvider` at run time.
 *
 * The installed layout is this repository's real package.json beside stub declaration and
 * JavaScript files, so the test exercises the package's resolution metadata only. The
 * contract path ships no declaration (package.json "files"), so under nodenext, where the
 * exports map must list it, a strict program cannot import it either (TS7016).
 */
const STUBS: Record<string, string> = {
    "dist/index.d.ts": "export declare const surface: string;\n",
    "dist/index.js": "exports.surface = \"root\";\n",
    "dist/components/packagesStorage.d.ts": "export declare const deep: string;\n",
    "dist/components/packagesStorage.js": "exports.deep = \"deep\";\n",
    "dist/provider/ghesSettingsProvider.js": "exports.makeGhesSettingsProvider = () => \"implementation\";\n",
};

describe("package: consumers import the public surface only", () => {
    let dir = "";
    before(() => {
        dir = mkdtempSync(join(tmpdir(), "ghes-packages-imports-"));
        const pkg = join(dir, "node_modules", "ghes-packages-s3");
        mkdirSync(pkg, { recursive: true });
        copyFileSync("package.json", join(pkg, "package.json"));
        for (const [file, text] of Object.entries(STUBS)) {
            mkdirSync(dirname(join(pkg, file)), { recursive: true });
            writeFileSync(join(pkg, file), text);
        }
        writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true }));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    const SOURCES = {
        root: `import { surface } from "ghes-packages-s3";\nexport const s: string = surface;\n`,
        deep: `import { deep } from "ghes-packages-s3/dist/components/packagesStorage";\nexport const d: string = deep;\n`,
        contract: `import { makeGhesSettingsProvider } from "ghes-packages-s3/dist/provider/ghesSettingsProvider";\nexport const p = makeGhesSettingsProvider;\n`,
    };

    /** Compile diagnostics (codes) of each source as a consumer's file, in one strict program. */
    function compile(settings: ts.CompilerOptions): Record<keyof typeof SOURCES, number[]> {
        const files = Object.entries(SOURCES).map(([name, source]) => {
            const file = join(dir, `${name}.ts`);
            writeFileSync(file, source);
            return file;
        });
        const program = ts.createProgram(files, { strict: true, noEmit: true, target: ts.ScriptTarget.ES2020, types: [], ...settings });
        const codes = (name: string) => ts.getPreEmitDiagnostics(program, program.getSourceFile(join(dir, `${name}.ts`))).map((d) => d.code);
        return { root: codes("root"), deep: codes("deep"), contract: codes("contract") };
    }

    const SETTINGS: [string, ts.CompilerOptions][] = [
        ["moduleResolution node (node10)", { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 }],
        ["module/moduleResolution nodenext", { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext }],
    ];
    for (const [name, settings] of SETTINGS) {
        it(`${name}: compiles the package root, refuses dist/ deep imports and the state-contract path`, () => {
            const contractCode = settings.moduleResolution === ts.ModuleResolutionKind.Node10 ? 2307 : 7016;
            // 2307: cannot find module; 7016: no declaration file (implicitly any under strict)
            assert.deepEqual(compile(settings), { root: [], deep: [2307], contract: [contractCode] });
        });
    }

    it("ships no declaration for the state-contract file", () => {
        const pkg = JSON.parse(readFileSync("package.json", "utf8"));
        assert.ok(pkg.files.includes("!dist/provider/ghesSettingsProvider.d.ts"), JSON.stringify(pkg.files));
    });

    it("keeps the state-contract path resolvable at run time (what every stack's __provider requires)", () => {
        const out = execFileSync(process.execPath, ["-e",
            "process.stdout.write(String(require('ghes-packages-s3/dist/provider/ghesSettingsProvider').makeGhesSettingsProvider()) + ' ' + require('ghes-packages-s3').surface)"],
        { cwd: dir, encoding: "utf8" });
        assert.equal(out, "implementation root");
    });
});
