import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AdminShell, CommandResult } from "../../ghes/adminShell";
import {
    digestMatches, formatJournal, IDLE, journalFrom, JournalEntry, parseJournal, readJournalAndConfig, settingsDigest, writeJournal,
} from "../../ghes/applianceJournal";
import { GhesOperationError } from "../../ghes/errors";
import { printable } from "../../ghes/outsideText";
import { writeConfigDir, writeFakeGheTools } from "../../rehearsal/fakeGheTools";

describe("ghes/applianceJournal: the operation journal's format", () => {
    const entry: JournalEntry = {
        holder: "ci-7:4242:cafe", phase: "owed", digest: "00ff:abc", keys: ["app.packages.enabled", "secrets.packages.s3-bucket"],
        runBefore: "none", run: "run 7\n=%'$(reboot)", maintenance: "ours", owner: "ghes.example.com",
    };

    it("round-trips every field, whatever bytes a value holds (values percent-encoded, one line each)", () => {
        const text = formatJournal(entry);
        assert.equal(text.split("\n").filter(Boolean).length, 9, "a header and eight fields, one line each");
        assert.ok(!text.includes("$(reboot)"), "no value appears raw");
        assert.deepEqual(parseJournal(text), entry);
    });

    it("refuses anything that is not a journal of this version: no header, unknown phase, a raw value", () => {
        assert.equal(parseJournal("phase=idle\nmaintenance=no\n"), undefined);
        assert.equal(parseJournal("ghes-packages-s3 journal 1\nphase=done\nmaintenance=no\n"), undefined);
        assert.equal(parseJournal("ghes-packages-s3 journal 1\nphase=idle\nmaintenance=no\nowner=a b\n"), undefined);
        assert.equal(parseJournal("ghes-packages-s3 journal 2\nphase=idle\nmaintenance=no\n"), undefined);
    });

    it("keeps no secret in clear: a salted digest, which still tells whether the settings are in place", () => {
        const settings = { "secrets.packages.aws-secret-key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "app.packages.enabled": "true" };
        const d = settingsDigest(settings);
        assert.ok(!d.includes("wJalrXUtnFEMI"));
        assert.notEqual(settingsDigest(settings), d, "a fresh salt each time");
        const e: JournalEntry = { phase: "owed", maintenance: "no", digest: d, keys: Object.keys(settings) };
        assert.equal(digestMatches(e, { ...settings, other: "x" }), true);
        assert.equal(digestMatches(e, { ...settings, "secrets.packages.aws-secret-key": "another" }), false);
    });

    it("honours the records 0.2.0 left: pending run (no run known before it), maintenance claim, owner", () => {
        const r = journalFrom(new Map([["pending", ""], ["claim", "1764500000\n"], ["owner", "ghes.example.com\n"]]));
        assert.deepEqual(r.entry, { phase: "owed", maintenance: "ours", owner: "ghes.example.com", runBefore: undefined, run: undefined });
        assert.equal(r.legacy, true);
    });

    it("an unreadable journal owes a run (at worst one more) and never claims maintenance", () => {
        const r = journalFrom(new Map([["journal", "garbage\n"]]));
        assert.deepEqual([r.entry.phase, r.entry.maintenance, r.unreadable], ["owed", "no", true]);
    });

    it("formats an entry without optional fields as the header and its two required fields, one line each", () => {
        assert.equal(formatJournal(IDLE), "ghes-packages-s3 journal 1\nphase=idle\nmaintenance=no\n");
        assert.deepEqual(parseJournal(formatJournal(IDLE)), { holder: undefined, phase: "idle", digest: undefined, keys: undefined, runBefore: undefined, run: undefined, maintenance: "no", owner: undefined });
        assert.deepEqual(parseJournal(formatJournal({ phase: "owed", maintenance: "no", keys: [] }))?.keys, []);
    });

    it("refuses a line that does not start with a field name, a value that is not valid percent-encoding, a missing or unknown maintenance", () => {
        assert.equal(parseJournal("ghes-packages-s3 journal 1\n#phase=owed\nphase=idle\nmaintenance=no\n"), undefined);
        assert.equal(parseJournal("ghes-packages-s3 journal 1\nphase=idle\nmaintenance=no\nowner=%zz\n"), undefined);
        assert.equal(parseJournal("ghes-packages-s3 journal 1\nphase=idle\n"), undefined);
        assert.equal(parseJournal("ghes-packages-s3 journal 1\nphase=idle\nmaintenance=maybe\n"), undefined);
    });

    it("the digest is stable across versions: SHA-256 of salt, NUL, the settings as sorted [key, value] pairs in JSON", () => {
        // Expected from the shell: printf 's\0[["a","1"],["b","2"]]' | sha256sum
        const expected = "s:d432f8fdda1733911714a4fefd0dd8cc1daf74c341f971a547224e508e838a25";
        assert.equal(settingsDigest({ a: "1", b: "2" }, "s"), expected);
        assert.equal(settingsDigest({ b: "2", a: "1" }, "s"), expected, "key order does not matter");
        assert.equal(settingsDigest({ b: "2", c: undefined, a: "1" }, "s"), expected, "an unset setting is left out");
    });

    it("a journal without a digest or without its keys never says the settings are in place", () => {
        const d = settingsDigest({ a: "1" }, "s");
        assert.equal(digestMatches({ phase: "owed", maintenance: "no", digest: d }, { a: "1" }), false);
        assert.equal(digestMatches({ phase: "owed", maintenance: "no", keys: ["a"] }, { a: "1" }), false);
        assert.equal(digestMatches({ phase: "owed", maintenance: "no", digest: d, keys: ["a"] }, { a: "1" }), true);
    });

    it("each 0.2.0 record alone marks the read as legacy and adds only what it says", () => {
        const journal = formatJournal({ phase: "idle", maintenance: "no", run: "7", runBefore: "6" });
        assert.deepEqual(journalFrom(new Map([["journal", journal], ["claim", "1764500000\n"]])),
            { entry: { holder: undefined, phase: "idle", digest: undefined, keys: undefined, runBefore: "6", run: "7", maintenance: "ours", owner: undefined }, legacy: true, unreadable: false });
        assert.deepEqual(journalFrom(new Map([["pending", ""]])), { entry: { phase: "owed", maintenance: "no", runBefore: undefined, run: undefined }, legacy: true, unreadable: false });
        assert.deepEqual(journalFrom(new Map([["owner", "  \n"]])), { entry: { phase: "idle", maintenance: "no" }, legacy: true, unreadable: false }, "a blank owner is none");
        assert.deepEqual(journalFrom(new Map([["owner", "ghes.example.com\n"]])), { entry: { phase: "idle", maintenance: "no", owner: "ghes.example.com" }, legacy: true, unreadable: false });
    });

    it("an owed journal keeps its runs when a 0.2.0 pending record is also there", () => {
        const journal = formatJournal({ phase: "owed", maintenance: "no", runBefore: "6", run: "7" });
        const r = journalFrom(new Map([["journal", journal], ["pending", ""]]));
        assert.deepEqual([r.entry.phase, r.entry.runBefore, r.entry.run, r.legacy, r.unreadable], ["owed", "6", "7", true, false]);
    });

    it("printable: control characters and terminal escapes shown escaped, long values cut", () => {
        assert.equal(printable("a\x1b[31mb\x07\u202e"), "a\\x1b[31mb\\x07\\u202e");
        assert.equal(printable("x".repeat(130), 120), `${"x".repeat(120)}... (130 characters)`);
    });
});

/** An admin shell that runs each command in a local /bin/sh, HOME a scratch directory, the fake ghe-config on PATH. */
class LocalShell extends AdminShell {
    /** `crlf`: lines end in CR LF, as output over a pty does. */
    constructor(private readonly env: Record<string, string>, private readonly banner = "", private readonly crlf = false) {
        super({ hostname: "127.0.0.1", port: 122, privateKey: "" });
    }

    override exec(command: string): Promise<CommandResult> {
        const r = spawnSync("/bin/sh", ["-c", `${this.banner}${command}`], { env: this.env });
        const stdout = r.stdout.toString("utf8");
        return Promise.resolve({ code: r.status, stdout: this.crlf ? stdout.replace(/\n/g, "\r\n") : stdout, stderr: r.stderr.toString("utf8") });
    }
}

describe("ghes/applianceJournal: the journal on the appliance, through a real shell", () => {
    let dir: string;
    let home: string;
    let env: Record<string, string>;
    const file = (name: string) => join(home, `.ghes-packages-s3.${name}`);
    beforeEach(() => {
        dir = mkdtempSync(join(tmpdir(), "journal-"));
        home = join(dir, "home");
        mkdirSync(home);
        writeConfigDir(join(dir, "cfg"), { "app.packages.enabled": "true" });
        env = { HOME: home, PATH: `${writeFakeGheTools(dir)}:/usr/bin:/bin`, GHE_SIM_CONFIG_DIR: join(dir, "cfg"), GHE_SIM_ARGV_LOG: join(dir, "argv") };
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("with no record on the appliance reads idle, not legacy, not unreadable, and the settings asked for", async () => {
        const r = await readJournalAndConfig(new LocalShell(env), ["app.packages.enabled", "secrets.packages.aws-access-key"]);
        assert.deepEqual(r, { journal: { entry: { phase: "idle", maintenance: "no" }, legacy: false, unreadable: false }, config: { "app.packages.enabled": "true", "secrets.packages.aws-access-key": undefined } });
    });

    it("writes ~/.ghes-packages-s3.journal exactly, removes the 0.2.0 files, and reads every field back past a login banner", async () => {
        for (const name of ["maintenance", "run-pending", "owner"]) writeFileSync(file(name), "1764500000\n");
        const entry: JournalEntry = { holder: "ci-7:4242:cafe", phase: "owed", digest: "00ff:abc", keys: ["app.packages.enabled"], runBefore: "none", run: "run 7\n=%'$(touch pwned)", maintenance: "ours", owner: "ghes.example.com" };
        await writeJournal(new LocalShell(env), entry);
        assert.equal(readFileSync(file("journal"), "utf8"),
            "ghes-packages-s3 journal 1\nholder=ci-7%3A4242%3Acafe\nphase=owed\ndigest=00ff%3Aabc\nkeys=app.packages.enabled\nrunBefore=none\nrun=run%207%0A%3D%25'%24(touch%20pwned)\nmaintenance=ours\nowner=ghes.example.com\n");
        assert.deepEqual(["maintenance", "run-pending", "owner", "journal.tmp"].filter((n) => existsSync(file(n))), [], "0.2.0 files and the temporary file gone");
        assert.equal(existsSync(join(home, "pwned")), false);
        const r = await readJournalAndConfig(new LocalShell(env, "echo 'Welcome to GitHub Enterprise'; echo 'ghes-packages-s3:journal:zz'; "), ["app.packages.enabled"]);
        assert.deepEqual(r, { journal: { entry, legacy: false, unreadable: false }, config: { "app.packages.enabled": "true" } });
        const overPty = await readJournalAndConfig(new LocalShell(env, "", true), ["app.packages.enabled"]);
        assert.deepEqual(overPty, { journal: { entry, legacy: false, unreadable: false }, config: { "app.packages.enabled": "true" } }, "CR LF line ends");
    });

    it("reads each 0.2.0 file by its own name", async () => {
        writeFileSync(file("maintenance"), "1764500000\n");
        assert.deepEqual((await readJournalAndConfig(new LocalShell(env), [])).journal, { entry: { phase: "idle", maintenance: "ours" }, legacy: true, unreadable: false });
        rmSync(file("maintenance"));
        writeFileSync(file("run-pending"), "");
        assert.deepEqual((await readJournalAndConfig(new LocalShell(env), [])).journal, { entry: { phase: "owed", maintenance: "no", runBefore: undefined, run: undefined }, legacy: true, unreadable: false });
        rmSync(file("run-pending"));
        writeFileSync(file("owner"), "ghes.example.com\n");
        assert.deepEqual((await readJournalAndConfig(new LocalShell(env), [])).journal, { entry: { phase: "idle", maintenance: "no", owner: "ghes.example.com" }, legacy: true, unreadable: false });
    });

    it("a journal file this version cannot read is reported unreadable, owing a run", async () => {
        writeFileSync(file("journal"), "ghes-packages-s3 journal 2\nphase=idle\n");
        assert.deepEqual((await readJournalAndConfig(new LocalShell(env), [])).journal, { entry: { phase: "owed", maintenance: "no" }, legacy: false, unreadable: true });
    });

    it("writes only while the condition holds; otherwise throws naming the lock, and leaves the old journal", async () => {
        writeFileSync(file("journal"), formatJournal(IDLE));
        await assert.rejects(writeJournal(new LocalShell(env), { phase: "owed", maintenance: "no" }, "false"),
            (e: Error) => e instanceof GhesOperationError && e.message === "the operation journal on the appliance (~/.ghes-packages-s3.journal) could not be written (exit status 3): not holding the configuration lock");
        assert.equal(readFileSync(file("journal"), "utf8"), "ghes-packages-s3 journal 1\nphase=idle\nmaintenance=no\n");
        await writeJournal(new LocalShell(env), { phase: "owed", maintenance: "no" }, "true");
        assert.equal(readFileSync(file("journal"), "utf8"), "ghes-packages-s3 journal 1\nphase=owed\nmaintenance=no\n");
    });

    it("a write that fails on the appliance throws with its exit status and error output", async () => {
        await assert.rejects(writeJournal(new LocalShell({ ...env, HOME: join(dir, "missing") }), IDLE),
            /^GhesOperationError: the operation journal on the appliance \(~\/\.ghes-packages-s3\.journal\) could not be written \(exit status 2\): \S.*missing\/\.ghes-packages-s3\.journal\.tmp/);
    });

    it("a command that exits 0 without confirming the read-back does not count as written", async () => {
        const silent = new LocalShell(env);
        silent.exec = () => Promise.resolve({ code: 0, stdout: "ghes-packages-s3:journal-written-not\n", stderr: "  forced command\n" });
        await assert.rejects(writeJournal(silent, IDLE), /could not be written \(exit status 0\): forced command$/);
        silent.exec = () => Promise.resolve({ code: 1, stdout: "ghes-packages-s3:journal-written\n", stderr: "" });
        await assert.rejects(writeJournal(silent, IDLE), /could not be written \(exit status 1\): $/);
        silent.exec = () => Promise.resolve({ code: 2, stdout: "", stderr: `${"e".repeat(300)}\n` });
        await assert.rejects(writeJournal(silent, IDLE), (e: Error) => e.message.endsWith(`(exit status 2): ${"e".repeat(200)}`), "the appliance's error output cut at 200 characters");
        silent.exec = () => Promise.resolve({ code: 0, stdout: "banner\n  ghes-packages-s3:journal-written  \n", stderr: "" });
        await writeJournal(silent, IDLE);
    });
});
