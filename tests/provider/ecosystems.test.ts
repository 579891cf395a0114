import { strict as assert } from "node:assert";
import { appKey, NPM_UPSTREAMING_KEY } from "../../ghes/ecosystemKeys";
import { KEYS } from "../../ghes/gheConfigKeys";
import { generateEd25519KeyPair } from "../../ghes/sshKeys";
import { Lifecycle } from "../../rehearsal/lifecycle";
import { StandIns } from "../../rehearsal/standIns";
import { InProcessHost } from "../support/inProcessHost";

/*
 * Package ecosystem toggles, driven as `pulumi up` calls the provider (check, diff, then
 * create/update/read), in this process on a virtual clock. That the toggles cross the real
 * dynamic-provider host (create, no-op, change, refresh, delete) is shown in
 * tests/provider/dynamicProviderHost.test.ts.
 * Absent means "not managed": nothing is read or written for an ecosystem left out.
 * No S3 stand-in (storageCheck off) where no key changes: the storage check is specified in
 * tests/storage and tests/provider/ghesSettingsProvider.test.ts, and runs with the toggles in
 * the host tests and in the test here that changes the key with a toggle.
 */
describe("provider: package ecosystems (driven as the dynamic-provider host calls the provider)", function () {
    let host: InProcessHost;
    let standIns: StandIns;
    let life: Lifecycle;
    const start = async (s3: boolean) => {
        standIns = await host.standIns({ s3, simulator: { applyDurationMs: 50 } }).start();
        life = new Lifecycle(host, standIns);
    };
    beforeEach(async () => {
        host = new InProcessHost();
        await start(false);
    });
    afterEach(async () => { await standIns.stop(); });
    const config = () => standIns.sim.config();

    it("without ecosystems, no toggle is read or written (existing stacks see no change)", async () => {
        await life.create();
        assert.deepEqual(Object.keys(config()).filter((k) => k.startsWith("app.packages.") && k !== KEYS.enabled), []);
        assert.ok(standIns.sim.commands.every((c) => !c.command.includes("docker-enabled")));
    });

    it("enables, sets read-only and disables ecosystems, writing only what GHES does not serve already; the appliance serves what was declared", async () => {
        const created = await life.create({ ecosystems: { container: "enabled", docker: "readonly", npm: "disabled", npmUpstreaming: true } });
        assert.deepEqual([created.counts.writes, created.counts.runs], [8, 1], "six storage keys, docker and npm");
        assert.deepEqual(Object.keys(config()).filter((k) => /\.packages\.[a-z-]+-enabled$/.test(k)).sort(), [appKey("docker"), appKey("npm")]);
        assert.deepEqual(["container", "docker", "npm", "npm-upstreaming"].map((t) => standIns.sim.servedToggle(t as "npm")), ["true", "readonly", "false", "true"]);
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
        await standIns.stop();
        await start(true); // with S3: the new key is checked against the bucket before anything is written
        await life.create({ ecosystems: { docker: "enabled" } });
        standIns.addKey({ accessKeyId: "AKIAECOSYSTEMS000002", secretAccessKey: "ecosystem-secret-0002/+aaaabbbbcccc" });
        const r = await life.change({ accessKeyId: "AKIAECOSYSTEMS000002", secretAccessKey: "ecosystem-secret-0002/+aaaabbbbcccc", ecosystems: { docker: "readonly" } });
        assert.equal(r.value.diff, "some");
        assert.deepEqual([r.counts.writes, r.counts.runs], [3, 1]);
        assert.equal(standIns.sim.appliedConfig()![appKey("docker")], "readonly");
    });

    it("drift on refresh: a toggle changed by hand shows as a difference", async () => {
        await life.create({ ecosystems: { docker: "readonly", rubygems: "enabled" } });
        assert.equal((await life.refresh()).value.diff, "none");
        standIns.sim.setConfig({ [appKey("docker")]: "true" });
        const r = await life.refresh();
        assert.deepEqual(r.value.props.ecosystems, { docker: "enabled", rubygems: "enabled" });
        assert.equal(r.value.diff, "some");
    });

    it("drift on refresh: a value stored by hand that is no state (control characters included) reads back as unrecognized, quoted, never as raw bytes", async () => {
        await life.create({ ecosystems: { docker: "readonly" } });
        standIns.sim.setConfig({ [appKey("docker")]: "readonly\u001b]0;owned\u0007\u001b[2K\rdocker: ok" });
        const r = await life.refresh();
        assert.deepEqual(r.value.props.ecosystems, { docker: "unrecognized \"readonly\\u001b]0;owned\\u0007\\u001b[2K\\rdocker: ok\"" });
        assert.equal(r.value.diff, "some");
    });

    describe("GHES's own rule: an unset toggle is enabled, an app. false falls through to secrets. (rehearsal/packagesConfigRules.ts)", () => {
        it("refresh after an operator unsets a toggle the package disabled: reports enabled, as GHES serves it again, and shows drift", async () => {
            await life.create({ ecosystems: { npm: "disabled" } });
            assert.equal(standIns.sim.servedToggle("npm"), "false");
            standIns.sim.unsetConfig(appKey("npm")); // ghe-config --unset app.packages.npm-enabled, by hand
            const r = await life.refresh();
            assert.deepEqual(r.value.props.ecosystems, { npm: "enabled" });
            assert.equal(r.value.diff, "some");
        });

        it("npm: \"disabled\" on an appliance holding secrets.packages.npm-enabled=true: GHES serves it disabled after one run", async () => {
            await life.create();
            standIns.sim.setConfig({ [appKey("npm")]: "false", "secrets.packages.npm-enabled": "true" });
            const r = await life.change({ ecosystems: { npm: "disabled" } });
            assert.deepEqual([r.value.diff, r.counts.runs], ["some", 1]);
            assert.equal(standIns.sim.servedToggle("npm"), "false");
            assert.equal((await life.refresh()).value.diff, "none");
        });

        it("npmUpstreaming: false where its key is unset (a fresh appliance): refresh reports true, as GHES proxies npmjs.com, and the next up makes it stop in one run", async () => {
            await life.create({ ecosystems: { npmUpstreaming: false } });
            standIns.sim.unsetConfig(NPM_UPSTREAMING_KEY); // e.g. rebuilt from a fresh image, restored without it
            await standIns.sim.runConfigurationNow();
            assert.equal(standIns.sim.servedToggle("npm-upstreaming"), "true", "nobody configured it: enabled");
            const r = await life.refresh();
            assert.deepEqual([r.value.props.ecosystems, r.value.diff], [{ npmUpstreaming: true }, "some"]);
            const next = await life.create({ ecosystems: { npmUpstreaming: false } });
            assert.equal(next.counts.runs, 1);
            assert.equal(standIns.sim.servedToggle("npm-upstreaming"), "false");
        });

        it("maven: \"enabled\" on a fresh appliance: GHES serves it already, so nothing is written and no run starts; refresh shows no drift", async () => {
            await life.create();
            const r = await life.change({ ecosystems: { maven: "enabled" } });
            assert.deepEqual([r.counts.writes, r.counts.runs], [0, 0]);
            const again = await life.refresh();
            assert.deepEqual(again.value.props.ecosystems, { maven: "enabled" });
            assert.equal(again.value.diff, "none");
        });
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
        standIns.sim.ignoredKeys.add(appKey("nuget"));
        await assert.rejects(life.create({ ecosystems: { nuget: "disabled", docker: "readonly" } }), /does not report the ecosystem toggles that were written \(nuget: wanted disabled, reported enabled\)/);
    });

    it("an appliance whose settings carry no feature_toggles (undocumented): verified through ghe-config by GHES's rule, and the operation succeeds", async () => {
        standIns.sim.reportFeatureToggles = false;
        const r = await life.create({ ecosystems: { docker: "readonly", rubygems: "disabled" } });
        assert.equal(r.counts.runs, 1);
        assert.deepEqual([standIns.sim.servedToggle("docker"), standIns.sim.servedToggle("rubygems")], ["readonly", "false"]);
    });

    it("below GHES 3.12, subdomain isolation is read with ghe-config core.subdomain-isolation: off (or unset) refuses the Container registry before any write, on lets it through", async () => {
        standIns.sim.version = "3.11.4";
        const key = generateEd25519KeyPair();
        standIns.sim.authorizeKey(key.public);
        standIns.sim.subdomainIsolation = false;
        await assert.rejects(life.create({ sshPrivateKey: key.private, ecosystems: { container: "readonly" } }),
            /ecosystems\.container: the Container registry needs subdomain isolation, which is off on 127\.0\.0\.1 \(ghe-config core\.subdomain-isolation is false\); nothing was written/);
        assert.equal(standIns.sim.writes(), 0);
        standIns.sim.unsetConfig("core.subdomain-isolation");
        await assert.rejects(life.create({ sshPrivateKey: key.private, ecosystems: { container: "readonly" } }), /core\.subdomain-isolation is unset/);
        assert.equal(standIns.sim.writes(), 0);
        standIns.sim.subdomainIsolation = true;
        await life.create({ sshPrivateKey: key.private, ecosystems: { container: "readonly" } });
        assert.equal(standIns.sim.servedToggle("container"), "readonly");
    });

    it("validates the toggles, naming what is wrong", async () => {
        const r = await host.check({}, life.inputs({ ecosystems: { docker: "on", cargo: "enabled", npmUpstreaming: "yes" } }));
        assert.equal(r.failures.length, 1);
        assert.match(r.failures[0].reason, /^ecosystems: .*"cargo" is not an ecosystem.*docker must be "enabled", "readonly" or "disabled".*npmUpstreaming must be true or false/s);
    });
});
