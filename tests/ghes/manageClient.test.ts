import { strict as assert } from "node:assert";
import { createServer, Server, Socket } from "node:net";
import { Clock } from "../../ghes/clock";
import { ManageApiError } from "../../ghes/errors";
import { ManageClient } from "../../ghes/manageClient";
import { GhesSimulator } from "../../rehearsal/ghesSimulator";
import { virtualClock } from "../support/virtualClock";

describe("provider/manageClient: the Manage API over HTTPS", () => {
    let sim: GhesSimulator;
    let clock: Clock;
    const fastClock = { now: () => Date.now(), sleep: () => Promise.resolve() };
    const client = (o: Partial<ConstructorParameters<typeof ManageClient>[0]> = {}) => new ManageClient({
        hostname: "127.0.0.1", port: sim.managePort, user: "api_key", password: sim.password, caBundle: sim.caBundle, clock: fastClock, ...o,
    });
    beforeEach(async () => {
        clock = virtualClock();
        sim = await new GhesSimulator({ clock }).start();
    });
    afterEach(() => sim.stop());

    it("reads the version with Basic auth as api_key", async () => {
        assert.equal(await client().version(), "3.14.2");
        assert.equal(sim.requests[0].user, "api_key");
        assert.equal(sim.requests[0].authorized, true);
    });

    it("knows the appliance's time from the Date header of its answers (RFC 9110 §6.6.1), and says when it cannot", async () => {
        const c = client();
        assert.equal(c.applianceNow(), undefined, "nothing heard yet");
        sim.clockOffsetMs = 5 * 3600_000;
        await c.version();
        const skew = c.applianceNow()! - (Date.now() + sim.clockOffsetMs);
        assert.ok(Math.abs(skew) < 60_000, `${skew} ms off the appliance's clock (Date has whole seconds)`);
        const quiet = client();
        sim.sendDate = false;
        await quiet.version();
        assert.equal(quiet.applianceNow(), undefined, "no Date header: unknown, not this runner's time");
    });

    it("verifies the certificate: without the CA bundle it refuses to talk", async () => {
        await assert.rejects(client({ caBundle: undefined, attempts: 1 }).version(), (e: Error) => /GET \/manage\/v1\/version on 127\.0\.0\.1:\d+ failed: .*(self-signed|certificate)/i.test(e.message));
        assert.equal(sim.requests.length, 0, "no request reached the server");
    });

    it("can skip verification only when told to, explicitly", async () => {
        assert.equal(await client({ caBundle: undefined, dangerouslySkipTlsVerification: true }).version(), "3.14.2");
    });

    it("retries 5xx with backoff and succeeds", async () => {
        sim.failRequests(2, 503);
        const c = client();
        assert.equal(await c.version(), "3.14.2");
        assert.equal(c.requests, 3);
    });

    it("retries connection resets", async () => {
        sim.resetRequests(2);
        const c = client();
        assert.equal(await c.version(), "3.14.2");
        assert.equal(c.requests, 3);
    });

    it("gives up after a bounded number of attempts, naming method, path and status", async () => {
        sim.failRequests(10, 500);
        const c = client({ attempts: 3 });
        await assert.rejects(c.applyStatus("run-1"), (e: Error) => e instanceof ManageApiError && /GET \/manage\/v1\/config\/apply\?run_id=run-1 on 127\.0\.0\.1:\d+ failed: HTTP 500 \(after 3 attempts\)/.test(e.message));
        assert.equal(c.requests, 3);
    });

    it("never retries a 4xx; a wrong password says what to check and never shows the password", async () => {
        const c = client({ password: "wrong-password-42" });
        await assert.rejects(c.startApply(), (e: Error) => {
            assert.match(e.message, /POST \/manage\/v1\/config\/apply .* HTTP 401 \(check managementPassword/);
            assert.ok(!e.message.includes("wrong-password-42") && !e.message.includes(sim.password));
            return true;
        });
        assert.equal(c.requests, 1);
    });

    it("times out a request that never answers", async () => {
        const accepted: Socket[] = [];
        const silent: Server = createServer((s) => accepted.push(s));
        await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
        const port = (silent.address() as { port: number }).port;
        try {
            const c = new ManageClient({ hostname: "127.0.0.1", port, user: "api_key", password: "x", requestTimeoutMs: 200, attempts: 2, clock: fastClock });
            await assert.rejects(c.version(), /GET \/manage\/v1\/version .*no answer within 200 ms.*after 2 attempts/);
        } finally {
            // It never reads, so it never sees the client hang up: its side of each connection is closed here.
            accepted.forEach((s) => s.destroy());
            silent.close();
        }
    });

    it("manages SSH keys, configuration runs, events and maintenance mode", async () => {
        const c = client();
        await c.addSshKey("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB3 test");
        assert.equal(sim.authorizedKeys.size, 1);
        await c.removeSshKey("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB3 test");
        assert.equal(sim.authorizedKeys.size, 0);
        sim.applyDurationMs = 1000;
        const id = await c.startApply();
        assert.equal((await c.applyStatus(id)).running, true);
        await clock.sleep(1100);
        const done = await c.applyStatus(id);
        assert.deepEqual([done.running, done.successful, done.nodes.length], [false, true, 1]);
        // Events as the appliance sent them, one list per node flattened (their texts are the simulator's own).
        const events = await c.applyEvents();
        const sent = (sim.requests[sim.requests.length - 1].response as { nodes: { events: { body: string }[] }[] }).nodes.flatMap((n) => n.events.map((e) => e.body));
        assert.equal(events.length, 2, "start and finish of the finished run");
        assert.deepEqual(events.map((e) => e.body), sent);
        assert.equal(await c.maintenanceStatus(), "off");
        await c.setMaintenance(true);
        assert.equal(await c.maintenanceStatus(), "on");
    });

    it("reports a run as failed if every node failed", async () => {
        sim.failNextRuns = 1;
        const c = client();
        const id = await c.startApply();
        await clock.sleep(200);
        assert.equal((await c.applyStatus(id)).successful, false);
    });

    for (const overall of [false, true]) {
        it(`reports a run as failed if one node of a cluster failed (the run's own answer: successful ${overall})`, async () => {
            await sim.stop();
            sim = await new GhesSimulator({ clock, nodes: ["ghe-primary", "ghe-replica-1", "ghe-replica-2"] }).start();
            sim.failNodeOfNextRun = "ghe-replica-1";
            sim.topLevelAfterNodeFailure = overall ? "successful" : "failed";
            const c = client();
            const id = await c.startApply();
            await clock.sleep(200);
            const status = await c.applyStatus(id);
            assert.equal(status.running, false);
            assert.equal(status.successful, false);
            assert.deepEqual(status.nodes.map((n) => [n.hostname, n.successful]), [["ghe-primary", true], ["ghe-replica-1", false], ["ghe-replica-2", true]]);
        });
    }

    it("treats a missing version endpoint as GHES < 3.8", async () => {
        sim.version = "3.7.0";
        assert.equal(await client().version(), undefined);
    });

    it("reads maintenance status as GHES documents it: an array, one object per node; a scheduled window is told apart from one that is on", async () => {
        const c = client();
        assert.equal(await c.maintenanceStatus(), "off");
        sim.maintenance = "on";
        assert.equal(await c.maintenanceStatus(), "on");
        sim.maintenance = "scheduled";
        assert.equal(await c.maintenanceStatus(), "scheduled");
    });

    it("bounds a whole request, not only idle time: a server that trickles bytes is cut off", async () => {
        sim.trickleNextRequests = 1;
        sim.trickleMs = 50;
        const c = client({ requestTimeoutMs: 400, attempts: 1 });
        const started = Date.now();
        await assert.rejects(c.version(), (e: Error) => e instanceof ManageApiError && e.kind === "timeout");
        assert.ok(Date.now() - started < 5000, "cut off at the deadline, not when the server stops");
    });

    it("never repeats a POST that starts a configuration run when its answer is lost", async () => {
        sim.loseNextApplyAnswers = 1;
        const c = client();
        await assert.rejects(c.startApply(), (e: Error) => e instanceof ManageApiError && e.answerLost);
        assert.equal(sim.requests.filter((r) => r.method === "POST").length, 1);
    });
});
