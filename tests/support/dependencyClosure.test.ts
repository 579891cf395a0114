import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dependencyClosure, linkDependencyClosure } from "./dependencyClosure";

/*
 * The consumer test's dependency tree is laid out from this checkout's node_modules before npm
 * makes it its own (tests/support/consumerInstall.ts): the packages found as Node finds them.
 */
describe("tests/support/dependencyClosure: what a set of packages needs, as node_modules holds it", () => {
    let dir: string;
    const pkg = (path: string, manifest: Record<string, unknown>) => {
        mkdirSync(join(dir, path), { recursive: true });
        writeFileSync(join(dir, path, "package.json"), JSON.stringify({ name: path.split("node_modules/").pop(), version: "1.0.0", ...manifest }));
    };
    beforeEach(() => {
        dir = mkdtempSync(join(tmpdir(), "closure-"));
        pkg("node_modules/a", { dependencies: { b: "^2" }, peerDependencies: { p: "*" }, optionalDependencies: { "not-on-this-platform": "*" } });
        pkg("node_modules/a/node_modules/b", { version: "2.0.0", dependencies: { d: "*" } });
        pkg("node_modules/b", { dependencies: {} });
        pkg("node_modules/@s/c", { dependencies: { b: "^1" } });
        pkg("node_modules/d", {});
        pkg("node_modules/p", {});
        pkg("node_modules/unrelated", {});
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("follows dependencies, peers and installed optional dependencies, each resolved from where it is required (nested first, then up)", () => {
        assert.deepEqual(dependencyClosure(dir, ["a", "@s/c"]), [
            "node_modules/@s/c", "node_modules/a", "node_modules/a/node_modules/b", "node_modules/b", "node_modules/d", "node_modules/p",
        ]);
        assert.deepEqual(dependencyClosure(dir, ["d"]), ["node_modules/d"]);
    });

    it("refuses a name that is not installed", () => {
        assert.throws(() => dependencyClosure(dir, ["missing"]), /^Error: missing is not installed in .*\/node_modules$/);
    });

    it("lays the closure out as hard links, nothing else", () => {
        const to = join(dir, "out");
        mkdirSync(to);
        assert.equal(linkDependencyClosure(dir, to, ["@s/c"]), 2);
        assert.deepEqual(readdirSync(join(to, "node_modules")).sort(), ["@s", "b"]);
        const [from, linked] = [join(dir, "node_modules/@s/c/package.json"), join(to, "node_modules/@s/c/package.json")].map((f) => statSync(f));
        assert.equal(linked.ino, from.ino, "the same file, not a copy");
        linkDependencyClosure(dir, to, ["a"]);
        assert.ok(statSync(join(to, "node_modules/a/node_modules/b/package.json")).isFile(), "a nested package comes with its parent's folder");
    });
});
