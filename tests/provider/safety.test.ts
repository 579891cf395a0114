import { strict as assert } from "node:assert";
import { KEYS } from "../../ghes/gheConfigKeys";
import { currentHolder, formatHolder } from "../../ghes/holderIdentity";
import { generateEd25519KeyPair } from "../../ghes/sshKeys";
import { identityPolicyFor } from "../../rehearsal/fixtures";
import { OWNER_MARKER } from "../../storage/storageCheck";
import { GhesSimulator } from "../../rehearsal/ghesSimulator";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { readAfter, writesMeet } from "../support/interleavings";
import { Harness } from "../support/providerHarness";

/*
 * What production meets and the first simulator never showed: an unverified first contact,
 * answers lost on the wire, interrupted runs, concurrent writers, and an operator's own
 * maintenance window. Each case failed on the code before the fix (see the closing note of
 * issue 8).
 */
describe("provider: safe against the real appliance and an interrupted world", () => {
    let h: Harness;
    /**
     * Fresh stand-ins for each test of a group. The local S3 (and so the storage check and the
     * bucket claim) only where the bucket is what the group is about: elsewhere the behaviour
     * pinned is the appliance's, and the check would be a fifth of each operation's work for
     * nothing (as in tests/provider/journal.test.ts).
     */
    const standIns = (withS3: boolean) => {
        beforeEach(async () => { h = await new Harness({}, withS3).start(); });
        afterEach(async () => { await h.stop(); });
    };
    const unpinned = () => { const i = h.inputs(); delete (i as Record<string, unknown>).sshHostKeyFingerprint; return i; };

    describe("first contact", () => {
        standIns(false);
        it("refuses to send any secret to an admin shell whose host key nobody verified, naming the key it saw", async () => {
            await assert.rejects(h.provider.create(unpinned()), (e: Error) =>
                e.message.includes(h.sim.hostKeyFingerprint) && /sshHostKeyFingerprint/.test(e.message) && /sshHostKeyTrustOnFirstUse/.test(e.message));
            assert.equal(h.sim.commands.length, 0, "no command (and so no secret) reached the unverified host");
            assert.equal(h.sim.authorizedKeys.size, 0, "the temporary key was removed again");
        });

        it("trusts on first use only when asked to, and logs the fingerprint it trusted", async () => {
            const { outs } = await h.provider.create({ ...unpinned(), sshHostKeyTrustOnFirstUse: true });
            assert.equal(outs.hostKeyFingerprint, h.sim.hostKeyFingerprint);
            assert.ok(h.logs.some((l) => l.includes(`trusting the admin shell's host key ${h.sim.hostKeyFingerprint} on first use`)));
        });
    });

    describe("maintenance mode", () => {
        standIns(false);
        it("leaves an operator's maintenance window on (GET answers an array per node)", async () => {
            h.sim.maintenance = "on";
            await h.provider.create(h.inputs({ maintenanceMode: true }));
            assert.deepEqual(h.sim.maintenanceLog, [], "neither turned on again nor turned off");
            assert.equal(h.sim.maintenance, "on");
        });

        it("treats a scheduled window as the operator's", async () => {
            h.sim.maintenance = "scheduled";
            await h.provider.create(h.inputs({ maintenanceMode: true }));
            assert.deepEqual(h.sim.maintenanceLog, []);
        });

        it("maintenance left on by an interrupted operation is ended by the next one (its claim on the appliance says whose it was)", async () => {
            h.sim.afterResponse = (r) => { if (r.method === "GET" && r.path.startsWith("/manage/v1/config/apply?run_id")) h.sim.failRequests(100, 500, "/manage/v1/maintenance"); };
            await assert.rejects(h.provider.create(h.inputs({ maintenanceMode: true })), /still on/);
            assert.equal(h.sim.maintenance, "on", "the interrupted operation left maintenance on");
            h.sim.afterResponse = undefined;
            h.sim.failRequests(0);
            await h.provider.create(h.inputs()); // the next pulumi up, nothing to change
            assert.equal(h.sim.maintenance, "off");
            await h.provider.create(h.inputs());
            assert.deepEqual(h.sim.maintenanceLog, [true, false], "ended once; the claim is gone, so nothing more is touched");
        });

        it("a failure to turn maintenance off again fails the operation", async () => {
            h.sim.afterResponse = (r) => { if (r.method === "GET" && r.path.startsWith("/manage/v1/config/apply?run_id")) h.sim.failRequests(10, 500, "/manage/v1/maintenance"); };
            await assert.rejects(h.provider.create(h.inputs({ maintenanceMode: true })), /maintenance mode.*still on/i);
        });
    });

    describe("lost answers and leftovers", () => {
        standIns(false);
        it("never repeats POST config/apply whose answer was lost: it adopts the run that started", async () => {
            h.sim.loseNextApplyAnswers = 1;
            const { outs } = await h.provider.create(h.inputs());
            assert.equal(h.sim.clientRuns().length, 1, "exactly one configuration run");
            assert.equal(outs.applyRunId, h.sim.clientRuns()[0].id);
            assert.deepEqual(h.sim.appliedConfig(), h.sim.config());
        });

        it("removes stale temporary SSH keys this package left behind, and only those", async () => {
            // Older than the longest configuration run allowed (applyTimeoutSeconds <= 6 h) plus its margin, in both formats.
            const stale = generateEd25519KeyPair(`ghes-packages-s3-temporary-${Date.now() - 7 * 3600_000}-0123456789abcdef`).public;
            const staleOf020 = generateEd25519KeyPair(`pulumi-ghes-packages-${Date.now() - 7 * 3600_000}`).public; // as 0.2.0 named them
            // Another stack's key, possibly still in use by a run of up to 6 h.
            const inUse = generateEd25519KeyPair(`ghes-packages-s3-temporary-${Date.now() - 6 * 3600_000}-fedcba9876543210`).public;
            const operators = generateEd25519KeyPair("alice@laptop").public;
            const lookalike = generateEd25519KeyPair(`alice-pulumi-ghes-packages-${Date.now() - 7 * 3600_000}-old`).public;
            for (const k of [stale, staleOf020, inUse, operators, lookalike]) h.sim.authorizeKey(k);
            await h.provider.create(h.inputs());
            assert.deepEqual([...h.sim.authorizedKeys], [inUse, operators, lookalike].map((k) => k.trim()));
        });

        it("leaves an administrator's key whose comment only resembles a temporary key's (pulumi-ghes-packages-2025)", async () => {
            const administrators = generateEd25519KeyPair("pulumi-ghes-packages-2025").public;
            const dated = generateEd25519KeyPair("pulumi-ghes-packages-20250101").public;
            h.sim.authorizeKey(administrators);
            h.sim.authorizeKey(dated);
            await h.provider.create(h.inputs());
            assert.deepEqual([...h.sim.authorizedKeys].sort(), [administrators.trim(), dated.trim()].sort());
        });

        it("registers its temporary key under an unambiguous comment stamped with the appliance's time", async () => {
            h.sim.clockOffsetMs = 3 * 24 * 3600_000; // the appliance's clock is three days ahead of this runner's
            await h.provider.create(h.inputs());
            const added = h.sim.requests.filter((r) => r.method === "POST" && r.path === "/manage/v1/access/ssh").map((r) => (r.body as { key: string }).key);
            assert.equal(added.length, 1);
            const m = /^ssh-ed25519 \S+ ghes-packages-s3-temporary-(\d{13})-[0-9a-f]{16}$/.exec(added[0]);
            assert.ok(m, added[0]);
            const skew = Number(m[1]) - (h.clock.now() + h.sim.clockOffsetMs);
            assert.ok(Math.abs(skew) < 10 * 60_000, `stamped ${skew} ms away from the appliance's clock`);
        });

        it("ages temporary keys by the appliance's clock (the Date header of its answers), not by this runner's", async () => {
            // Keys as 0.2.0 registered them, stamped by runners whose clocks agreed with the appliance's.
            const keysAt = (applianceNow: number) => ({
                stale: generateEd25519KeyPair(`pulumi-ghes-packages-${applianceNow - 7 * 3600_000}`).public, // older than 6 h 30 min
                inUse: generateEd25519KeyPair(`pulumi-ghes-packages-${applianceNow - 60_000}`).public,
            });
            // The appliance's clock is 7 hours ahead of this runner's: by the runner's, the stale key looks fresh.
            h.sim.clockOffsetMs = 7 * 3600_000;
            let keys = keysAt(h.clock.now() + h.sim.clockOffsetMs);
            h.sim.authorizeKey(keys.stale);
            h.sim.authorizeKey(keys.inUse);
            await h.provider.create(h.inputs());
            assert.deepEqual([...h.sim.authorizedKeys], [keys.inUse.trim()], "the stale key is removed, the one in use is kept");
            // 7 hours behind: by this runner's clock, another stack's key in use looks stale.
            h.sim.authorizedKeys.clear();
            h.sim.clockOffsetMs = -7 * 3600_000;
            keys = keysAt(h.clock.now() + h.sim.clockOffsetMs);
            h.sim.authorizeKey(keys.inUse);
            await h.provider.create(h.inputs());
            assert.deepEqual([...h.sim.authorizedKeys], [keys.inUse.trim()], "another stack's key in use is never removed");
        });

        it("without a Date header in the appliance's answers, ages keys by this runner's clock", async () => {
            h.sim.sendDate = false;
            const stale = generateEd25519KeyPair(`pulumi-ghes-packages-${Date.now() - 7 * 3600_000}`).public;
            h.sim.authorizeKey(stale);
            await h.provider.create(h.inputs());
            assert.deepEqual([...h.sim.authorizedKeys], []);
        });
    });

    describe("interrupted and concurrent operations", () => {
        standIns(false);
        it("interrupted between writing and the run: the next up runs the configuration (a pending-run record on the appliance)", async () => {
            // The operation dies after its writes, before any run starts (here: POST config/apply refused).
            let armed = true;
            h.sim.afterResponse = (r) => {
                if (armed && r.method === "GET" && r.path === "/manage/v1/config/apply") { armed = false; h.sim.failRequests(1, 400, "/manage/v1/config/apply"); }
            };
            await assert.rejects(h.provider.create(h.inputs()), /POST \/manage\/v1\/config\/apply .*HTTP 400/);
            assert.equal(h.sim.clientRuns().length, 0);
            assert.equal(h.sim.appliedConfig(), undefined, "written, never applied");
            h.sim.afterResponse = undefined;
            await h.provider.create(h.inputs()); // the next pulumi up: nothing differs, yet a run is due
            assert.equal(h.sim.clientRuns().length, 1);
            assert.deepEqual(h.sim.appliedConfig(), h.sim.config());
            await h.provider.create(h.inputs());
            assert.equal(h.sim.clientRuns().length, 1, "cleared after the successful run: no further run");
        });

        it("applyConfiguration false -> true runs the configuration that was written but never applied", async () => {
            const { outs } = await h.provider.create(h.inputs({ applyConfiguration: false }));
            assert.equal(h.sim.clientRuns().length, 0);
            await h.provider.update!("id", outs, h.inputs({ applyConfiguration: true }));
            assert.equal(h.sim.clientRuns().length, 1);
            assert.deepEqual(h.sim.appliedConfig(), h.sim.config());
        });

        it("a retried destroy with onDelete disable runs the configuration again after a failed run", async () => {
            const { id, outs } = await h.provider.create(h.inputs({ onDelete: "disable" }));
            h.sim.failNextRuns = 1;
            await assert.rejects(h.provider.delete!(id, outs), /configuration run .* failed/);
            await h.provider.delete!(id, outs);
            assert.equal(h.sim.appliedConfig()![KEYS.enabled], "false", "Packages is off in effect, not only in ghe-config");
        });

        it("disable on delete only when GHES still holds this resource's bucket and key", async () => {
            const { id, outs } = await h.provider.create(h.inputs({ onDelete: "disable" }));
            h.sim.setConfig({ [KEYS.bucket]: "another-stacks-bucket", [KEYS.accessKeyId]: "AKIAANOTHERSTACK0001" });
            await h.provider.delete!(id, outs);
            assert.equal(h.sim.config()[KEYS.enabled], "true");
            assert.ok(h.logs.some((l) => /no longer holds this resource's storage/.test(l)));
        });

        it("two stacks on one appliance: one succeeds, the other fails naming the conflict, and no mixed pair is applied", async () => {
            await h.stop();
            h = await new Harness({ applyDurationMs: 300 }, true, ["ghes-packages-other-stack"]).start();
            const otherKey = { accessKeyId: "AKIAOTHERSTACK000001", secretAccessKey: "other-stack-secret-0000/+1111222233334" };
            h.s3!.addKey({ ...otherKey, policy: identityPolicyFor("ghes-packages-other-stack") });
            const results = await Promise.allSettled([
                h.provider.create(h.inputs()),
                h.otherProvider().create(h.inputs({ bucket: "ghes-packages-other-stack", ...otherKey })),
            ]);
            const ok = results.filter((r) => r.status === "fulfilled");
            const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
            assert.equal(ok.length, 1, "exactly one writer succeeds");
            assert.match(String(failed[0].reason), /already stores packages elsewhere|configuration lock|no longer holds what this operation wrote/);
            const applied = h.sim.appliedConfig()!;
            const pairs = [[h.bucket, h.key.accessKeyId], ["ghes-packages-other-stack", otherKey.accessKeyId]];
            assert.ok(pairs.some(([b, k]) => applied[KEYS.bucket] === b && applied[KEYS.accessKeyId] === k), `applied a consistent pair: ${applied[KEYS.bucket]} / ${applied[KEYS.accessKeyId]}`);
        });

        it("a lock left by a killed process of this machine is broken at once; a live holder elsewhere makes the next writer wait, then fail naming it", async () => {
            const lock = join(h.sim.dir, ".ghes-packages-s3.lock");
            const exited = spawnSync(process.execPath, ["-e", ""]).pid!;
            mkdirSync(lock);
            writeFileSync(join(lock, "holder"), `${formatHolder({ ...currentHolder(), pid: exited })} ${Math.floor(Date.now() / 1000)} 2400\n`);
            await h.provider.create(h.inputs());
            assert.ok(h.logs.some((l) => l.includes(`breaking the configuration lock of pid ${exited} on `)));
            assert.ok(!existsSync(lock), "released after the operation");

            mkdirSync(lock);
            writeFileSync(join(lock, "holder"), `ci-runner-7:4242:cafe ${Math.floor(Date.now() / 1000)}\n`);
            const writes = h.sim.writes();
            await assert.rejects(h.provider.create(h.inputs({ bucket: h.bucket, applyTimeoutSeconds: 10 })),
                /another operation \("ci-runner-7:4242:cafe"\) is configuring this appliance.*ssh -p \d+ admin@127\.0\.0\.1 -- rm -rf \.ghes-packages-s3\.lock/s);
            assert.equal(h.sim.writes(), writes, "nothing written");
        });

        it("a holder with this runner's host name on another machine (a clone) is not broken as a dead process of this one", async () => {
            const lock = join(h.sim.dir, ".ghes-packages-s3.lock");
            mkdirSync(lock);
            // What 0.2.0 wrote, from a clone with the same host name whose process 999999 runs there.
            writeFileSync(join(lock, "holder"), `${hostname()}:999999:clone ${Math.floor(Date.now() / 1000)} 2400\n`);
            await assert.rejects(h.provider.create(h.inputs({ applyTimeoutSeconds: 10 })), new RegExp(`another operation \\("${hostname()}:999999:clone"\\) is configuring this appliance`));
            assert.ok(!h.logs.some((l) => /breaking/.test(l)));
            assert.equal(h.sim.writes(), 0, "nothing written");
        });

        it("fails when the appliance holds other values after the run than this operation wrote (a writer without the lock)", async () => {
            h.sim.afterResponse = (r) => { if (r.method === "POST" && r.path === "/manage/v1/config/apply") h.sim.setConfig({ [KEYS.bucket]: "edited-in-the-console" }); };
            await assert.rejects(h.provider.create(h.inputs()), /no longer holds what this operation wrote: secrets\.packages\.s3-bucket changed meanwhile/);
        });

        it("a replacement that reaches the same appliance by another name (IP for DNS name): the old resource's delete leaves Packages on", async () => {
            await h.stop();
            h = await new Harness().start(); // with the bucket, whose marker a replacement by another name must be allowed to share
            const { id, outs } = await h.provider.create(h.inputs({ onDelete: "disable" }));
            // The engine creates the replacement first (same bucket and key, another host name) ...
            await h.provider.create(h.inputs({ hostname: "localhost", caBundle: undefined, dangerouslySkipTlsVerification: true, onDelete: "disable", allowSharedBucket: true }));
            // ... and deletes the old resource last.
            await h.provider.delete!(id, outs);
            assert.equal(h.sim.config()[KEYS.enabled], "true");
            assert.ok(h.logs.some((l) => /configured since as localhost, not 127\.0\.0\.1/.test(l)));
        });

        it("a rotation whose secret write fails leaves the old pair stored, and a run anyone starts afterwards applies a matching pair", async () => {
            const { outs } = await h.provider.create(h.inputs());
            const rotated = { accessKeyId: "AKIAROTATED000000010", secretAccessKey: "rotated-secret-9999/+yyyyXXXXwwww0010" };
            h.addKey(rotated);
            const runs = h.sim.clientRuns().length;
            h.sim.failWrites(2); // the key id lands, the secret's write fails
            await assert.rejects(h.provider.update!("id", outs, h.inputs(rotated)), (e: Error) =>
                /writing secrets\.packages\.aws-secret-key failed/.test(e.message) && /restored to its previous value/.test(e.message) &&
                /no configuration run was started/.test(e.message) && !e.message.includes(rotated.secretAccessKey));
            assert.equal(h.sim.clientRuns().length, runs, "no run started");
            assert.deepEqual([h.sim.config()[KEYS.accessKeyId], h.sim.config()[KEYS.secretAccessKey]], [h.key.accessKeyId, h.key.secretAccessKey]);
            // An operator saves another setting: the run applies what is stored, a matching pair.
            h.sim.startExternalRun(10);
            await h.clock.sleep(20);
            assert.deepEqual([h.sim.appliedConfig()![KEYS.accessKeyId], h.sim.appliedConfig()![KEYS.secretAccessKey]], [h.key.accessKeyId, h.key.secretAccessKey]);
        });

        it("a journal that cannot record the owed run stops the operation before any setting (never 'nothing written' while keys landed)", async () => {
            const { outs } = await h.provider.create(h.inputs());
            const rotated = { accessKeyId: "AKIAROTATED000000011", secretAccessKey: "rotated-secret-9999/+yyyyXXXXwwww0011" };
            h.addKey(rotated);
            const blocked = join(h.sim.dir, ".ghes-packages-s3.journal.tmp");
            mkdirSync(blocked); // the journal's write fails, as on a full disk
            const runs = h.sim.clientRuns().length;
            await assert.rejects(h.provider.update!("id", outs, h.inputs(rotated)), /^GhesOperationError: the operation journal on the appliance \(~\/\.ghes-packages-s3\.journal\) could not be written/);
            assert.deepEqual([h.sim.config()[KEYS.accessKeyId], h.sim.config()[KEYS.secretAccessKey]], [h.key.accessKeyId, h.key.secretAccessKey], "GHES stores the old pair: the journal comes before any setting");
            assert.equal(h.sim.clientRuns().length, runs, "no run");
            rmSync(blocked, { recursive: true });
            await h.provider.update!("id", outs, h.inputs(rotated));
            assert.equal(h.sim.clientRuns().length, runs + 1, "the next up writes the pair and runs once");
            assert.equal(h.sim.appliedConfig()![KEYS.accessKeyId], rotated.accessKeyId);
        });

        it("writes a rotated key pair in one remote command, so no interruption leaves half a pair", async () => {
            const { outs } = await h.provider.create(h.inputs());
            const rotated = { accessKeyId: "AKIAROTATED000000009", secretAccessKey: "rotated-secret-9999/+yyyyXXXXwwww0009" };
            h.addKey(rotated);
            const before = h.sim.commands.length;
            await h.provider.update!("id", outs, h.inputs(rotated));
            const writes = h.sim.commands.slice(before).filter((c) => c.stdin.length > 0 && c.command.includes(KEYS.accessKeyId) && c.command.includes(KEYS.secretAccessKey));
            assert.equal(writes.length, 1, "one command writes both keys");
            assert.ok(!writes[0].command.includes(rotated.secretAccessKey), "the secret travels on stdin");
        });
    });

    describe("one bucket, one appliance", () => {
        standIns(true);
        const marker = async () => {
            const keys = await h.s3!.objectKeys(h.bucket);
            return keys.includes(OWNER_MARKER) ? (await h.s3!.objectText(h.bucket, OWNER_MARKER)) : undefined;
        };

        it("refuses a bucket another appliance's marker claims (a staging copy of production), before touching GHES", async () => {
            // Production claimed the bucket first.
            await h.s3!.putObjectText(h.bucket, OWNER_MARKER, JSON.stringify({ hostname: "ghes-prod.example.com", by: "ghes-packages-s3" }));
            await assert.rejects(h.provider.create(h.inputs()), /marked as the Packages storage of "ghes-prod\.example\.com" .*not of 127\.0\.0\.1.*allowSharedBucket/s);
            assert.equal(h.sim.requests.length, 0, "GHES untouched");
            await h.provider.create(h.inputs({ allowSharedBucket: true }));
            assert.ok(h.logs.some((l) => l.includes("now marked as the Packages storage of 127.0.0.1 (was: \"ghes-prod.example.com\")")));
            assert.equal(JSON.parse((await marker())!).hostname, "127.0.0.1", "the marker names this appliance now");
            const puts = h.s3!.requests.filter((r) => r.method === "PUT" && r.path.split("?")[0].endsWith(`/${OWNER_MARKER}`)).length;
            await h.provider.create(h.inputs());
            assert.equal(h.s3!.requests.filter((r) => r.method === "PUT" && r.path.split("?")[0].endsWith(`/${OWNER_MARKER}`)).length, puts, "a bucket already ours is not written again");
        });

        it("a refused first contact (host key nobody verified) does not claim the bucket", async () => {
            await assert.rejects(h.provider.create(unpinned()), /no key is pinned/);
            assert.equal(await marker(), undefined);
        });

        it("claims the bucket only after the appliance's host key was verified, before any setting is written", async () => {
            const claimed = () => h.s3!.requests.some((r) => r.method === "PUT" && r.path.split("?")[0].endsWith(`/${OWNER_MARKER}`) && r.outcome === "allowed");
            const seen: { claimed: boolean; writes: number }[] = [];
            h.sim.afterCommand = () => seen.push({ claimed: claimed(), writes: h.sim.writes() });
            await h.provider.create(h.inputs());
            h.sim.afterCommand = undefined;
            assert.equal(seen[0].claimed, false, "not claimed before the admin shell (and its host key) was reached");
            const firstWrite = seen.find((c) => c.writes > 0);
            assert.equal(firstWrite?.claimed, true, "claimed before the command that wrote the first setting");
        });

        for (const [what, text] of [["not JSON", "<html>bucket index</html>"], ["JSON of another shape", JSON.stringify({ owner: 42 })]]) {
            it(`a marker that is ${what} fails clearly, naming the bucket and the object and what to do, before touching GHES`, async () => {
                await h.s3!.putObjectText(h.bucket, OWNER_MARKER, text);
                await assert.rejects(h.provider.create(h.inputs()), (e: Error) => {
                    assert.doesNotMatch(e.message, /SyntaxError|Unexpected token/);
                    assert.match(e.message, new RegExp(`s3://${h.bucket}/_ghes-packages-owner\\.json`));
                    assert.match(e.message, /not an ownership marker this package wrote/);
                    assert.match(e.message, /delete it/);
                    return true;
                });
                assert.equal(h.sim.writes(), 0);
            });
        }

        describe("two appliances claiming one bucket at once (each interleaving forced, once)", () => {
            /** Another appliance, configured with another key of the same bucket (so the local S3 tells the two apart). */
            const OTHER_KEY = { accessKeyId: "AKIAOTHERAPPLIANCE01", secretAccessKey: "other-appliance-secret-0000/+1111222233" };
            let other: GhesSimulator;
            let otherInputs: ReturnType<Harness["inputs"]>;
            beforeEach(async () => {
                other = await new GhesSimulator({ applyDurationMs: 20 }).start();
                h.addKey(OTHER_KEY);
                otherInputs = h.inputs({
                    hostname: "localhost", managementPort: other.managePort, sshPort: other.sshPort, caBundle: undefined, dangerouslySkipTlsVerification: true,
                    sshHostKeyFingerprint: other.hostKeyFingerprint, managementPassword: other.password, ...OTHER_KEY,
                });
            });
            afterEach(async () => { h.s3!.beforeServing = undefined; await other.stop(); });
            const both = () => Promise.allSettled([h.provider.create(h.inputs()), h.otherProvider().create(otherInputs)]);

            for (const first of ["127.0.0.1", "localhost"]) {
                it(`both checks read the bucket unclaimed, then both claim: ${first} writes the marker first and wins; the other re-reads, is refused, and writes nothing into its appliance`, async () => {
                    const keyOf = { "127.0.0.1": h.key.accessKeyId, "localhost": OTHER_KEY.accessKeyId };
                    writesMeet(h.s3!, h.bucket, OWNER_MARKER, first === "127.0.0.1" ? [keyOf["127.0.0.1"], keyOf.localhost] : [keyOf.localhost, keyOf["127.0.0.1"]]);
                    const results = await both();
                    const [winner, loser] = first === "127.0.0.1" ? [0, 1] : [1, 0];
                    assert.equal(results[winner].status, "fulfilled");
                    assert.equal(results[loser].status, "rejected");
                    assert.equal(JSON.parse((await marker())!).hostname, first, "the marker names the winner");
                    assert.match(String((results[loser] as PromiseRejectedResult).reason), new RegExp(`marked as the Packages storage of "${first.replace(/\./g, "\\.")}"`));
                    const loserSim = loser === 0 ? h.sim : other;
                    assert.equal(loserSim.config()[KEYS.bucket], undefined, "the loser wrote nothing into its appliance");
                    assert.equal(loserSim.writes(), 0);
                    assert.ok(loserSim.requests.length > 0, "the loser had reached its appliance (the claim comes after the host key check)");
                    assert.equal(h.s3!.requests.filter((r) => r.method === "PUT" && r.path.split("?")[0].endsWith(`/${OWNER_MARKER}`) && r.outcome === "PreconditionFailed").length, 1,
                        "both wrote the marker; the loser's condition failed");
                });
            }

            it("one claims before the other's check reads the marker: the other is refused by its check, before touching its appliance", async () => {
                const ours = h.provider.create(h.inputs());
                readAfter(h.s3!, h.bucket, OWNER_MARKER, OTHER_KEY.accessKeyId, ours);
                const results = await Promise.allSettled([ours, h.otherProvider().create(otherInputs)]);
                assert.equal(results[0].status, "fulfilled");
                assert.match(String((results[1] as PromiseRejectedResult).reason), /marked as the Packages storage of "127\.0\.0\.1" .*not of localhost/s);
                assert.equal(JSON.parse((await marker())!).hostname, "127.0.0.1");
                assert.equal(other.requests.length + other.commands.length, 0, "the other appliance untouched");
            });
        });
    });

    describe("storage guard", () => {
        standIns(false); // what GHES holds is judged; the bucket itself is not reached
        it("guards whenever storage is configured, reading the enable flag as git-config booleans do", async () => {
            for (const enabled of ["yes", "on", "1", "false"]) {
                h.sim.setConfig({ [KEYS.storageType]: "s3", [KEYS.serviceUrl]: String(h.inputs().serviceUrl), [KEYS.bucket]: "old-packages-bucket", [KEYS.enabled]: enabled });
                await assert.rejects(h.provider.create(h.inputs()), /already stores packages elsewhere|storage is configured elsewhere/, enabled);
            }
            assert.equal(h.sim.writes(), 0);
        });
    });

    describe("GHES < 3.12", () => {
        standIns(false);
        it("a connection dropped before ghe-config-apply says the settings are written but not in effect, and how to apply", async () => {
            await h.stop();
            h = await new Harness({ version: "3.11.4" }).start();
            const key = generateEd25519KeyPair();
            h.sim.authorizeKey(key.public);
            h.sim.dropCommandMatching = /^ghe-config-apply\b/;
            await assert.rejects(h.provider.create(h.inputs({ sshPrivateKey: key.private })), (e: Error) =>
                /written but not in effect/.test(e.message) && /ghe-config-apply/.test(e.message));
        });
    });
});
