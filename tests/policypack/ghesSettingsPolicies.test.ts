import { strict as assert } from "node:assert";
import { GHES_SETTINGS } from "../../policypack/resourceTypes";
import { UNKNOWN_STRING } from "../../rehearsal/policyPackHost";
import { analyzeResource, analyzeStack, inStack, of, urnOf } from "../support/policyHarness";
import { FINGERPRINT, handWrittenStack, packagesStack } from "../../rehearsal/stackSnapshots";

/** The settings resource of the compliant stack, with `props` changed. */
const settings = (props: Record<string, unknown>, type: string = GHES_SETTINGS[0]) => {
    const s = packagesStack().find((r) => r.name === "ghes-prod-settings")!;
    const next = { ...s, type, props: { ...s.props, ...props } };
    for (const [k, v] of Object.entries(props)) if (v === undefined) delete next.props[k];
    return next;
};

describe("policy pack: GhesPackagesSettings rules (resource validation, before the provider writes anything)", () => {
    it("passes the settings PackagesStorage writes: a pinned host key, TLS verified, the default timeout", () => inStack("prod", async () => {
        assert.deepEqual(await analyzeResource(settings({})), []);
        assert.deepEqual(await analyzeResource(settings({ applyTimeoutSeconds: undefined })), [], "the default 1800 s is within bounds");
    }));

    it("ghes-settings-tls-verification: TLS verification off is a mandatory violation naming the resource, the stack and the fix", () => inStack("prod", async () => {
        const ds = of(await analyzeResource(settings({ dangerouslySkipTlsVerification: true })), "ghes-settings-tls-verification");
        assert.equal(ds.length, 1);
        assert.equal(ds[0].level, "mandatory");
        assert.match(ds[0].message, /GhesPackagesSettings "ghes-prod-settings" turns TLS verification off \(dangerouslySkipTlsVerification: true\) in stack guardrails\/prod/);
        assert.match(ds[0].message, /Fix: give caBundle .* and remove dangerouslySkipTlsVerification; for a lab appliance, list the stack in this policy's allowedStacks/);
        assert.deepEqual(of(await analyzeResource(settings({ dangerouslySkipTlsVerification: false })), "ghes-settings-tls-verification"), []);
    }));

    it("judges resources under the pre-0.2 type token too, and nothing else", () => inStack("prod", async () => {
        assert.equal(of(await analyzeResource(settings({ dangerouslySkipTlsVerification: true }, GHES_SETTINGS[1])), "ghes-settings-tls-verification").length, 1);
        assert.equal(GHES_SETTINGS[1], "pulumi-nodejs:dynamic/ghes-packages:GhesPackagesSettings");
        const other = { type: "pulumi-nodejs:dynamic/someone-else:Settings", name: "x", props: { dangerouslySkipTlsVerification: true } };
        assert.deepEqual(await analyzeResource(other), []);
    }));

    it("ghes-settings-host-key-pinned: no fingerprint, trust on first use outside listed stacks, or a malformed fingerprint are violations", () => inStack("prod", async () => {
        const missing = of(await analyzeResource(settings({ sshHostKeyFingerprint: undefined })), "ghes-settings-host-key-pinned");
        assert.equal(missing.length, 1);
        assert.match(missing[0].message, /GhesPackagesSettings "ghes-prod-settings" has no pinned SSH host key \(sshHostKeyFingerprint\): the AWS secret key travels over this channel/);
        assert.match(missing[0].message, /Fix: set sshHostKeyFingerprint to the SHA256:\.\.\. fingerprint verified out of band/);

        const tofu = of(await analyzeResource(settings({ sshHostKeyFingerprint: undefined, sshHostKeyTrustOnFirstUse: true })), "ghes-settings-host-key-pinned");
        assert.match(tofu[0].message, /and trusts the first key it sees \(sshHostKeyTrustOnFirstUse\) in stack guardrails\/prod/);
        assert.match(tofu[0].message, /list the stack in this policy's trustOnFirstUseStacks/);

        const malformed = of(await analyzeResource(settings({ sshHostKeyFingerprint: "SHA256:short=" })), "ghes-settings-host-key-pinned");
        assert.match(malformed[0].message, /sshHostKeyFingerprint must be an OpenSSH SHA256 fingerprint/);

        assert.deepEqual(of(await analyzeResource(settings({ sshHostKeyFingerprint: FINGERPRINT, sshHostKeyTrustOnFirstUse: true })), "ghes-settings-host-key-pinned"), [],
            "a pinned fingerprint wins over trust on first use (the provider ignores the opt-in then)");
    }));

    it("a fingerprint not known until the update (preview) is not judged yet", () => inStack("prod", async () => {
        assert.deepEqual(await analyzeResource(settings({ sshHostKeyFingerprint: UNKNOWN_STRING })), []);
    }));

    it("ghes-settings-apply-timeout: outside 300-7200 s by default is a violation naming the value and the bounds", () => inStack("prod", async () => {
        const short = of(await analyzeResource(settings({ applyTimeoutSeconds: 60 })), "ghes-settings-apply-timeout");
        assert.equal(short.length, 1);
        assert.match(short[0].message, /GhesPackagesSettings "ghes-prod-settings": applyTimeoutSeconds is 60, outside 300-7200/);
        assert.match(short[0].message, /Fix: set applyTimeoutSeconds between 300 and 7200\./);
        assert.equal(of(await analyzeResource(settings({ applyTimeoutSeconds: 7201 })), "ghes-settings-apply-timeout").length, 1);
        assert.deepEqual(of(await analyzeResource(settings({ applyTimeoutSeconds: 7200 })), "ghes-settings-apply-timeout"), []);
        assert.deepEqual(of(await analyzeResource(settings({ applyTimeoutSeconds: 300 })), "ghes-settings-apply-timeout"), []);
    }));
});

describe("policy pack: one GhesPackagesSettings per appliance (stack validation)", () => {
    it("passes one resource per appliance, also across two appliances", async () => {
        const second = settings({ hostname: "ghes-staging.example.com" });
        second.name = "staging-settings";
        assert.deepEqual(of(await analyzeStack([...packagesStack(), second]), "ghes-settings-one-per-appliance"), []);
    });

    it("reports every resource aimed at one appliance, however the host name is spelled, naming all of them", async () => {
        const twin = settings({ hostname: "GHES.example.com." }, GHES_SETTINGS[1]);
        twin.name = "twin-settings";
        const ds = of(await analyzeStack([...handWrittenStack(), twin]), "ghes-settings-one-per-appliance");
        assert.deepEqual(ds.map((d) => d.urn).sort(), [urnOf({ type: GHES_SETTINGS[1], name: "hand-settings" }), urnOf(twin)].sort());
        for (const d of ds) {
            assert.equal(d.level, "mandatory");
            assert.match(d.message, /GhesPackagesSettings "hand-settings" and pulumi-nodejs:dynamic\/ghes-packages:GhesPackagesSettings "twin-settings" all configure appliance ghes\.example\.com/);
            assert.match(d.message, /Fix: keep one GhesPackagesSettings \(or PackagesStorage\) per appliance/);
        }
    });
});
