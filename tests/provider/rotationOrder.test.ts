import { strict as assert } from "node:assert";
import { KEYS } from "../../ghes/gheConfigKeys";
import { KeyPair } from "../../rehearsal/standIns";
import { checkStorage } from "../../storage/storageCheck";
import { Harness } from "../support/providerHarness";

/*
 * Key rotation across a failed `pulumi up`, with the engine modelled step by step (no Pulumi
 * CLI runs here). With create-before-delete the engine creates the new access key, updates
 * the GHES settings (they depend on the key), and deletes the replaced key at the end of the
 * deployment. A failed step stops the deployment before any delete; the replaced key stays in
 * state as a pending delete. Engines from Pulumi CLI 3.46.0 on (pulumi/pulumi#11027) delete it
 * at the end of the next deployment; older ones deleted it first. The README states 3.46.0
 * as the minimum for that reason; the last test shows what the older order would break.
 */
class EngineModel {
    /** Keys of the IAM user (the local S3 knows exactly these). */
    readonly userKeys: KeyPair[];
    current: KeyPair;
    readonly pendingDeletes: KeyPair[] = [];
    state: Record<string, unknown> = {};
    private seq = 0;

    constructor(private readonly h: Harness, private readonly pendingDeletesFirst = false) {
        this.current = h.key;
        this.userKeys = [h.key];
    }

    async create(): Promise<void> {
        this.state = (await this.h.provider.create(this.h.inputs())).outs;
    }

    /** `pulumi up` with keyRotation changed (or `rotate: false`: the same program again). */
    async up(rotate: boolean): Promise<void> {
        if (this.pendingDeletesFirst) this.deletePending();
        let replaced: KeyPair | undefined;
        if (rotate) {
            // IAM allows two access keys per user (AWS's own error when a third is created).
            if (this.userKeys.length >= 2) throw new Error("LimitExceeded: Cannot exceed quota for AccessKeysPerUser: 2");
            const next = { accessKeyId: `AKIAROTATION${String(++this.seq).padStart(8, "0")}`, secretAccessKey: `rotation-secret-${this.seq}-AAAA/+bbbbCCCC` };
            this.h.addKey(next);
            this.userKeys.push(next);
            replaced = this.current;
            this.current = next;
        }
        try {
            this.state = (await this.h.provider.update!("id", this.state, this.h.inputs({ ...this.current }))).outs!;
        } catch (err) {
            if (replaced) this.pendingDeletes.push(replaced); // the deployment stops before any delete
            throw err;
        }
        if (replaced) this.pendingDeletes.push(replaced);
        this.deletePending();
    }

    private deletePending(): void {
        for (const k of this.pendingDeletes.splice(0)) {
            this.h.s3!.keys.delete(k.accessKeyId);
            this.userKeys.splice(this.userKeys.findIndex((u) => u.accessKeyId === k.accessKeyId), 1);
        }
    }
}

/** Whether the key GHES runs with (the last applied configuration) still works on the bucket. */
async function appliedKeyWorks(h: Harness): Promise<boolean> {
    const a = h.sim.appliedConfig()!;
    try {
        await checkStorage({ serviceUrl: a[KEYS.serviceUrl], bucket: a[KEYS.bucket], accessKeyId: a[KEYS.accessKeyId], secretAccessKey: a[KEYS.secretAccessKey], timeoutMs: 0 });
        return true;
    } catch {
        return false;
    }
}

describe("provider: key rotation across a failed pulumi up (engine order modelled)", () => {
    let h: Harness;
    beforeEach(async () => { h = await new Harness({ applyDurationMs: 50 }).start(); });
    afterEach(async () => { await h.stop(); });

    it("a failed GHES update keeps the old key alive and in effect; the next up updates GHES first, then deletes the old key", async () => {
        const engine = new EngineModel(h);
        await engine.create();
        const first = h.key.accessKeyId;
        h.sim.failNextRuns = 1;
        await assert.rejects(engine.up(true), /configuration run .* failed/);
        assert.equal(h.sim.appliedConfig()![KEYS.accessKeyId], first, "GHES still runs with the old key");
        assert.ok(h.s3!.keys.has(first), "the old key is a pending delete, not deleted");
        assert.ok(await appliedKeyWorks(h));

        await engine.up(false); // the next pulumi up: the failed run is detected and run again
        assert.notEqual(h.sim.appliedConfig()![KEYS.accessKeyId], first, "GHES runs with the new key");
        assert.ok(!h.s3!.keys.has(first), "the old key was deleted at the end");
        assert.ok(await appliedKeyWorks(h), "and what GHES runs with works");
    });

    it("two failed rotations in a row meet IAM's two-key limit: the third key fails to create before anything is deleted", async () => {
        const engine = new EngineModel(h);
        await engine.create();
        h.sim.failNextRuns = 2;
        await assert.rejects(engine.up(true), /configuration run sim-run-2 failed/);
        await assert.rejects(engine.up(true), /LimitExceeded: Cannot exceed quota for AccessKeysPerUser: 2/);
        assert.equal(engine.userKeys.length, 2, "nothing was deleted");
        assert.ok(await appliedKeyWorks(h), "GHES still runs with a live key");
        h.sim.failNextRuns = 0;
        await engine.up(false); // what to do (README, troubleshooting): finish the pending rotation first
        assert.equal(engine.userKeys.length, 1);
        assert.ok(await appliedKeyWorks(h));
    });

    it("why the minimum CLI is 3.46.0: the older order deletes the key GHES still runs with before updating it", async () => {
        const engine = new EngineModel(h, true);
        await engine.create();
        h.sim.failNextRuns = 1;
        await assert.rejects(engine.up(true), /configuration run sim-run-2 failed/);
        h.sim.failRequests(100, 503, "/manage/v1/version"); // the next up fails again, after the early delete
        await assert.rejects(engine.up(false), /GET \/manage\/v1\/version .*HTTP 503/);
        assert.equal(await appliedKeyWorks(h), false, "GHES is left pointing at a deleted key");
    });
});
