import { strict as assert } from "node:assert";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Harness } from "../../support/providerHarness";
import { killAfter, labelOf, SCENARIOS, SweepAppliance } from "./sweep";

/*
 * The crash sweep sets each scenario's appliance up once and starts every trial from a snapshot
 * of it (tests/provider/crashSweep/sweep.ts). That is only the sweep it claims to be if a
 * restored appliance is the one a fresh setup gives: the same files (settings, applied
 * settings, the admin's home with lock, journal and records, the tools' argv log), runs,
 * authorized keys, maintenance, records and fault injection, and the same answers to the next
 * trial. Compared here with an appliance set up independently, after a trial and a pile of
 * further changes made the restored one differ.
 */

/** Everything under the simulator's directory but its fake tools: path -> content ("dir" for a directory). */
function filesOf(dir: string, rel = ""): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of readdirSync(join(dir, rel)).sort()) {
        const path = rel ? `${rel}/${name}` : name;
        if (path === "bin") continue;
        if (statSync(join(dir, path)).isDirectory()) Object.assign(out, { [path]: "dir" }, filesOf(dir, path));
        else out[path] = readFileSync(join(dir, path), "utf8");
    }
    return out;
}

/**
 * What a client or a check can see of the appliance; not what differs between any two runs: start
 * times (clock), temporary admin keys (random, each process its own).
 */
function observe(h: Harness) {
    const sim = h.sim;
    return {
        files: filesOf(sim.dir),
        config: sim.config(),
        applied: sim.appliedConfig(),
        runs: sim.runs.map((r) => ({ id: r.id, successful: r.successful, failedNodes: r.failedNodes, external: r.external, applied: r.applied })),
        authorizedKeys: [...sim.authorizedKeys].map((k) => k.replace(/^ssh-ed25519 \S+ ghes-packages-s3-temporary-\d+-[0-9a-f]+$/, "(a temporary key)")),
        maintenance: sim.maintenance,
        maintenanceLog: sim.maintenanceLog,
        requests: sim.requests.map((r) => `${r.method} ${r.path} ${r.status}`),
        commands: sim.commands.map((c) => `${labelOf(c)} ${c.exitCode}`),
        operations: sim.operationLog.map(labelOf),
        toolInvocations: sim.toolInvocations(),
        faults: { frozen: sim.frozen, freezeAfterOperations: sim.freezeAfterOperations, failCommand: sim.failCommand, failNextRuns: sim.failNextRuns, busyStatus: sim.busyStatus },
    };
}

describe("crash sweep: every trial starts from the appliance a fresh setup gives (snapshot and restore)", function () {
    this.timeout(120_000);

    for (const s of SCENARIOS) {
        it(`${s.name}: a restored appliance equals a freshly set-up one, and answers the next trial the same`, async () => {
            const restored = await SweepAppliance.start(s);
            let fresh: SweepAppliance | undefined;
            try {
                // A trial killed half-way (lock, journal, runs, writes), then changes of every kind.
                await killAfter(restored, s, 6);
                const sim = restored.h.sim;
                sim.maintenance = "on";
                sim.maintenanceLog.push(true);
                sim.failNextRuns = 2;
                sim.busyStatus = 423;
                sim.failCommand = { index: 99, when: "after", status: 3 };
                sim.freezeAfterOperations = 1000;
                sim.authorizeKey("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBdZ3vyK8X9KmR7l3gqL0cJ1x5U9nQ2fVqvWbYtYcD3e stray");
                sim.setConfig({ "app.packages.npm-enabled": "false" });
                mkdirSync(join(sim.dir, ".ghes-packages-s3.lock"), { recursive: true });
                writeFileSync(join(sim.dir, ".ghes-packages-s3.lock", "holder"), "someone 1 2400\n");
                await sim.runConfigurationNow();

                fresh = await SweepAppliance.start(s);
                assert.notDeepEqual(observe(restored.h), observe(fresh.h), "the changes made no difference: nothing to restore");

                await restored.restore();
                assert.deepEqual(observe(restored.h), observe(fresh.h));

                // The same trial on both (the fresh one never restored) gives the same row, operations and end state.
                const [a, b] = [await killAfter(restored, s, 9), await killAfter(fresh, s, 9)];
                assert.ok(a, "kill after op 9 interrupts the operation");
                assert.deepEqual(a, b);
                assert.deepEqual(observe(restored.h), observe(fresh.h));
            } finally {
                await restored.stop();
                await fresh?.stop();
            }
        });
    }
});
