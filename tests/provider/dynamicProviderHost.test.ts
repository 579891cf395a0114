import { strict as assert } from "node:assert";
import { KEYS } from "../../ghes/gheConfigKeys";
import { checkStorage } from "../../storage/storageCheck";
import { DynamicProviderHost, InitFailure } from "../../rehearsal/dynamicProviderHost";
import { Lifecycle } from "../../rehearsal/lifecycle";
import { StandIns } from "../../rehearsal/standIns";

/*
 * The closest thing to `pulumi up` that runs here: the real dynamic-provider host from
 * @pulumi/pulumi, driven over gRPC as the engine drives it, against the GHES simulator. One
 * host for the file, as one `pulumi up` uses one host for all its resources; each part has
 * its own appliance. Configuration runs end at once (applyDurationMs 0): waiting for a run
 * and its poll schedule are shown on a virtual clock in the in-process tests, so nothing here
 * waits on real time.
 */
describe("provider through the real Pulumi dynamic-provider host (gRPC)", function () {
    this.timeout(120000);
    let host: DynamicProviderHost;
    before(async () => { host = await new DynamicProviderHost().start(); });
    after(async () => { await host?.stop(); });

    describe("create, no change, key rotation, refresh, delete", () => {
        let h: StandIns;
        let life: Lifecycle;
        before(async () => {
            h = await new StandIns({ simulator: { applyDurationMs: 0 } }).start();
            life = new Lifecycle(host, h);
        });
        after(async () => { await h?.stop(); });

        const raw = (over: Record<string, unknown> = {}) => life.inputs(over);

        it("serializes a small provider with no secret in it", () => {
            assert.ok(host.provider.length < 8000, `${host.provider.length} bytes`);
            for (const s of [h.sim.password, h.key.secretAccessKey]) assert.ok(!host.provider.includes(s));
        });

        it("check: validates and fills defaults; bad input fails naming the field, before any network call", async () => {
            const ok = await host.check({}, raw());
            assert.deepEqual(ok.failures, []);
            assert.equal(ok.inputs.sshPort, h.sim.sshPort);
            assert.equal(ok.inputs.onDelete, "retain");
            const before = h.sim.requests.length;
            const bad = await host.check({}, raw({ bucket: "Bad;Bucket", serviceUrl: "ftp://x", managementPort: 0 }));
            assert.deepEqual(bad.failures.map((f) => f.property).sort(), ["bucket", "managementPort", "serviceUrl"]);
            assert.equal(h.sim.requests.length, before);
        });

        it("check: tolerates unknown values during preview", async () => {
            const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
            const r = await host.check({}, raw({ bucket: unknown, accessKeyId: unknown, secretAccessKey: unknown }));
            assert.deepEqual(r.failures, []);
        });

        it("create: configures GHES and returns outputs", async () => {
            const { value: state, counts } = await life.create();
            assert.equal(life.id, "ghes-packages:127.0.0.1");
            assert.deepEqual([counts.writes, counts.runs], [6, 1]);
            // The README's "What one operation costs": these may shrink, never silently grow. Its 8 requests
            // include a status poll that finds the run in progress; this run ends at once, so 7.
            assert.ok(counts.requests <= 7 && counts.commands <= 7, `create: ${counts.requests} Manage API requests, ${counts.commands} admin-shell commands`);
            assert.equal(state.ghesVersion, "3.14.2");
            assert.equal(state.hostKeyFingerprint, h.sim.hostKeyFingerprint);
            assert.equal(h.sim.clientRuns().length, 1);
            assert.equal(h.sim.appliedConfig()![KEYS.bucket], h.bucket);
            assert.ok(typeof state.__provider === "string");
        });

        it("diff: no change is no change (and costs no GHES request); a new hostname replaces", async () => {
            const { value, counts } = await life.noChange();
            assert.equal(value, "none");
            assert.deepEqual(counts, { requests: 0, commands: 0, writes: 0, runs: 0, s3: 0 });
            const moved = (await host.check(life.state, raw({ hostname: "localhost" }))).inputs;
            assert.deepEqual(await host.diff(life.id, life.state, moved), { changes: "some", replaces: ["hostname"] });
        });

        it("update: a key rotation writes two keys and runs exactly one configuration", async () => {
            const rotated = { accessKeyId: "AKIAHOSTROTATED00001", secretAccessKey: "host-rotated-secret-0000/+11112222333" };
            const { value, counts } = await life.rotate(rotated);
            assert.equal(value.diff, "some");
            assert.deepEqual([counts.writes, counts.runs], [2, 1]);
            // 7 commands: lock, journal + settings read, journal "owed", the pair, the run's id into the journal, read-back, journal idle + release.
            assert.ok(counts.requests <= 7 && counts.commands <= 7, `rotation: ${counts.requests} Manage API requests, ${counts.commands} admin-shell commands`);
            assert.equal(h.sim.appliedConfig()![KEYS.accessKeyId], rotated.accessKeyId);
            assert.equal(value.outs.accessKeyId, rotated.accessKeyId);
            // The engine deletes the replaced key only now; what GHES runs with must still work.
            h.s3!.keys.delete(h.key.accessKeyId);
            const applied = h.sim.appliedConfig()!;
            const r = await checkStorage({ serviceUrl: applied[KEYS.serviceUrl], bucket: applied[KEYS.bucket], accessKeyId: applied[KEYS.accessKeyId], secretAccessKey: applied[KEYS.secretAccessKey], timeoutMs: 0 });
            assert.equal(r.operations.length, 9);
        });

        it("check: refuses a storage move of an enabled instance at plan time", async () => {
            const r = await host.check(life.state, raw({ bucket: "another-bucket" }));
            assert.deepEqual(r.failures.map((f) => f.property), ["bucket"]);
            assert.match(r.failures[0].reason, /allowStorageMigration/);
        });

        it("read: returns props and inputs; drift made by hand shows", async () => {
            const r = await host.read(life.id, life.state);
            assert.equal(r.props.bucket, h.bucket);
            assert.equal(r.inputs.accessKeyId, life.state.accessKeyId);
            assert.equal((await life.refresh()).value.diff, "none");
            h.sim.setConfig({ [KEYS.enabled]: "false" });
            const drifted = await life.refresh();
            assert.equal(drifted.value.props.packagesEnabled, false);
            assert.equal(drifted.value.diff, "some");
            h.sim.setConfig({ [KEYS.enabled]: "true" });
        });

        it("delete: retain leaves GHES untouched; disable switches Packages off and applies", async () => {
            assert.equal((await life.destroy()).counts.requests, 0);
            await life.destroy({ onDelete: "disable" });
            assert.equal(h.sim.config()[KEYS.enabled], "false");
            assert.equal(h.sim.clientRuns().length, 3);
        });

        it("errors cross gRPC readable, and without secrets", async () => {
            const inputs = (await host.check({}, raw({ managementPassword: "definitely-wrong-pw", storageCheck: false }))).inputs;
            await assert.rejects(host.create(inputs), (e: Error) => /HTTP 401/.test(e.message) && !e.message.includes("definitely-wrong-pw"));
        });

        it("never printed a secret on the host's stderr", () => {
            for (const s of [h.sim.password, h.key.secretAccessKey, "host-rotated-secret-0000/+11112222333", "definitely-wrong-pw"]) {
                assert.ok(!host.stderr.includes(s), "secret on stderr");
            }
            assert.match(host.stderr, /\[ghes-packages\] configuration run sim-run-\d+ succeeded/);
        });
    });

    /*
     * The package ecosystem toggles cross the host as the engine sends them (a nested object in a
     * protobuf Struct) and come back in state and on refresh; what each toggle does is specified
     * in tests/provider/ecosystems.test.ts.
     */
    describe("package ecosystems: create, no change, change, refresh, delete", () => {
        let h: StandIns;
        let life: Lifecycle;
        before(async () => {
            h = await new StandIns({ simulator: { applyDurationMs: 0 } }).start();
            life = new Lifecycle(host, h, { onDelete: "disable" });
        });
        after(async () => { await h?.stop(); });

        it("create writes the declared toggles and returns them in state; the appliance serves them; the same program again costs nothing", async () => {
            const created = await life.create({ ecosystems: { container: "enabled", docker: "readonly", npm: "disabled", npmUpstreaming: true } });
            assert.deepEqual([created.counts.writes, created.counts.runs], [8, 1], "six storage keys, docker and npm");
            assert.deepEqual(created.value.ecosystems, { container: "enabled", docker: "readonly", npm: "disabled", npmUpstreaming: true });
            assert.deepEqual(["container", "docker", "npm", "npm-upstreaming"].map((t) => h.sim.servedToggle(t as "npm")), ["true", "readonly", "false", "true"]);
            const noop = await life.noChange();
            assert.deepEqual([noop.value, noop.counts.requests, noop.counts.writes, noop.counts.runs], ["none", 0, 0, 0]);
        });

        it("a changed toggle is one write and one run; a toggle changed by hand shows on refresh", async () => {
            const r = await life.change({ ecosystems: { container: "enabled", docker: "enabled", npm: "disabled", npmUpstreaming: true } });
            assert.deepEqual([r.value.diff, r.counts.writes, r.counts.runs], ["some", 1, 1]);
            assert.deepEqual(r.value.outs.writtenKeys, ["app.packages.docker-enabled"]);
            assert.equal(h.sim.servedToggle("docker"), "true");
            assert.equal((await life.refresh()).value.diff, "none");
            h.sim.setConfig({ "app.packages.npm-enabled": "true" });
            const drifted = await life.refresh();
            assert.deepEqual(drifted.value.props.ecosystems, { container: "enabled", docker: "enabled", npm: "enabled", npmUpstreaming: true });
            assert.equal(drifted.value.diff, "some");
        });

        it("delete (onDelete: disable) switches Packages off in one run and leaves the toggles as they are", async () => {
            const { counts } = await life.destroy();
            assert.equal(counts.runs, 1);
            assert.deepEqual([h.sim.config()["app.packages.enabled"], h.sim.config()["app.packages.docker-enabled"]], ["false", "true"]);
        });
    });

    /*
     * Trust on first use, when the first create fails after the host key was trusted (and the
     * secret sent): the Node dynamic-provider host turns an error carrying `id` and `properties`
     * into ErrorResourceInitFailed, and the engine records that partial state (pulumi/pulumi
     * pkg/engine/update.go, OnResourceStepPost) and retries with an update on the next `pulumi up`
     * (pkg/resource/deploy/step_generator.go: "initialization errors ... generate an empty update").
     */
    describe("a failed first create keeps the host key it trusted", () => {
        let h: StandIns;
        before(async () => { h = await new StandIns({ simulator: { applyDurationMs: 0 } }).start(); });
        after(async () => { await h?.stop(); });

        it("records the trusted key in partial state, and the next pulumi up enforces it", async () => {
            const { sshHostKeyFingerprint: _none, ...tofu } = h.inputs({ sshHostKeyTrustOnFirstUse: true });
            const inputs = (await host.check({}, tofu)).inputs;
            h.sim.failNextRuns = 1; // the secret is written, then the configuration run fails
            const trusted = h.sim.hostKeyFingerprint;
            const failure = await host.create(inputs).then(() => undefined, (e: Error & { initFailure?: InitFailure }) => e);
            assert.ok(failure, "the create failed");
            assert.match(failure.message, /configuration run sim-run-\d+ failed/);
            const partial = failure.initFailure;
            assert.ok(partial, `the failed create left no partial state: ${failure.message}`);
            assert.equal(partial.id, "ghes-packages:127.0.0.1");
            assert.equal(partial.properties.hostKeyFingerprint, trusted);
            assert.equal(partial.properties.__provider, host.provider, "state a later delete or refresh can load the provider from");
            assert.equal(partial.properties.configuredAt, undefined, "not configured yet");
            assert.match(partial.reasons.join("\n"), /configuration run sim-run-\d+ failed/, "the engine shows the reasons as the error");
            for (const s of [h.sim.password, h.key.secretAccessKey]) assert.ok(!partial.reasons.join("\n").includes(s), "no secret in the reasons");

            // The next pulumi up: the engine diffs and updates the partial resource.
            assert.equal((await host.diff(partial.id, partial.properties, inputs)).changes, "some", "an unfinished create is not 'no change'");
            await h.sim.changeHostKey(); // a machine in the middle, or another appliance
            const commands = h.sim.commands.length;
            await assert.rejects(host.update(partial.id, partial.properties, inputs), /SSH host key is SHA256:.*but SHA256:.* is pinned/);
            assert.equal(h.sim.commands.length, commands, "nothing (and no secret) sent to the other key");
        });

        it("a partial resource whose appliance kept its key is configured by the next update", async () => {
            await h.stop();
            h = await new StandIns({ simulator: { applyDurationMs: 0 } }).start();
            const { sshHostKeyFingerprint: _none, ...tofu } = h.inputs({ sshHostKeyTrustOnFirstUse: true });
            const inputs = (await host.check({}, tofu)).inputs;
            h.sim.failNextRuns = 1;
            const failure = await host.create(inputs).then(() => undefined, (e: Error & { initFailure?: InitFailure }) => e);
            const partial = failure!.initFailure!;
            const outs = await host.update(partial.id, partial.properties, inputs);
            assert.equal(outs.hostKeyFingerprint, h.sim.hostKeyFingerprint);
            assert.ok(typeof outs.configuredAt === "string");
            assert.equal(h.sim.clientRuns().filter((r) => r.successful).length, 1);
            assert.deepEqual(h.sim.appliedConfig(), h.sim.config());
        });
    });
});
