import { strict as assert } from "node:assert";
import { digestMatches, formatJournal, journalFrom, JournalEntry, parseJournal, settingsDigest } from "../../ghes/applianceJournal";
import { printable } from "../../ghes/outsideText";

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

    it("printable: control characters and terminal escapes shown escaped, long values cut", () => {
        assert.equal(printable("a\x1b[31mb\x07\u202e"), "a\\x1b[31mb\\x07\\u202e");
        assert.equal(printable("x".repeat(130), 120), `${"x".repeat(120)}... (130 characters)`);
    });
});
