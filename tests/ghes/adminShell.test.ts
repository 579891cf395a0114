import { strict as assert } from "node:assert";
import { generateEd25519KeyPair } from "../../ghes/sshKeys";
import { AdminShell } from "../../ghes/adminShell";
import { AdminShellError } from "../../ghes/errors";
import { GhesSimulator } from "../../rehearsal/ghesSimulator";

describe("provider/adminShell: the GHES admin shell over SSH", () => {
    let sim: GhesSimulator;
    let key: { private: string; public: string };
    let shell: AdminShell | undefined;
    const open = async (o: Partial<ConstructorParameters<typeof AdminShell>[0]> = {}) => {
        shell = new AdminShell({ hostname: "127.0.0.1", port: sim.sshPort, privateKey: key.private, expectedFingerprint: sim.hostKeyFingerprint, ...o });
        await shell.connect();
        return shell;
    };
    beforeEach(async () => {
        sim = await new GhesSimulator().start();
        key = generateEd25519KeyPair();
        sim.authorizeKey(key.public);
    });
    afterEach(async () => { shell?.end(); shell = undefined; await sim.stop(); });

    it("refuses a host whose key nobody verified (no pin, no trust-on-first-use), sending nothing", async () => {
        await assert.rejects(open({ expectedFingerprint: undefined }), (e: Error) =>
            e instanceof AdminShellError && e.kind === "host-key-unverified" && e.message.includes(sim.hostKeyFingerprint));
        assert.equal(sim.commands.length, 0);
    });

    it("records the host key fingerprint in OpenSSH format on first contact, when trust on first use is allowed", async () => {
        const s = await open({ expectedFingerprint: undefined, trustOnFirstUse: true });
        assert.equal(s.fingerprint, sim.hostKeyFingerprint);
        assert.match(s.fingerprint!, /^SHA256:[A-Za-z0-9+/]{43}$/);
    });

    it("enforces a pinned host key: a changed key is refused with both fingerprints", async () => {
        const pinned = sim.hostKeyFingerprint;
        await sim.changeHostKey();
        await assert.rejects(open({ expectedFingerprint: pinned }), (e: Error) =>
            e instanceof AdminShellError && e.kind === "host-key-mismatch" && e.message.includes(pinned) && e.message.includes(sim.hostKeyFingerprint));
        assert.equal(sim.commands.length, 0, "nothing was sent to the impostor");
    });

    it("reports a key the appliance does not accept", async () => {
        const other = generateEd25519KeyPair();
        await assert.rejects(open({ privateKey: other.private }), /ssh:\/\/admin@127\.0\.0\.1:\d+: the SSH key was not accepted/);
    });

    it("reads, writes and reports unset keys", async () => {
        const s = await open();
        assert.deepEqual(await s.readConfig(["secrets.packages.s3-bucket"]), { "secrets.packages.s3-bucket": undefined });
        await s.setConfigs([{ key: "secrets.packages.s3-bucket", value: "acme", secret: false }]);
        assert.deepEqual(await s.readConfig(["secrets.packages.s3-bucket"]), { "secrets.packages.s3-bucket": "acme" });
    });

    it("passes hostile values to ghe-config byte-for-byte and executes nothing", async () => {
        const s = await open();
        const values = ["'; touch /tmp/ghes-pwned-1 #", "$(touch /tmp/ghes-pwned-2)", "`touch /tmp/ghes-pwned-3`", "a;b && c | d", "two\nlines", "  spaced  ", "${PATH}"];
        for (const [i, v] of values.entries()) {
            await s.setConfigs([{ key: `test.key${i}`, value: v, secret: false }]);
            // A secret travels as one line on stdin: line breaks are refused (secret keys have none).
            if (/\n/.test(v)) await assert.rejects(s.setConfigs([{ key: `test.secret${i}`, value: v, secret: true }]), /line break/);
            else await s.setConfigs([{ key: `test.secret${i}`, value: v, secret: true }]);
        }
        const cfg = sim.config();
        for (const [i, v] of values.entries()) {
            assert.equal(cfg[`test.key${i}`], v);
            assert.equal(cfg[`test.secret${i}`], /\n/.test(v) ? undefined : v);
        }
        const argv = sim.toolInvocations().filter((t) => t.args.length === 2).map((t) => t.args[1]);
        for (const v of values) assert.equal(argv.filter((a) => a === v).length, /\n/.test(v) ? 1 : 2, `ghe-config received ${JSON.stringify(v)} as one argument`);
        const { existsSync } = await import("node:fs");
        for (const n of [1, 2, 3]) assert.ok(!existsSync(`/tmp/ghes-pwned-${n}`));
    });

    it("batch write and batch read carry hostile values byte-for-byte in one command each, secrets on stdin", async () => {
        const s = await open();
        const values = ["'; touch /tmp/ghes-pwned-4 #", "$(touch /tmp/ghes-pwned-5)", "`id`", "two\nlines\n", "  spaced  ", "${PATH}", "ünïcødé"];
        const entries = values.flatMap((v, i) => [{ key: `test.b${i}`, value: v, secret: false }, { key: `test.s${i}`, value: `secret-${i}-${v.replace(/\n/g, " ")}`, secret: true }]);
        const before = sim.commands.length;
        await s.setConfigs(entries);
        assert.equal(sim.commands.length - before, 1, "one remote command wrote every key");
        for (const e of entries.filter((x) => x.secret)) assert.ok(!sim.commands[sim.commands.length - 1].command.includes(e.value), "secret not in the command line");
        const read = await s.readConfig([...entries.map((e) => e.key), "test.unset"]);
        assert.equal(sim.commands.length - before, 2, "one remote command read every key");
        for (const e of entries) assert.equal(read[e.key], e.value, e.key);
        assert.equal(read["test.unset"], undefined);
        const { existsSync } = await import("node:fs");
        for (const n of [4, 5]) assert.ok(!existsSync(`/tmp/ghes-pwned-${n}`));
    });

    it("a batch write that fails part-way says which key failed, and undoes the keys before it", async () => {
        const s = await open();
        sim.failWriteKey = "test.second";
        await assert.rejects(s.setConfigs([{ key: "test.first", value: "1", secret: false }, { key: "test.second", value: "2", secret: false }, { key: "test.third", value: "3", secret: false }]),
            (e: Error & { outcome?: { kind: string } }) => /writing test\.second failed with exit status 255: error: could not lock config file/.test(e.message) && e.outcome?.kind === "restored");
        assert.deepEqual(["test.first", "test.second", "test.third"].map((k) => sim.config()[k]), [undefined, undefined, undefined]);
    });

    describe("a key pair is stored whole or not at all", () => {
        const OLD = { "secrets.packages.aws-access-key": "AKIAOLD0000000000001", "secrets.packages.aws-secret-key": "old-secret-0001/+aaaa" };
        const pair = [
            { key: "secrets.packages.aws-access-key", value: "AKIANEW0000000000002", secret: false },
            { key: "secrets.packages.aws-secret-key", value: "new-secret-0002/+bbbb", secret: true },
        ];
        const storedPair = () => [sim.config()["secrets.packages.aws-access-key"], sim.config()["secrets.packages.aws-secret-key"]];

        it("the second write of a rotated pair fails: the first is restored, key id and secret both old, and the error says so", async () => {
            sim.setConfig(OLD);
            const s = await open();
            sim.failWrites(2);
            await assert.rejects(s.setConfigs(pair), (e: Error & { outcome?: { kind: string } }) =>
                /writing secrets\.packages\.aws-secret-key failed with exit status 255: error: could not lock config file/.test(e.message) &&
                /every key written before the failure was restored to its previous value and read back/.test(e.message) && e.outcome?.kind === "restored");
            assert.deepEqual(storedPair(), ["AKIAOLD0000000000001", "old-secret-0001/+aaaa"]);
        });

        it("a write that landed although ghe-config failed is restored too", async () => {
            sim.setConfig(OLD);
            const s = await open();
            sim.failWrites(2, { landed: true });
            await assert.rejects(s.setConfigs(pair), (e: Error & { outcome?: { kind: string } }) => e.outcome?.kind === "restored");
            assert.deepEqual(storedPair(), ["AKIAOLD0000000000001", "old-secret-0001/+aaaa"]);
        });

        it("keys that were unset before are unset again (ghe-config --unset), not set to an empty value", async () => {
            const s = await open();
            sim.failWrites(2, { landed: true });
            await assert.rejects(s.setConfigs(pair), (e: Error & { outcome?: { kind: string } }) => e.outcome?.kind === "restored");
            assert.deepEqual(storedPair(), [undefined, undefined]);
            assert.deepEqual(await s.readConfig(pair.map((p) => p.key)), { "secrets.packages.aws-access-key": undefined, "secrets.packages.aws-secret-key": undefined });
        });

        it("a restore that fails too is reported key by key: what is stored now, new or previous", async () => {
            sim.setConfig(OLD);
            const s = await open();
            sim.failWrites(2, { count: 2 }); // the secret's write, then the key id's restore
            await assert.rejects(s.setConfigs(pair), (e: Error & { outcome?: { kind: string } }) =>
                /restoring the previous values failed: secrets\.packages\.aws-access-key holds the new value, secrets\.packages\.aws-secret-key holds the previous value/.test(e.message) &&
                e.outcome?.kind === "restore-failed");
            assert.deepEqual(storedPair(), ["AKIANEW0000000000002", "old-secret-0001/+aaaa"], "the report matches what the appliance stores");
        });

        it("neither value, old or new, reaches a command line, the output or the error", async () => {
            sim.setConfig(OLD);
            const s = await open();
            const before = sim.commands.length;
            sim.failWrites(2, { count: 2 });
            const err = await s.setConfigs(pair).then(() => undefined, (e: Error) => e);
            assert.ok(err);
            for (const secret of ["old-secret-0001/+aaaa", "new-secret-0002/+bbbb"]) {
                assert.ok(!err.message.includes(secret));
                for (const c of sim.commands.slice(before)) assert.ok(!c.command.includes(secret), "not in the command line");
            }
            assert.equal(sim.commands.length - before, 1, "written, restored and read back in one remote command");
        });

        it("an exit status the package does not know is reported as settings that may have landed (and here they did)", async () => {
            const s = await open();
            // A follow-up the shell cannot parse: dash reads line by line, so the writes ran, then it exits 2.
            await assert.rejects(s.setConfigs(pair, "fi"), (e: Error & { outcome?: { kind: string } }) =>
                /exit status 2/.test(e.message) && /may have landed/.test(e.message) && !/nothing/.test(e.message) && e.outcome?.kind === "unknown");
            assert.deepEqual(storedPair(), ["AKIANEW0000000000002", "new-secret-0002/+bbbb"]);
        });
    });

    it("sends secrets on stdin, never in the command line", async () => {
        const s = await open();
        await s.setConfigs([{ key: "secrets.packages.aws-secret-key", value: "very-secret-value-123", secret: true }]);
        assert.ok(sim.commands.every((c) => !c.command.includes("very-secret-value-123")));
        assert.equal(sim.commands[sim.commands.length - 1].stdin, "very-secret-value-123\n");
        assert.equal(sim.config()["secrets.packages.aws-secret-key"], "very-secret-value-123");
    });

    it("checks exit status: a failing write is an error naming the key", async () => {
        sim.failWriteKey = "secrets.packages.s3-bucket";
        const s = await open();
        await assert.rejects(s.setConfigs([{ key: "secrets.packages.s3-bucket", value: "acme", secret: false }]), /writing secrets\.packages\.s3-bucket failed with exit status 255: error: could not lock/);
    });

    it("fails a command whose connection drops mid-way", async () => {
        const s = await open();
        sim.dropCommands(1);
        await assert.rejects(s.readConfig(["app.packages.enabled"]), /connection closed before the command finished|without an exit status/);
    });

    it("times out a command that never finishes", async () => {
        const s = await open({ commandTimeoutMs: 100 });
        sim.hangCommands(1);
        await assert.rejects(s.readConfig(["app.packages.enabled"]), /command did not finish within 100 ms/);
    });

    it("times out a connection to a port that never answers SSH", async () => {
        const { createServer } = await import("node:net");
        const accepted: import("node:net").Socket[] = [];
        const silent = createServer((c) => accepted.push(c));
        await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
        try {
            const s = new AdminShell({ hostname: "127.0.0.1", port: (silent.address() as { port: number }).port, privateKey: key.private, connectTimeoutMs: 100 });
            await assert.rejects(s.connect(), /no connection within|Timed out/i);
        } finally {
            // It never reads, so it never sees the client hang up: its side of each connection is closed here.
            accepted.forEach((c) => c.destroy());
            silent.close();
        }
    });
});
