import { strict as assert } from "node:assert";
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KEYS } from "../../ghes/gheConfigKeys";
import { generateEd25519KeyPair } from "../../ghes/sshKeys";
import { Processes } from "../support/processes";
import { Harness } from "../support/providerHarness";

/*
 * What the package keeps on the appliance (README "What the package keeps on the appliance"):
 * the operation journal, the records 0.2.0 left, and the maintenance claim, seen from the
 * next `pulumi up`. Each case failed on 0.2.0's records (closing note of issue 13).
 */
describe("provider: the operation journal on the appliance", () => {
    let h: Harness;
    beforeEach(async () => { h = await new Harness({}, false).start(); });
    afterEach(async () => { await h.stop(); });
    const inputs = (over: Record<string, unknown> = {}) => h.inputs({ storageCheck: false, ...over });
    const file = (name: string) => join(h.sim.dir, `.ghes-packages-s3.${name}`);
    const declared = () => ({
        [KEYS.storageType]: "s3", [KEYS.serviceUrl]: "https://s3.us-west-2.amazonaws.com", [KEYS.bucket]: h.bucket,
        [KEYS.accessKeyId]: h.key.accessKeyId, [KEYS.secretAccessKey]: h.key.secretAccessKey, [KEYS.enabled]: "true",
    });

    describe("records of 0.2.0 left on an appliance are honoured, then replaced by the journal", () => {
        it("a pending-run record: the next up runs the configuration once, even with nothing to write", async () => {
            h.sim.setConfig(declared());
            writeFileSync(file("run-pending"), "");
            await h.provider.create(inputs());
            assert.equal(h.sim.clientRuns().length, 1);
            assert.deepEqual(h.sim.appliedConfig(), h.sim.config());
            assert.ok(!existsSync(file("run-pending")), "the 0.2.0 record is gone");
            assert.match(readFileSync(file("journal"), "utf8"), /^phase=idle$/m);
            await h.provider.create(inputs());
            assert.equal(h.sim.clientRuns().length, 1, "no run owed any more");
        });

        it("a maintenance claim: maintenance left on by an interrupted 0.2.0 operation is ended", async () => {
            h.sim.setConfig(declared());
            writeFileSync(file("maintenance"), "1764500000\n");
            h.sim.maintenance = "on";
            await h.provider.create(inputs());
            assert.equal(h.sim.maintenance, "off");
            assert.ok(!existsSync(file("maintenance")));
        });

        it("an owner record: the replaced resource's delete leaves Packages on", async () => {
            const { outs } = await h.provider.create(inputs({ onDelete: "disable" }));
            writeFileSync(file("owner"), "ghes.example.com\n");
            rmJournal();
            await h.provider.delete!("id", outs);
            assert.equal(h.sim.config()[KEYS.enabled], "true");
            assert.ok(h.logs.some((l) => /configured since as ghes\.example\.com, not 127\.0\.0\.1/.test(l)));
        });
    });
    const rmJournal = () => { if (existsSync(file("journal"))) writeFileSync(file("journal"), "ghes-packages-s3 journal 1\nphase=idle\nmaintenance=no\n"); };

    it("holds no secret: neither the journal nor a command that writes it carries the secret key", async () => {
        await h.provider.create(inputs());
        assert.ok(!readFileSync(file("journal"), "utf8").includes(h.key.secretAccessKey));
        const journalWrites = h.sim.commands.filter((c) => /\.journal/.test(c.command));
        assert.ok(journalWrites.some((c) => /^digest=[0-9a-f]+%3A[0-9a-f]{64}$/m.test(c.command)), "the run owed is recorded with a salted digest");
        assert.ok(journalWrites.every((c) => !c.command.includes(h.key.secretAccessKey) && !c.stdin.includes(h.key.secretAccessKey)));
    });

    it("records are read between tags, not by line position: a login banner changes nothing", async () => {
        const { outs } = await h.provider.create(inputs({ onDelete: "disable" }));
        h.sim.banner = "Welcome to GitHub Enterprise Server (maintenance window on Sunday)";
        await h.provider.delete!("id", outs);
        assert.equal(h.sim.config()[KEYS.enabled], "false", "Packages disabled: the owner read back is this resource's");
    });

    describe("maintenance claim", () => {
        it("a refused POST maintenance (403) leaves no claim: a window an operator opens later is never ended", async () => {
            let armed = true;
            h.sim.afterResponse = (r) => { if (armed && r.method === "GET" && r.path === "/manage/v1/maintenance") { armed = false; h.sim.failRequests(1, 403, "/manage/v1/maintenance"); } };
            await assert.rejects(h.provider.create(inputs({ maintenanceMode: true })), /POST \/manage\/v1\/maintenance .*HTTP 403/);
            h.sim.afterResponse = undefined;
            h.sim.maintenance = "on"; // the operator's window
            await h.provider.create(inputs()); // the next up runs what is owed
            await h.provider.create(inputs());
            assert.equal(h.sim.maintenance, "on");
            assert.deepEqual(h.sim.maintenanceLog, [], "maintenance never turned off");
            assert.equal(h.sim.clientRuns().length, 1);
        });

        it("a scheduled window is never ended, even with this package's claim left on the appliance", async () => {
            h.sim.setConfig(declared());
            writeFileSync(file("maintenance"), "1764500000\n");
            h.sim.maintenance = "scheduled";
            await h.provider.create(inputs());
            assert.equal(h.sim.maintenance, "scheduled");
            assert.deepEqual(h.sim.maintenanceLog, []);
            assert.ok(!existsSync(file("maintenance")), "the claim is dropped: this window is not the package's");
        });
    });

    it("an admin shell that closed while idle during a successful run: verified over a fresh one, nothing left behind", async () => {
        h.sim.afterResponse = (r) => { if (r.method === "POST" && r.path === "/manage/v1/config/apply") h.sim.closeShells(); };
        await h.provider.create(inputs());
        h.sim.afterResponse = undefined;
        assert.equal(h.sim.clientRuns().length, 1);
        assert.ok(!existsSync(file("lock")), "lock released");
        assert.match(readFileSync(file("journal"), "utf8"), /^phase=idle$/m);
        await h.provider.create(inputs());
        assert.equal(h.sim.clientRuns().length, 1);
    });

    it("the final command (journal idle, lock released) failing: the operation succeeds with a WARNING, and the next up adopts the run instead of starting another", async () => {
        // The command after the read-back that verifies the run is the final one.
        h.sim.afterCommand = (c) => { if (/for k in/.test(c.command) && !/\.journal/.test(c.command)) { h.sim.afterCommand = undefined; h.sim.failCommand = { index: h.sim.commands.length, when: "before", status: 1 }; } };
        const procs = new Processes();
        const first = procs.spawn();
        h.runner = () => first;
        await h.provider.create(inputs());
        assert.ok(h.logs.some((l) => /WARNING: the operation journal on 127\.0\.0\.1 could not be updated .*adopts it instead of starting another/.test(l)), h.logs.join("\n"));
        procs.kill(first); // that pulumi up has ended; its lock is left over
        const next = procs.spawn();
        h.runner = () => next;
        await h.provider.create(inputs());
        assert.equal(h.sim.clientRuns().length, 1, "one run");
        assert.ok(h.logs.some((l) => /started after the interrupted operation's writes, succeeded: adopted, no new run/.test(l)));
        assert.ok(!existsSync(file("lock")));
    });

    it("an appliance that only answers run status for a given run_id: a run named in the journal is adopted after a kill", async () => {
        h.sim.requireRunId = true;
        h.sim.applyDurationMs = 5000;
        const procs = new Processes();
        const dying = procs.spawn();
        h.runner = () => dying;
        // Killed right after the journal named the run: the appliance answers nothing more to that process.
        h.sim.afterCommand = (c) => { if (/\.journal/.test(c.command) && /^run=/m.test(c.command)) h.sim.freezeAfterOperations = h.sim.operations + 1; };
        const clock = h.clock;
        h.clock = { now: clock.now, sleep: (ms) => (h.sim.frozen ? Promise.reject(new Error("killed")) : clock.sleep(ms)) };
        await assert.rejects(h.provider.create(inputs()), /killed|ECONNRESET|socket hang up|connection/i);
        h.clock = clock;
        h.sim.afterCommand = undefined;
        procs.kill(dying);
        h.sim.unfreeze();
        const next = procs.spawn();
        h.runner = () => next;
        await h.provider.create(inputs());
        assert.equal(h.sim.clientRuns().length, 1, "the run the journal names was adopted");
        assert.deepEqual(h.sim.appliedConfig(), h.sim.config());
    });

    it("GHES < 3.12: killed after ghe-config-apply succeeded, before the answer arrived: the next up runs it no more", async () => {
        await h.stop();
        h = await new Harness({ version: "3.11.4", applyDurationMs: 50 }, false).start();
        const key = generateEd25519KeyPair();
        h.sim.authorizeKey(key.public);
        const procs = new Processes();
        const dying = procs.spawn();
        h.runner = () => dying;
        h.sim.afterCommand = (c) => { if (/ghe-config '/.test(c.command)) h.sim.freezeAfterOperations = h.sim.operations + 1; };
        const clock = h.clock;
        h.clock = { now: clock.now, sleep: (ms) => (h.sim.frozen ? Promise.reject(new Error("killed")) : clock.sleep(ms)) };
        await assert.rejects(h.provider.create(inputs({ sshPrivateKey: key.private })), /killed|connection|not connected|closed|ECONNRESET|dropped/i);
        h.clock = clock;
        h.sim.afterCommand = undefined;
        procs.kill(dying);
        h.sim.unfreeze();
        const next = procs.spawn();
        h.runner = () => next;
        await h.provider.create(inputs({ sshPrivateKey: key.private }));
        assert.equal(h.sim.toolInvocations().filter((i) => i.tool === "ghe-config-apply").length, 1, "one ghe-config-apply");
        assert.deepEqual(h.sim.appliedConfig(), h.sim.config());
    });

    it("logs values read from the appliance printable: no terminal escapes from an owner record or a lock holder", async () => {
        const { outs } = await h.provider.create(inputs({ onDelete: "disable" }));
        rmJournal();
        writeFileSync(file("owner"), "evil\x1b]0;pwned\x07\x1b[2J.example.com\n");
        await h.provider.delete!("id", outs);
        mkdirSync(file("lock"));
        writeFileSync(join(file("lock"), "holder"), `ci\x1b[31m-runner:4242:cafe ${Math.floor(Date.now() / 1000) - 999_999} 1\n`);
        // Not a holder line the lock can use, so it is aged by its directory's time (ghes/applianceLock.ts): make that old.
        const old = Date.now() / 1000 - 999_999;
        utimesSync(file("lock"), old, old);
        await h.provider.create(inputs());
        const logged = h.logs.join("\n");
        assert.ok(!logged.includes("\x1b") && !logged.includes("\x07"), "no escape or bell reaches the log");
        assert.ok(logged.includes("evil\\x1b]0;pwned\\x07"), "shown escaped");
    });
});
