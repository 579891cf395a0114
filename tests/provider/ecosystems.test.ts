import { strict as assert } from "node:assert";
import { ecosystemKey, NPM_UPSTREAMING_KEY } from "../../ghes/ecosystemKeys";
import { KEYS } from "../../ghes/gheConfigKeys";
import { DynamicProviderHost } from "../../rehearsal/dynamicProviderHost";
import { Lifecycle } from "../../rehearsal/lifecycle";
import { StandIns } from "../../rehearsal/standIns";

/*
 * Package ecosystem toggles, through the real dynamic-provider host as `pulumi up` calls it.
 * Absent means "not managed": nothing is read or written for an ecosystem left out.
 */
describe("provider: package ecosystems (through the real dynamic-provider host)", function () {
    this.timeout(120000);
    let host: DynamicProviderHost;
    let standIns: StandIns;
    let life: Lifecycle;
    before(async () => { host = await new DynamicProviderHost().start({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" }); });
    after(async () => { await host?.stop(); });
    beforeEach(async () => {
        standIns = await new StandIns({ simulator: { applyDurationMs: 50 } }).start();
        life = new Lifecycle(host, standIns);
    });
    afterEach(async () => { await standIns.stop(); });
    const config = () => standIns.sim.config();

    it("without ecosystems, no toggle is read or written (existing stacks see no change)", async () => {
        await life.create();
        assert.deepEqual(Object.keys(config()).filter((k) => k.startsWith("app.packages.") && k !== KEYS.enabled), []);
        assert.ok(standIns.sim.commands.every((c) => !c.command.includes("docker-enabled")));
    });

    it("enables, sets read-only and disables ecosystems; the appliance reports what was written", async () => {
        const created = await life.create({ ecosystems: { container: "enabled", docker: "readonly", npm: "disabled", npmUpstreaming: true } });
        assert.deepEqual([created.counts.writes, created.counts.runs], [10, 1]);
        assert.equal(config()[ecosystemKey("container")], "true");
        assert.equal(config()[ecosystemKey("docker")], "readonly");
        assert.equal(config()[ecosystemKey("npm")], "false");
        assert.equal(config()[NPM_UPSTREAMING_KEY], "true");
        assert.equal(standIns.sim.appliedConfig()![ecosystemKey("docker")], "readonly");
        assert.ok(standIns.sim.requests.some((r) => r.path === "/manage/v1/config/settings"), "verified through the Manage API");
    });

    it("a no-op up is a no-op: 0 requests, 0 writes, 0 runs; re-applying identical values writes nothing", async () => {
        await life.create({ ecosystems: { docker: "readonly" } });
        const noop = await life.noChange();
        assert.deepEqual([noop.value, noop.counts.requests, noop.counts.writes, noop.counts.runs], ["none", 0, 0, 0]);
        const again = await life.create({ ecosystems: { docker: "readonly" } });
        assert.deepEqual([again.counts.writes, again.counts.runs], [0, 0]);
    });

    it("a storage change and an ecosystem change together: one configuration run", async () => {
        await life.create({ ecosystems: { docker: "enabled" } });
        standIns.addKey({ accessKeyId: "AKIAECOSYSTEMS000002", secretAccessKey: "ecosystem-secret-0002/+aaaabbbbcccc" });
        const r = await life.change({ accessKeyId: "AKIAECOSYSTEMS000002", secretAccessKey: "ecosystem-secret-0002/+aaaabbbbcccc", ecosystems: { docker: "readonly" } });
        assert.equal(r.value.diff, "some");
        assert.deepEqual([r.counts.writes, r.counts.runs], [3, 1]);
        assert.equal(standIns.sim.appliedConfig()![ecosystemKey("docker")], "readonly");
    });

    it("drift on refresh: a toggle changed by hand shows as a difference", async () => {
        await life.create({ ecosystems: { docker: "readonly", rubygems: "enabled" } });
        assert.equal((await life.refresh()).value.diff, "none");
        standIns.sim.setConfig({ [ecosystemKey("docker")]: "true" });
        const r = await life.refresh();
        assert.deepEqual(r.value.props.ecosystems, { docker: "enabled", rubygems: "enabled" });
        assert.equal(r.value.diff, "some");
    });

    it("refuses to serve the Container registry without subdomain isolation, before writing anything", async () => {
        standIns.sim.subdomainIsolation = false;
        await assert.rejects(life.create({ ecosystems: { container: "enabled" } }), /ecosystems\.container: the Container registry needs subdomain isolation.*Enabling subdomain isolation/s);
        assert.equal(standIns.sim.writes(), 0);
        await life.create({ ecosystems: { container: "disabled", docker: "enabled" } }); // the rest is fine
    });

    it("refuses ecosystems while Packages itself is being disabled (check, before any network call)", async () => {
        const r = await host.check({}, life.inputs({ packagesEnabled: false, ecosystems: { docker: "enabled" } }));
        assert.deepEqual(r.failures.map((f) => f.property), ["ecosystems"]);
        assert.equal(standIns.sim.requests.length, 0);
    });

    it("fails, naming the ecosystem and both values, when the appliance ignores a key it was given", async () => {
        standIns.sim.ignoredKeys.add(ecosystemKey("nuget"));
        await assert.rejects(life.create({ ecosystems: { nuget: "enabled", docker: "readonly" } }), /nuget: wanted enabled, reported disabled/);
    });

    it("validates the toggles, naming what is wrong", async () => {
        const r = await host.check({}, life.inputs({ ecosystems: { docker: "on", cargo: "enabled", npmUpstreaming: "yes" } }));
        assert.equal(r.failures.length, 1);
        assert.match(r.failures[0].reason, /^ecosystems: .*"cargo" is not an ecosystem.*docker must be "enabled", "readonly" or "disabled".*npmUpstreaming must be true or false/s);
    });
});
