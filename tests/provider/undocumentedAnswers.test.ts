import { strict as assert } from "node:assert";
import { generateEd25519KeyPair } from "../../ghes/sshKeys";
import { Harness } from "../support/providerHarness";

/*
 * Where GitHub documents nothing, the client must not rely on the simulator's choice: each
 * plausible answer is fed to it here (rehearsal/ghesSimulator.ts names each choice; the GHES
 * descriptions document only 200/400/401 for POST and GET config/apply, pinned in
 * tests/rehearsal/ghesSimulator.test.ts).
 */
describe("provider: answers GitHub does not document, each plausible one fed to the client", function () {
    this.timeout(60000);
    let h: Harness;
    afterEach(async () => { await h?.stop(); });
    // Answers of the appliance: no bucket involved, so no local S3 (the storage check is off, as in journal.test.ts).
    const start = async (o: ConstructorParameters<typeof Harness>[0] = {}) => { h = await new Harness({ applyDurationMs: 150, ...o }, false).start(); };
    const posts = () => h.sim.requests.filter((r) => r.method === "POST" && r.path === "/manage/v1/config/apply");

    for (const status of [409, 423, 400, 422]) {
        it(`POST config/apply answered ${status} while another run is in progress: waits for that run, then starts its own (one run)`, async () => {
            await start();
            h.sim.busyStatus = status;
            let started = false;
            // A foreign run starts right after the client saw the appliance idle and wrote its settings, so its POST meets a busy appliance.
            h.sim.afterCommand = (c) => {
                if (!started && /ghe-config '/.test(c.command)) { started = true; h.sim.startExternalRun(300); }
            };
            await h.provider.create(h.inputs());
            assert.ok(posts().some((r) => r.status === status), `a POST was answered ${status}`);
            assert.equal(posts()[posts().length - 1].status, 200);
            assert.equal(h.sim.clientRuns().length, 1);
        });
    }

    it("POST config/apply answered 422 while nothing runs: fails at once, naming the endpoint and status (no retry loop)", async () => {
        await start();
        let armed = false;
        h.sim.afterResponse = (r) => {
            if (!armed && r.method === "GET" && r.path === "/manage/v1/config/apply") { armed = true; h.sim.failRequests(1, 422, "/manage/v1/config/apply"); }
        };
        await assert.rejects(h.provider.create(h.inputs()), /Manage API POST \/manage\/v1\/config\/apply on .* failed: HTTP 422/);
        assert.equal(posts().length, 1);
        assert.equal(h.sim.clientRuns().length, 0);
    });

    for (const answer of ["404", "400", "empty-200"] as const) {
        it(`a run the appliance does not know yet (answered ${answer}) is waited for, not reported failed`, async () => {
            await start();
            h.sim.unknownRunAnswer = answer;
            h.sim.afterResponse = (r) => { if (r.method === "POST" && r.path === "/manage/v1/config/apply" && r.status === 200) { h.sim.forgetRunsForNextPolls = 2; h.sim.afterResponse = undefined; } };
            const { outs } = await h.provider.create(h.inputs());
            assert.equal(outs.applyRunId, "sim-run-1");
            assert.equal(h.sim.clientRuns().length, 1);
        });

        it(`a run the appliance never knows (answered ${answer}) fails after a bounded wait, naming the run`, async () => {
            await start();
            h.sim.unknownRunAnswer = answer;
            h.sim.afterResponse = (r) => { if (r.method === "POST" && r.path === "/manage/v1/config/apply" && r.status === 200) h.sim.forgetRunsForNextPolls = 1000; };
            await assert.rejects(h.provider.create(h.inputs()), /the appliance does not know configuration run sim-run-1 \(asked \d+ times; last answer: /);
            const polls = h.sim.requests.filter((r) => r.method === "GET" && r.path === "/manage/v1/config/apply?run_id=sim-run-1").length;
            assert.ok(polls <= 10, `${polls} polls: bounded`);
        });

        it(`"no run yet" answered ${answer}: no configuration run is started when GHES already holds the settings`, async () => {
            await start();
            h.sim.unknownRunAnswer = answer;
            const inputs = h.inputs();
            h.sim.setConfig({
                "secrets.packages.blob-storage-type": "s3", "secrets.packages.service-url": String(inputs.serviceUrl), "secrets.packages.s3-bucket": String(inputs.bucket),
                "secrets.packages.aws-access-key": String(inputs.accessKeyId), "secrets.packages.aws-secret-key": String(inputs.secretAccessKey), "app.packages.enabled": "true",
            });
            await h.provider.create(inputs);
            assert.equal(h.sim.runs.length, 0);
        });
    }

    for (const topLevel of ["failed", "successful"] as const) {
        it(`a node that fails while the top level still reads running (top level at the end: ${topLevel}): waits for the top level, then fails naming the node`, async () => {
            await start({ nodes: ["ghe-primary", "ghe-replica"], applyDurationMs: 600 });
            h.sim.failNodeOfNextRun = "ghe-replica";
            h.sim.topLevelAfterNodeFailure = topLevel;
            await assert.rejects(h.provider.create(h.inputs()), /configuration run sim-run-1 failed on ghe-replica\./);
            const last = h.sim.requests.filter((r) => r.path === "/manage/v1/config/apply?run_id=sim-run-1").pop()?.response as { running: boolean };
            assert.equal(last.running, false, "the client waited until the run as a whole had ended");
        });
    }

    for (const exit of [1, 2, 255]) {
        it(`ghe-config-apply exiting ${exit} (GHES's script exits 1 on its own failures, 2 on usage, else whatever failed under set -e): reported as a failed run`, async () => {
            await start({ version: "3.11.4" });
            const key = generateEd25519KeyPair();
            h.sim.authorizeKey(key.public);
            h.sim.legacyApplyExit = exit;
            await assert.rejects(h.provider.create(h.inputs({ sshPrivateKey: key.private })), new RegExp(`ghe-config-apply failed with exit status ${exit}\\. The settings are written but not in effect`));
        });
    }

    for (const comments of [true, false]) {
        it(`GET access/ssh ${comments ? "keeps" : "drops"} key comments: the operation succeeds, removes its own key, never another; a stale temporary key is ${comments ? "removed" : "left (never guessed) and reported"}`, async () => {
            await start();
            const operator = generateEd25519KeyPair("operator@laptop").public;
            const stale = generateEd25519KeyPair(`ghes-packages-s3-temporary-${h.clock.now() - 7 * 3600_000}-0123456789abcdef`).public;
            h.sim.authorizeKey(operator);
            h.sim.authorizeKey(stale);
            h.sim.listKeyComments = comments;
            await h.provider.create(h.inputs());
            assert.deepEqual([...h.sim.authorizedKeys], comments ? [operator.trim()] : [operator.trim(), stale.trim()]);
            assert.equal(h.logs.some((l) => /lists the admin shell's keys without comments: stale temporary keys of this package cannot be recognised; remove any ghes-packages-s3-temporary-\* key under Management Console > SSH access/.test(l)), !comments);
        });
    }
});
