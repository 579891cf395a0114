import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";

/*
 * The README's main command, run as a newcomer would, and everything it prints scanned for
 * the secrets it handles (the mock key, the rotated key, the simulator's root password).
 */
describe("scripts/demo: the offline rehearsal", function () {
    this.timeout(180000);
    let run: ReturnType<typeof spawnSync>;
    before(() => {
        run = spawnSync("npm", ["run", "--silent", "demo"], { encoding: "utf8", env: { ...process.env, CI: "true" }, stdio: ["ignore", "pipe", "pipe"] });
    });

    it("exits 0 after every step", () => {
        assert.equal(run.status, 0, String(run.stderr));
        for (const step of ["3. create, as `pulumi up` calls it", "4. the same program again", "5. key rotation", "6. ecosystem change", "7. refresh, as `pulumi refresh` calls it", "8. delete, as `pulumi destroy` calls it", "9. org-wide guardrails"]) {
            assert.ok(String(run.stdout).includes(step), step);
        }
        assert.match(String(run.stdout), /All steps passed/);
    });

    it("shows the plan with both policies in full, and the counts that matter", () => {
        const out = String(run.stdout);
        assert.match(out, /"s3:ListBucketMultipartUploads"/);
        assert.match(out, /"DenyOutdatedTls"/);
        assert.match(out, /4\. the same program again[\s\S]*?0 Manage API requests, 0 ghe-config writes, 0 configuration runs/);
        assert.match(out, /5\. key rotation[\s\S]*?2 ghe-config writes, 1 configuration runs/);
        // Docker only: the Container registry is enabled on a fresh appliance by GHES's own rule, so it needs no write.
        assert.match(out, /6\. ecosystem change[\s\S]*?1 ghe-config writes, 1 configuration runs/);
    });

    it("shows the policy pack passing the package's own setup and naming each rule a hand-written one breaks", () => {
        const out = String(run.stdout);
        assert.match(out, /ghes-packages-s3 \d+\.\d+\.\d+: 13 policies \(12 mandatory, 1 advisory by default\)/);
        assert.match(out, /The stack PackagesStorage builds \(bucket, its protections, user, key, GHES settings\): 0 violations/);
        for (const v of ["[mandatory] ghes-settings-tls-verification: GhesPackagesSettings \"hand-settings\" turns TLS verification off",
            "[mandatory] ghes-settings-host-key-pinned:", "[mandatory] packages-bucket-public-access-blocked: aws:s3/bucket:Bucket \"hand-bucket\"",
            "[mandatory] packages-identity-least-privilege:", "[advisory] packages-access-key-age:"]) {
            assert.ok(out.includes(v), v);
        }
    });

    it("prints no secret value anywhere", () => {
        const everything = String(run.stdout) + String(run.stderr);
        for (const secret of ["mock-secret-for-", "rehearsal-rotated-secret", "sim-root-password", "PRIVATE KEY"]) {
            assert.ok(!everything.includes(secret), `found ${secret}`);
        }
    });
});
