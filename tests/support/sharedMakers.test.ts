import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { breakStaleLock } from "./sharedMakers";

/*
 * The lock that keeps the makers of the packed package and the consumer's dependency tree
 * apart (tests/support/sharedMakers.ts): parallel workers, the background maker and another
 * run each take it in their own process, so these tests do too.
 */
const MAKERS = require.resolve("./sharedMakers");
/** A script that takes the lock and runs `body` (JavaScript, `lock` and `dir` in scope) holding it. */
const script = (lock: string, dir: string, body: string, waitMs: number) =>
    `const { withDirLock } = require(${JSON.stringify(MAKERS)}); const lock = ${JSON.stringify(lock)}, dir = ${JSON.stringify(dir)};\n` +
    `try { console.log(withDirLock(lock, () => { ${body} }, ${waitMs})); } catch (e) { console.log("ERROR " + e.message); }`;
const node = ["-r", "sucrase/register/ts", "-e"];
/** The id of a process that has ended (a maker that died). */
const goneProcessId = () => spawnSync("true").pid as number;

describe("tests/support/sharedMakers: the lock of what several test files share", () => {
    let dir: string;
    beforeEach(() => { dir = mkdtempSync(join(tmpdir(), "shared-makers-")); });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("a maker waiting on a lock never writes into it (so its holder can still remove it)", () => {
        const lock = join(dir, "lock");
        mkdirSync(lock); // taken a moment ago: its holder has not written its pid yet (or is removing the lock)
        const out = spawnSync(process.execPath, [...node, script(lock, dir, `return "made";`, 300)], { encoding: "utf8" }).stdout;
        assert.match(out, /^ERROR .*lock is still held by a process that has not written its pid yet after 0\.005 min/m);
        assert.deepEqual(readdirSync(lock), []);
    });

    it("a lock left without a pid for longer than taking one takes (its maker died) is broken, and the maker makes", () => {
        const lock = join(dir, "lock");
        mkdirSync(lock);
        const minuteAgo = new Date(Date.now() - 60_000);
        utimesSync(lock, minuteAgo, minuteAgo);
        const out = spawnSync(process.execPath, [...node, script(lock, dir, `return "made";`, 300)], { encoding: "utf8" }).stdout;
        assert.equal(out.trim(), "made");
        assert.equal(existsSync(lock), false, "released after making");
    });

    it("a lock whose holder is gone is broken at once", () => {
        const lock = join(dir, "lock");
        mkdirSync(lock);
        const gone = goneProcessId();
        writeFileSync(join(lock, "pid"), String(gone));
        const out = spawnSync(process.execPath, [...node, script(lock, dir, `return "made";`, 300)], { encoding: "utf8" }).stdout;
        assert.equal(out.trim(), "made");
    });

    it("a waiter that judged a lock stale does not remove the lock another maker has taken since", () => {
        // Two waiters see the same dead holder; the first breaks the lock and takes it, then
        // the second acts on what it saw: it must leave the first's lock alone.
        const lock = join(dir, "lock");
        const gone = goneProcessId();
        mkdirSync(lock);
        writeFileSync(join(lock, "pid"), String(process.pid)); // taken since by a live maker
        breakStaleLock(lock, gone);
        assert.equal(readFileSync(join(lock, "pid"), "utf8"), String(process.pid));
    });

    it("a lock the waiter judged stale is broken when it still holds what was judged", () => {
        const lock = join(dir, "lock");
        const gone = goneProcessId();
        mkdirSync(lock);
        writeFileSync(join(lock, "pid"), String(gone));
        breakStaleLock(lock, gone);
        assert.equal(existsSync(lock), false);
        assert.deepEqual(readdirSync(dir), [], "nothing of the break is left beside the lock");
    });

    it("a waiter leaves the lock to another that is breaking it, and breaks a breaker's lock left by a waiter that died", () => {
        const lock = join(dir, "lock");
        const gone = goneProcessId();
        mkdirSync(lock);
        writeFileSync(join(lock, "pid"), String(gone));
        mkdirSync(`${lock}.break`);
        assert.equal(breakStaleLock(lock, gone), false);
        assert.equal(existsSync(lock), true, "left to the breaker");
        const minuteAgo = new Date(Date.now() - 60_000);
        utimesSync(`${lock}.break`, minuteAgo, minuteAgo);
        assert.equal(breakStaleLock(lock, gone), false, "this call only clears the dead breaker's lock");
        assert.equal(existsSync(`${lock}.break`), false);
        assert.equal(breakStaleLock(lock, gone), true);
        assert.equal(existsSync(lock), false);
    });

    for (const start of ["free", "left by a maker that died"]) it(`makers started at once on a lock ${start} each hold it alone, in turn, and none is left waiting (5 processes)`, async () => {
        const lock = join(dir, "lock");
        if (start !== "free") {
            mkdirSync(lock);
            writeFileSync(join(lock, "pid"), String(goneProcessId()));
        }
        writeFileSync(join(dir, "count"), "0");
        // Read, pause, write: two holders at once would lose an increment.
        const body = `const f = require("path").join(dir, "count"); const n = Number(require("fs").readFileSync(f, "utf8")); ` +
            `Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20); require("fs").writeFileSync(f, String(n + 1)); return "made";`;
        const outs = await Promise.all(Array.from({ length: 5 }, () => new Promise<string>((resolve) => {
            const child = spawn(process.execPath, [...node, script(lock, dir, body, 60_000)], { stdio: ["ignore", "pipe", "inherit"] });
            let out = "";
            child.stdout.on("data", (d: Buffer) => { out += d.toString(); });
            child.on("close", () => resolve(out.trim()));
        })));
        assert.deepEqual(outs, Array(5).fill("made"));
        assert.equal(readFileSync(join(dir, "count"), "utf8"), "5");
        assert.deepEqual(readdirSync(dir), ["count"], "the lock and any breaker's lock are gone");
    });
});
