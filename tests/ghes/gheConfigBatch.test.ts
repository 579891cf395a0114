import { strict as assert } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BATCH_EXIT, batchStdin, gheConfigGetBatch, gheConfigSetBatch, parseGetBatch, parseSetBatchOutcome } from "../../ghes/gheConfigBatch";
import { shellQuote } from "../../ghes/shellQuote";
import { readConfigDir, writeConfigDir, writeFakeGheTools } from "../../rehearsal/fakeGheTools";

const HOSTILE = ["plain", "with space", "it's", "'; rm -rf / #", "$(touch /tmp/pwned)", "`id`", "a;b&&c||d|e", "line1\nline2", "trailing newline\n\n", "${HOME} $HOME \\ \" !", "", "ünïcödé ✓"];

describe("ghes/gheConfigBatch: several ghe-config reads or writes in one command", () => {
    let dir: string;
    let bin: string;
    /** Runs a script under a shell with the fake ghe-config tools on PATH. */
    const run = (script: string, stdin = "", shell = "/bin/sh", env: Record<string, string> = {}) => {
        try {
            return { code: 0, stdout: execFileSync(shell, ["-c", script], { input: stdin, env: { PATH: `${bin}:/usr/bin:/bin`, GHE_SIM_CONFIG_DIR: join(dir, "cfg"), GHE_SIM_ARGV_LOG: join(dir, "argv"), ...env } }).toString("utf8") };
        } catch (err) {
            const e = err as { status: number; stdout: Buffer };
            return { code: e.status, stdout: e.stdout.toString("utf8") };
        }
    };
    beforeEach(() => { dir = mkdtempSync(join(tmpdir(), "batch-")); bin = writeFakeGheTools(dir); writeConfigDir(join(dir, "cfg"), {}); });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    for (const shell of ["/bin/sh", "/bin/bash"]) {
        it(`${shell}: round-trips every hostile value through a batch write (inline, and on stdin when secret) and the batch read`, () => {
            const entries = HOSTILE.flatMap((value, i) => [{ key: `k${i}`, value, secret: false }, ...(/\n/.test(value) ? [] : [{ key: `s${i}`, value, secret: true }])]);
            assert.equal(run(gheConfigSetBatch(entries), batchStdin(entries), shell).code, 0);
            assert.deepEqual(readConfigDir(join(dir, "cfg")), Object.fromEntries(entries.map((e) => [e.key, e.value])));
            const keys = entries.map((e) => e.key);
            assert.deepEqual(parseGetBatch(keys, run(gheConfigGetBatch(keys), "", shell).stdout).map((r) => r.value), entries.map((e) => e.value));
            assert.ok(!execFileSync("ls", ["/tmp"]).toString().split("\n").includes("pwned"));
        });

        it(`${shell}: restores hostile previous values (and unset keys) byte-for-byte when a later write fails`, () => {
            const previous = Object.fromEntries(HOSTILE.map((v, i) => [`k${i}`, v]));
            writeConfigDir(join(dir, "cfg"), previous);
            const entries = [...HOSTILE.map((_, i) => ({ key: `k${i}`, value: `new-${i}`, secret: false })), { key: "unset.before", value: "x", secret: false }, { key: "last", value: "y", secret: true }];
            writeFileSync(join(dir, "count"), "0");
            const r = run(gheConfigSetBatch(entries), batchStdin(entries), shell,
                { GHE_SIM_WRITE_COUNT: join(dir, "count"), GHE_SIM_FAIL_WRITE_FROM: String(entries.length), GHE_SIM_FAIL_WRITE_UNTIL: String(entries.length + 1), GHE_SIM_FAIL_WRITE_LANDS: "1" });
            assert.equal(r.code, BATCH_EXIT.restored + entries.length - 1);
            assert.deepEqual(readConfigDir(join(dir, "cfg")), previous);
            assert.deepEqual(parseSetBatchOutcome(entries, r.code, r.stdout), { kind: "restored", failedKey: "last" });
        });
    }

    it("a failing follow-up undoes every write", () => {
        writeConfigDir(join(dir, "cfg"), { a: "old" });
        const entries = [{ key: "a", value: "new", secret: false }, { key: "b", value: "s3cr3t", secret: true }];
        const r = run(gheConfigSetBatch(entries, "false"), batchStdin(entries));
        assert.equal(r.code, BATCH_EXIT.restored + 2);
        assert.deepEqual(readConfigDir(join(dir, "cfg")), { a: "old" });
        assert.deepEqual(parseSetBatchOutcome(entries, r.code, r.stdout), { kind: "restored", failedKey: undefined });
    });

    it("a previous value that cannot be read stops the batch before any write", () => {
        const script = gheConfigSetBatch([{ key: "a", value: "new", secret: false }]).replace(/^__get\(\) \{/m, "ghe_fail() { return 3; }; __get() { ghe_fail || { __r=3; return; };");
        const r = run(script);
        assert.equal(r.code, BATCH_EXIT.nothingWrittenUnreadable);
        assert.deepEqual(readConfigDir(join(dir, "cfg")), {});
    });

    it("keeps secrets out of the command line and refuses a secret with a line break or too many keys", () => {
        const entries = [{ key: "secrets.packages.aws-secret-key", value: "secret-value", secret: true }];
        assert.ok(!gheConfigSetBatch(entries).includes("secret-value"));
        assert.equal(batchStdin(entries), "secret-value\n");
        assert.throws(() => gheConfigSetBatch([{ key: "k", value: "a\nb", secret: true }]), /line break/);
        assert.throws(() => gheConfigSetBatch(Array.from({ length: 41 }, (_, i) => ({ key: `k${i}`, value: "v", secret: false }))), /at most 40 keys/);
        assert.equal(run(gheConfigSetBatch(entries), "").code, BATCH_EXIT.nothingWrittenStdin, "a secret missing on stdin writes nothing");
    });

    it("takes 40 keys in one batch, and reads the highest restore status of such a batch (100 + 40) as restored", () => {
        const entries = Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, secret: i % 2 === 0 }));
        assert.doesNotThrow(() => gheConfigSetBatch(entries));
        const reports = entries.map((_, i) => `ghes-packages-s3-restore ${i} restored`).join("\n");
        assert.deepEqual(parseSetBatchOutcome(entries, 140, reports), { kind: "restored", failedKey: undefined });
    });

    it("a successful batch prints nothing on standard error", () => {
        const entries = [{ key: "a", value: "x", secret: false }, { key: "b", value: "y", secret: true }];
        const r = spawnSync("/bin/sh", ["-c", gheConfigSetBatch(entries, "true")], { input: batchStdin(entries), env: { PATH: `${bin}:/usr/bin:/bin`, GHE_SIM_CONFIG_DIR: join(dir, "cfg"), GHE_SIM_ARGV_LOG: join(dir, "argv") } });
        assert.deepEqual([r.status, r.stderr.toString("utf8")], [0, ""]);
    });

    it("a hang-up (the SSH connection dropped) after the first write does not stop the batch half-way", () => {
        // ghe-config that hangs up its caller once key a is written, as sshd does when the client goes away.
        const hup = join(dir, "hup");
        mkdirSync(hup);
        writeFileSync(join(hup, "ghe-config"), `#!/bin/sh\n${bin}/ghe-config "$@"; s=$?\n[ "$#" = 2 ] && [ "$1" = a ] && kill -HUP $PPID\nexit $s\n`);
        chmodSync(join(hup, "ghe-config"), 0o755);
        const entries = [{ key: "a", value: "1", secret: false }, { key: "b", value: "2", secret: false }];
        const r = run(gheConfigSetBatch(entries), "", "/bin/sh", { PATH: `${hup}:${bin}:/usr/bin:/bin` });
        assert.equal(r.code, 0);
        assert.deepEqual(readConfigDir(join(dir, "cfg")), { a: "1", b: "2" });
    });

    describe("parseSetBatchOutcome believes only a status and a report that fit together", () => {
        const entries = [{ key: "a" }, { key: "b" }, { key: "c" }];
        const report = (...states: string[]) => states.map((s, i) => `ghes-packages-s3-restore ${i} ${s}`).join("\n");
        const cases: [string, number | null, string, unknown][] = [
            ["stdin", 99, "", { kind: "nothing-written", reason: "a secret value did not arrive on standard input" }],
            ["unreadable", 98, "", { kind: "nothing-written", reason: "a previous value could not be read" }],
            ["restored at b", 101, report("restored", "previous"), { kind: "restored", failedKey: "b" }],
            ["restored after the follow-up", 103, report("restored", "restored", "restored"), { kind: "restored", failedKey: undefined }],
            ["restore failed at c", 152, report("new", "previous", "unknown"), { kind: "restore-failed", failedKey: "c", stored: [{ key: "a", state: "new" }, { key: "b", state: "previous" }, { key: "c", state: "unknown" }] }],
            ["a report line missing", 101, report("restored"), { kind: "unknown", status: 101 }],
            ["status says restored, report says new", 101, report("new", "previous"), { kind: "unknown", status: 101 }],
            ["status says restore failed, report says all previous", 151, report("previous", "previous"), { kind: "unknown", status: 151 }],
            ["index beyond the batch", 104, report("previous", "previous", "previous"), { kind: "unknown", status: 104 }],
            ["index beyond the batch (restore failed)", 154, report("new", "previous", "previous"), { kind: "unknown", status: 154 }],
            ["a status of its own (1)", 1, "", { kind: "unknown", status: 1 }],
            ["127 (command not found)", 127, "", { kind: "unknown", status: 127 }],
            ["255", 255, "", { kind: "unknown", status: 255 }],
            ["no status", null, "", { kind: "unknown", status: null }],
            ["just below the restore-failed range", 149, report("previous"), { kind: "unknown", status: 149 }],
            ["restore failed at a (lowest restore-failed status)", 150, report("new"), { kind: "restore-failed", failedKey: "a", stored: [{ key: "a", state: "new" }] }],
            ["restore failed after the follow-up (highest status)", 153, report("previous", "previous", "unknown"), { kind: "restore-failed", failedKey: undefined, stored: [{ key: "a", state: "previous" }, { key: "b", state: "previous" }, { key: "c", state: "unknown" }] }],
            ["a report line missing (restore failed)", 151, report("new"), { kind: "unknown", status: 151 }],
        ];
        for (const [name, code, stdout, expected] of cases) {
            it(`${name}: ${JSON.stringify(expected)}`, () => assert.deepEqual(parseSetBatchOutcome(entries, code, stdout), expected));
        }
        it("with 40 keys, a status just below the restore-failed range is still unknown, whatever the report lines say", () => {
            const forty = Array.from({ length: 40 }, (_, i) => ({ key: `k${i}` }));
            const lines = Array.from({ length: 40 }, (_, i) => `ghes-packages-s3-restore ${i} ${i === 0 ? "new" : "previous"}`).join("\n");
            assert.deepEqual(parseSetBatchOutcome(forty, 145, lines), { kind: "unknown", status: 145 });
            assert.deepEqual(parseSetBatchOutcome(forty, 60, lines), { kind: "unknown", status: 60 });
        });

        it("report lines are matched whole (a line that merely contains one is ignored)", () => {
            assert.deepEqual(parseSetBatchOutcome(entries, 100, "x ghes-packages-s3-restore 0 previous"), { kind: "unknown", status: 100 });
            assert.deepEqual(parseSetBatchOutcome(entries, 100, "  ghes-packages-s3-restore 0 previous  \n"), { kind: "restored", failedKey: "a" });
        });
    });

    it("reads an unset key as status 1 with no value, a status above 9 whole, and ignores lines that are not its rows", () => {
        writeConfigDir(join(dir, "cfg"), { set: "v" });
        const keys = ["unset", "set"];
        assert.deepEqual(parseGetBatch(keys, run(gheConfigGetBatch(keys)).stdout), [{ key: "unset", status: 1, value: "" }, { key: "set", status: 0, value: "v" }]);
        // Rows: "<index>\0<status>\0<value>\0", hex-encoded on the tagged line.
        const hex = (text: string) => Buffer.from(text, "latin1").toString("hex");
        const banner = `Welcome 0 0 61\n0 1 2 3\nx ghes-packages-s3-config:${hex("0\x000\x00b\x00")}\n`;
        assert.deepEqual(parseGetBatch(["k"], `${banner}ghes-packages-s3-config:${hex("0\x00127\x00\x00")}\n`), [{ key: "k", status: 127, value: "" }]);
    });

    it("a read cut short, out of order or garbled yields only the whole rows before it (the caller then reports the read as failed)", () => {
        const line = (text: string) => `ghes-packages-s3-config:${Buffer.from(text, "latin1").toString("hex")}\n`;
        const keys = ["a", "b"];
        assert.deepEqual(parseGetBatch(keys, line("0\x000\x00x\n\x001\x001\x00\x00")), [{ key: "a", status: 0, value: "x" }, { key: "b", status: 1, value: "" }]);
        // The last value's terminator never arrived: that row is not believed.
        assert.deepEqual(parseGetBatch(keys, line("0\x000\x00x\x001\x000\x00partial")), [{ key: "a", status: 0, value: "x" }]);
        assert.deepEqual(parseGetBatch(keys, line("1\x000\x00x\x00")), []);
        assert.deepEqual(parseGetBatch(keys, line("0\x00zero\x00x\x00")), []);
        assert.deepEqual(parseGetBatch(["a"], line("0\x000\x00x\x001\x000\x00y\x00")), [{ key: "a", status: 0, value: "x" }]);
        assert.deepEqual(parseGetBatch(keys, "ghes-packages-s3-config:30007\n"), []);
        assert.deepEqual(parseGetBatch(keys, "no tagged line\n"), []);
        // Hex that is not whole bytes, or not hex: nothing is believed (Buffer.from would stop quietly at the fault).
        assert.deepEqual(parseGetBatch(["a"], line("0\x000\x00x\x00").replace("\n", "zz\n")), []);
        assert.deepEqual(parseGetBatch(["a"], line("0\x000\x00x\x00").replace("\n", "0\n")), []);
        assert.deepEqual(parseGetBatch(["a"], line("+0\x000\x00x\x00")), []);
        assert.deepEqual(parseGetBatch(["a"], line("0\x00-1\x00x\x00")), []);
        // Digits only, to the field's end ("0 " and "1x" would read as 0 and NaN).
        assert.deepEqual(parseGetBatch(["a"], line("0 \x000\x00x\x00")), []);
        assert.deepEqual(parseGetBatch(["a"], line("0\x001x\x00x\x00")), []);
        // Output over a pty ends lines with CR LF.
        assert.deepEqual(parseGetBatch(["a"], line("0\x000\x00x\x00").replace("\n", "\r\n")), [{ key: "a", status: 0, value: "x" }]);
    });

    it("a banner line that carries the tag does not stand in for the read: the script's own line comes last", () => {
        const line = (text: string) => `ghes-packages-s3-config:${Buffer.from(text, "latin1").toString("hex")}\n`;
        assert.deepEqual(parseGetBatch(["k"], line("0\x000\x00banner\x00") + line("0\x000\x00real\x00")), [{ key: "k", status: 0, value: "real" }]);
    });

    it("starts one od and one tr for the whole read, not one per key", () => {
        writeConfigDir(join(dir, "cfg"), Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`k${i}`, `v${i}`])));
        const tools = join(dir, "counting");
        mkdirSync(tools);
        for (const tool of ["od", "tr"]) {
            writeFileSync(join(tools, tool), `#!/bin/sh\necho ${tool} >> ${join(dir, "started")}\nexec /usr/bin/${tool} "$@"\n`);
            chmodSync(join(tools, tool), 0o755);
        }
        const keys = Array.from({ length: 12 }, (_, i) => `k${i}`);
        const r = run(gheConfigGetBatch(keys), "", "/bin/sh", { PATH: `${tools}:${bin}:/usr/bin:/bin` });
        assert.deepEqual(parseGetBatch(keys, r.stdout).map((row) => row.value), keys.map((_, i) => `v${i}`));
        assert.deepEqual(readFileSync(join(dir, "started"), "utf8").split("\n").filter(Boolean).sort(), ["od", "tr"]);
    });

    it("reads hostile values back intact, one trailing newline removed as ghe-config prints one", () => {
        for (const value of HOSTILE) {
            const script = `gc() { printf '%s\\n' ${shellQuote(value)}; }; ${gheConfigGetBatch(["k"]).replace(/ghe-config /g, "gc ")}`;
            assert.deepEqual(parseGetBatch(["k"], execFileSync("/bin/sh", ["-c", script]).toString("utf8")), [{ key: "k", status: 0, value }]);
        }
    });
});
