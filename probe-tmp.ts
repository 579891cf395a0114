import { InProcessHost } from "./tests/support/inProcessHost";
import { Lifecycle } from "./rehearsal/lifecycle";
import { appKey } from "./ghes/ecosystemKeys";
(async () => {
    const host = new InProcessHost();
    const s = await host.standIns({ simulator: { applyDurationMs: 0 } }).start();
    const life = new Lifecycle(host, s, { onDelete: "disable" });
    const r = await life.create({ ecosystems: { container: "enabled", docker: "readonly", npm: "disabled", npmUpstreaming: true } });
    console.log(r.value.ecosystems, r.value.writtenKeys, r.counts);
    const c = await life.change({ ecosystems: { container: "enabled", docker: "enabled", npm: "disabled", npmUpstreaming: true } });
    console.log(c.value.diff, c.value.outs.writtenKeys, c.counts, s.sim.servedToggle("docker"));
    s.sim.setConfig({ [appKey("npm")]: "true" });
    const f = await life.refresh();
    console.log(f.value.props.ecosystems, f.value.diff, f.counts);
    const d = await life.destroy();
    console.log(d.counts, s.sim.config());
    await s.stop();
})();
