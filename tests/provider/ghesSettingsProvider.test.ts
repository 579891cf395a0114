import { strict as assert } from "node:assert";
import { chmodSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateEd25519KeyPair } from "../../ghes/sshKeys";
import { KEYS } from "../../ghes/gheConfigKeys";
import { identityPolicyFor } from "../../rehearsal/fixtures";
import { Harness } from "../support/providerHarness";

const ALL_KEYS = [KEYS.storageType, KEYS.serviceUrl, KEYS.bucket, KEYS.accessKeyId, KEYS.secretAccessKey, KEYS.enabled];
type Outs = Record<string, unknown>;

/** Everything the simulator, logs and errors saw, minus the places a secret legitimately lives. */
function assertNoSecretLeaked(h: Harness, secrets: string[], extra: string[] = []): void {
    const surfaces: [string, string][] = [
        ["command lines", h.sim.commands.map((c) => c.command).join("\n")],
        ["Manage API bodies and paths", JSON.stringify(h.sim.requests.map((r) => [r.path, r.body]))],
        ["logs", h.logs.join("\n")],
        ["errors and outputs", extra.join("\n")],
    ];
    for (const s of secrets) for (const [where, text] of surfaces) assert.ok(!text.includes(s), `secret found in ${where}`);
}

describe("provider/ghesSettingsProvider: create, update, read, delete against the GHES simulator", () => {
    let h: Harness;
    afterEach(async () => {
        try {
            assertNoSecretLeaked(h, [h.key.secretAccessKey, h.sim.password]);
        } finally {
            await h.stop();
        }
    });

    describe("GHES 3.12+ (Manage API)", () => {
        // The local S3 (storage check, bucket claim) only where the bucket and key are what a test
        // is about; the rest pin the appliance's side, without it (as tests/provider/journal.test.ts).
        beforeEach(async () => { h = await new Harness({}, false).start(); });

        describe("with the bucket (local S3)", () => {
            beforeEach(async () => { await h.stop(); h = await new Harness().start(); });

            it("create: checks storage, writes all six keys, runs the configuration once and waits for success", async () => {
                const { id, outs } = await h.provider.create(h.inputs());
                assert.equal(id, "ghes-packages:127.0.0.1");
                assert.deepEqual(h.sim.config(), {
                    [KEYS.storageType]: "s3", [KEYS.serviceUrl]: h.s3!.url, [KEYS.bucket]: h.bucket,
                    [KEYS.accessKeyId]: h.key.accessKeyId, [KEYS.secretAccessKey]: h.key.secretAccessKey, [KEYS.enabled]: "true",
                    "core.subdomain-isolation": "true", // the appliance's own setting, untouched
                });
                assert.deepEqual(h.sim.appliedConfig(), h.sim.config(), "the run applied exactly these values");
                assert.equal(h.sim.clientRuns().length, 1);
                assert.equal(outs.applyRunId, h.sim.clientRuns()[0].id);
                assert.equal(outs.ghesVersion, "3.14.2");
                assert.equal(outs.hostKeyFingerprint, h.sim.hostKeyFingerprint);
                assert.deepEqual(outs.writtenKeys, ALL_KEYS);
                assert.ok(h.s3!.requests.some((r) => r.action === "s3:ListMultipartUploadParts" && r.outcome === "allowed"), "storage checked first");
                assert.equal(h.sim.authorizedKeys.size, 0, "the temporary SSH key was removed");
                assert.ok(h.sim.requests.some((r) => r.method === "POST" && r.path === "/manage/v1/access/ssh"));
                assert.ok(h.logs.some((l) => l === `ghe-config ${KEYS.secretAccessKey} = (secret, set)`));
            });

            it("key rotation: writes only the key pair and runs exactly one configuration", async () => {
                const { outs } = await h.provider.create(h.inputs());
                const rotated = { accessKeyId: "AKIAROTATED000000002", secretAccessKey: "rotated-secret-ZZZZ/+yyyyXXXXwwww0002" };
                h.s3!.addKey({ ...rotated, policy: identityPolicyFor(h.bucket) });
                const writes = h.sim.writes();
                const news = h.inputs(rotated);
                const diff = await h.provider.diff!("id", outs, news);
                assert.deepEqual([diff.changes, diff.replaces], [true, []]);
                const up = await h.provider.update!("id", outs, news);
                assert.deepEqual(up.outs!.writtenKeys, [KEYS.accessKeyId, KEYS.secretAccessKey]);
                assert.equal(h.sim.writes() - writes, 2);
                assert.equal(h.sim.clientRuns().length, 2, "exactly one more run");
                assert.equal(h.sim.appliedConfig()![KEYS.accessKeyId], rotated.accessKeyId);
                assertNoSecretLeaked(h, [rotated.secretAccessKey], [JSON.stringify({ ...up.outs, secretAccessKey: undefined })]);
            });

            it("storage guard: refuses to move an instance that serves packages from another bucket, writing nothing", async () => {
                h.sim.setConfig({ [KEYS.storageType]: "s3", [KEYS.serviceUrl]: h.s3!.url, [KEYS.bucket]: "old-packages-bucket", [KEYS.enabled]: "true" });
                await assert.rejects(h.provider.create(h.inputs()), /already stores packages elsewhere \(secrets\.packages\.s3-bucket: "old-packages-bucket" -> "ghes-packages-test"\).*allowStorageMigration: true/s);
                assert.equal(h.sim.writes(), 0);
                assert.equal(h.sim.clientRuns().length, 0);
                await h.provider.create(h.inputs({ allowStorageMigration: true }));
                assert.equal(h.sim.config()[KEYS.bucket], h.bucket);
            });

            it("validates again when called without check (direct callers), before any network call", async () => {
                await assert.rejects(h.provider.create({ ...h.inputs(), bucket: "Bad;Bucket", managementPort: 0 }), (e: Error) =>
                    /invalid inputs:/.test(e.message) && /bucket: only lowercase/.test(e.message) && /managementPort:/.test(e.message));
                assert.equal(h.sim.requests.length + h.s3!.requests.length, 0);
            });

            it("a failed storage check leaves GHES untouched", async () => {
                await assert.rejects(h.provider.create(h.inputs({ secretAccessKey: "not-the-right-secret-at-all" })), /storage check failed: .*GHES was not changed/);
                assert.equal(h.sim.requests.length, 0);
                assert.equal(h.sim.commands.length, 0);
            });
        });

        it("a second run with the same values writes nothing and starts no run; diff reports no change", async () => {
            const { outs } = await h.provider.create(h.inputs());
            const writes = h.sim.writes();
            const diff = await h.provider.diff!("id", outs, h.inputs());
            assert.equal(diff.changes, false);
            await h.provider.create(h.inputs());
            assert.equal(h.sim.writes(), writes, "no ghe-config write");
            assert.equal(h.sim.clientRuns().length, 1, "no second configuration run");
            assert.ok(h.logs.includes("GHES already holds these settings: nothing written, no configuration run"));
        });

        it("changing only provider settings (timeouts, delete behaviour) does not contact GHES", async () => {
            const { outs } = await h.provider.create(h.inputs());
            const before = h.sim.requests.length;
            const up = await h.provider.update!("id", outs, h.inputs({ applyTimeoutSeconds: 600, onDelete: "disable" }));
            assert.equal(h.sim.requests.length, before);
            assert.equal(up.outs!.onDelete, "disable");
            assert.equal(up.outs!.applyRunId, outs.applyRunId);
        });

        it("refresh: reports what GHES holds, so drift shows as a diff, and never logs the secret", async () => {
            const { id, outs } = await h.provider.create(h.inputs());
            let r = await h.provider.read!(id, outs);
            assert.deepEqual(r.inputs, Object.fromEntries(Object.entries(r.inputs!).map(([k]) => [k, (outs as Outs)[k]])));
            assert.equal((await h.provider.diff!(id, r.props!, h.inputs())).changes, false);
            h.sim.setConfig({ [KEYS.bucket]: "someone-else", [KEYS.secretAccessKey]: "changed-by-hand-secret", [KEYS.enabled]: "false" });
            r = await h.provider.read!(id, outs);
            assert.equal(r.props!.bucket, "someone-else");
            assert.equal(r.props!.packagesEnabled, false);
            assert.equal(r.props!.secretAccessKey, "changed-by-hand-secret");
            const diff = await h.provider.diff!(id, r.inputs!, h.inputs());
            assert.equal(diff.changes, true);
            assert.ok(h.logs.some((l) => l === "refresh: GHES differs from the last deployment in bucket, secretAccessKey, packagesEnabled"));
            assertNoSecretLeaked(h, ["changed-by-hand-secret"]);
        });

        it("delete with retain (the default) leaves GHES untouched and says so", async () => {
            const { id, outs } = await h.provider.create(h.inputs());
            const before = h.sim.requests.length;
            await h.provider.delete!(id, outs);
            assert.equal(h.sim.requests.length, before);
            assert.equal(h.sim.config()[KEYS.enabled], "true");
            assert.ok(h.logs.some((l) => /onDelete is "retain"/.test(l)));
        });

        it("delete with disable turns Packages off and applies", async () => {
            const { id, outs } = await h.provider.create(h.inputs({ onDelete: "disable" }));
            await h.provider.delete!(id, outs);
            assert.equal(h.sim.config()[KEYS.enabled], "false");
            assert.equal(h.sim.config()[KEYS.bucket], h.bucket, "storage settings stay for a later re-enable");
            assert.equal(h.sim.clientRuns().length, 2);
            assert.equal(h.sim.appliedConfig()![KEYS.enabled], "false");
        });

        it("storage guard at plan time: check refuses the change from the previous inputs", async () => {
            const { outs } = await h.provider.create(h.inputs());
            const r = await h.provider.check!(outs, { ...h.inputs(), bucket: "another-bucket" });
            assert.deepEqual(r.failures!.map((f) => f.property), ["bucket"]);
        });

        it("a failed configuration run fails with the run id and the last events; the next attempt runs again", async () => {
            h.sim.failNextRuns = 1;
            const failure = await h.provider.create(h.inputs()).then(() => assert.fail("the run failed"), (e: Error) => e.message);
            assert.match(failure, /^configuration run sim-run-1 failed on ghe-sim-primary\. The settings are written but not in effect; fix the cause and run pulumi up again\.\n {2}last events:\n/);
            // The events are passed on as the appliance sent them (these texts are the simulator's own).
            const sent = h.sim.requests.filter((r) => r.path === "/manage/v1/config/apply/events").pop()!.response as { nodes: { events: { body: string }[] }[] };
            for (const body of sent.nodes.flatMap((n) => n.events.map((e) => e.body))) assert.ok(failure.includes(body), body);
            const { outs } = await h.provider.create(h.inputs());
            assert.equal(h.sim.clientRuns().length, 2, "values already written, but the failed run is retried");
            assert.equal(outs.applyRunId, "sim-run-2");
            assert.deepEqual(outs.writtenKeys, []);
        });

        it("a run that failed on one node of a cluster fails, naming that node only, whatever the run's own answer says", async () => {
            for (const overall of [true, false]) {
                await h.stop();
                h = await new Harness({ nodes: ["ghe-primary", "ghe-replica-1", "ghe-replica-2"] }, false).start();
                h.sim.failNodeOfNextRun = "ghe-replica-1";
                h.sim.topLevelAfterNodeFailure = overall ? "successful" : "failed";
                await assert.rejects(h.provider.create(h.inputs()), /^GhesOperationError: configuration run sim-run-1 failed on ghe-replica-1\. The settings are written but not in effect/);
            }
        });

        it("waits for a configuration run someone else started, then starts its own", async () => {
            // Someone starts a run just as the provider finishes writing (deterministic, whatever the machine's speed).
            let external = "";
            h.sim.afterCommand = (c) => {
                if (!external && c.command.includes("app.packages.enabled") && c.command.includes("'true'")) external = h.sim.startExternalRun(700);
            };
            await h.provider.create(h.inputs());
            assert.equal(h.sim.runs[0].id, external);
            assert.equal(h.sim.clientRuns().length, 1);
            assert.ok(h.sim.clientRuns()[0].startedAt >= h.sim.runs[0].startedAt + 700);
            assert.ok(h.logs.some((l) => /configuration run sim-run-1 is in progress; waiting/.test(l)));
        });

        it("handles a busy answer to POST config/apply when a run starts in between", async () => {
            // A foreign run starts right after our status check, so our POST meets a busy appliance.
            let started = false;
            h.sim.afterResponse = (r) => {
                if (!started && r.method === "GET" && r.path === "/manage/v1/config/apply") { started = true; h.sim.startExternalRun(400); }
            };
            await h.provider.create(h.inputs());
            assert.ok(h.sim.requests.some((r) => r.method === "POST" && r.path === "/manage/v1/config/apply" && r.status === 409));
            assert.equal(h.sim.clientRuns().length, 1);
        });

        it("works with an appliance that only answers run status for a given run_id", async () => {
            h.sim.requireRunId = true;
            const { outs } = await h.provider.create(h.inputs());
            assert.equal(outs.applyRunId, "sim-run-1");
            await h.provider.create(h.inputs());
            assert.equal(h.sim.clientRuns().length, 1);
        });

        it("keeps retrying a busy POST (with backoff) when the appliance cannot say which run is in progress", async () => {
            h.sim.requireRunId = true;
            let started = false;
            h.sim.afterCommand = (c) => {
                if (!started && c.command.includes("app.packages.enabled") && c.command.includes("'true'")) { started = true; h.sim.startExternalRun(1500); }
            };
            await h.provider.create(h.inputs());
            const posts = h.sim.requests.filter((r) => r.method === "POST" && r.path === "/manage/v1/config/apply");
            assert.ok(posts.filter((r) => r.status === 409).length >= 1 && posts[posts.length - 1].status === 200);
            assert.ok(posts.length <= 6, `${posts.length} POSTs: backoff, not a tight loop`);
            assert.equal(h.sim.clientRuns().length, 1);
        });

        it("retries Manage API 5xx answers and connection resets within bounds", async () => {
            h.sim.failRequests(2, 502);
            await h.provider.create(h.inputs());
            h.sim.resetRequests(1);
            await h.provider.create(h.inputs());
            assert.equal(h.sim.clientRuns().length, 1);
        });

        it("keeps waiting when the Manage API is briefly unavailable during the run (services restart)", async () => {
            let armed = false;
            h.sim.afterResponse = (r) => {
                if (!armed && r.method === "POST" && r.path === "/manage/v1/config/apply") { armed = true; h.sim.failRequests(6, 503, "/manage/v1/config/apply"); }
            };
            const { outs } = await h.provider.create(h.inputs());
            assert.equal(outs.applyRunId, "sim-run-1");
            assert.ok(h.logs.some((l) => /status not available .*HTTP 503.*still waiting/.test(l)));
        });

        it("reconnects once when the SSH connection drops mid-command, and still runs the configuration", async () => {
            h.sim.dropCommands(1);
            const { outs } = await h.provider.create(h.inputs());
            assert.equal(h.sim.config()[KEYS.secretAccessKey], h.key.secretAccessKey);
            assert.equal(h.sim.clientRuns().length, 1);
            assert.deepEqual(outs.writtenKeys, ALL_KEYS);
            assert.ok(h.logs.some((l) => /reconnecting once/.test(l)));
            assert.equal(h.sim.authorizedKeys.size, 0, "both temporary keys removed");
        });

        it("a write failure undoes what landed, says what GHES stores and that no run started", async () => {
            h.sim.failWriteKey = KEYS.accessKeyId;
            await assert.rejects(h.provider.create(h.inputs()), (e: Error) => {
                assert.match(e.message, /writing secrets\.packages\.aws-access-key failed with exit status 255/);
                assert.match(e.message, /every key written before the failure was restored to its previous value and read back/);
                assert.match(e.message, /GHES stores its previous settings again .*no configuration run was started/);
                return true;
            });
            assert.equal(h.sim.clientRuns().length, 0);
            assert.deepEqual(ALL_KEYS.map((k) => h.sim.config()[k]), ALL_KEYS.map(() => undefined), "a fresh appliance holds no key of the failed write");
        });

        it("a failing write whose output quotes the secret across the 300-character cut does not leak any part of it", async () => {
            // A ghe-config that echoes the rejected value (as a Ruby exception message would), placed so that the
            // excerpt's cut at 300 characters falls inside the secret.
            const tool = join(h.sim.dir, "bin", "ghe-config");
            renameSync(tool, `${tool}.real`);
            const padding = "x".repeat(300 - "error: invalid value ".length - 16); // 16 characters of the secret before the cut
            writeFileSync(tool, `#!/bin/sh\nif [ "$#" -eq 2 ] && [ "$1" = "${KEYS.secretAccessKey}" ]; then echo "error: invalid value ${padding}$2 for $1" >&2; exit 255; fi\nexec "$0.real" "$@"\n`);
            chmodSync(tool, 0o755);
            await assert.rejects(h.provider.create(h.inputs()), (e: Error) => {
                assert.match(e.message, /writing secrets\.packages\.aws-secret-key failed with exit status 255: error: invalid value x+/);
                const secret = h.key.secretAccessKey;
                for (let i = 0; i + 10 <= secret.length; i++) assert.ok(!e.message.includes(secret.slice(i, i + 10)), `part of the secret (${i}..${i + 10}) leaked: ${e.message}`);
                return true;
            });
        });

        it("refuses a changed SSH host key after the first contact, before writing anything", async () => {
            const { outs } = await h.provider.create(h.inputs());
            await h.sim.changeHostKey();
            const commands = h.sim.commands.length;
            const rotated = { accessKeyId: "AKIAROTATED000000003", secretAccessKey: "rotated-secret-3333/+yyyyXXXXwwww0003" };
            h.addKey(rotated);
            const { sshHostKeyFingerprint: _given, ...fromState } = h.inputs(rotated); // the pin recorded in state applies
            await assert.rejects(h.provider.update!("id", outs, fromState), /admin shell ssh:\/\/admin@127\.0\.0\.1:\d+: SSH host key is SHA256:.*but SHA256:.* is pinned/);
            assert.equal(h.sim.commands.length, commands);
            assert.equal(h.sim.authorizedKeys.size, 0, "the temporary key is removed on failure too");
        });

        it("a wrong password fails on the first call, clearly, without the password", async () => {
            await assert.rejects(h.provider.create(h.inputs({ managementPassword: "wrong-password-77" })), (e: Error) =>
                /GET \/manage\/v1\/version .* HTTP 401 \(check managementPassword/.test(e.message) && !e.message.includes("wrong-password-77"));
            assert.equal(h.sim.commands.length, 0);
        });

        it("reads the password from GHES_MANAGEMENT_PASSWORD when no input is given", async () => {
            h.env.GHES_MANAGEMENT_PASSWORD = h.sim.password;
            const { managementPassword: _none, ...inputs } = h.inputs();
            const { outs } = await h.provider.create(inputs);
            assert.equal(outs.managementPassword, undefined, "the environment's password is never written to state");
        });

        it("holds maintenance mode during the run when asked, and turns it off again", async () => {
            await h.provider.create(h.inputs({ maintenanceMode: true }));
            assert.deepEqual(h.sim.maintenanceLog, [true, false]);
        });

        it("writes but does not apply when applyConfiguration is false", async () => {
            const { outs } = await h.provider.create(h.inputs({ applyConfiguration: false }));
            assert.equal(h.sim.config()[KEYS.bucket], h.bucket);
            assert.equal(h.sim.clientRuns().length, 0);
            assert.equal(outs.applyRunId, undefined);
        });

        it("times out a configuration run that never ends, naming it", async () => {
            h.sim.applyDurationMs = 60000;
            await assert.rejects(h.provider.create(h.inputs({ applyTimeoutSeconds: 10 })), /timed out after 10 s waiting for configuration run sim-run-1/);
        });
    });

    describe("GHES < 3.12 (admin shell only)", () => {
        let key: { private: string; public: string };
        beforeEach(async () => {
            h = await new Harness({ version: "3.11.4" }, false).start();
            key = generateEd25519KeyPair();
            h.sim.authorizeKey(key.public);
        });

        it("uses the operator's SSH key and runs ghe-config-apply over SSH", async () => {
            const { outs } = await h.provider.create(h.inputs({ sshPrivateKey: key.private }));
            assert.equal(h.sim.config()[KEYS.bucket], h.bucket);
            assert.equal(h.sim.toolInvocations().filter((t) => t.tool === "ghe-config-apply").length, 1);
            assert.ok(!h.sim.requests.some((r) => r.path.startsWith("/manage/v1/config/apply") || r.path.startsWith("/manage/v1/access")));
            assert.equal(outs.ghesVersion, "3.11.4");
            assert.match(String(outs.applyRunId), /^ssh-/);
            assert.deepEqual(h.sim.appliedConfig(), h.sim.config());
            assertNoSecretLeaked(h, [key.private.split("\n")[1]], [JSON.stringify({ ...outs, sshPrivateKey: undefined, secretAccessKey: undefined, managementPassword: undefined })]);
        });

        it("asks for sshPrivateKey when none is given", async () => {
            await assert.rejects(h.provider.create(h.inputs()), /sshPrivateKey: GHES 3\.11\.4 at 127\.0\.0\.1 has no Manage API for SSH keys/);
        });

        it("reports a failed ghe-config-apply with its output", async () => {
            h.sim.legacyApplyExit = 1;
            await assert.rejects(h.provider.create(h.inputs({ sshPrivateKey: key.private })), /ghe-config-apply failed with exit status 1\. .*Packages storage could not be reached/s);
        });

        it("works with appliances older than 3.8, which have no version endpoint", async () => {
            h.sim.version = "3.7.2";
            const { outs } = await h.provider.create(h.inputs({ sshPrivateKey: key.private }));
            assert.equal(outs.ghesVersion, "unknown (< 3.8)");
            assert.equal(h.sim.config()[KEYS.enabled], "true");
        });

    });
});
