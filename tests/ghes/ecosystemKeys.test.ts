import { strict as assert } from "node:assert";
import {
    ecosystemKeys, ecosystemMismatches, ecosystemsFromManageSettings, ecosystemsFromSettings, ecosystemWrites, NPM_UPSTREAMING_KEY, servedValue,
    servesContainerRegistry, writtenToggles,
} from "../../ghes/ecosystemKeys";

/*
 * The client's reading of the toggles, against GHES's rule as its configuration code states it
 * (Enterprise::ConfigApply::Packages#ecosystem_enabled):
 *   if "#{app}" == "" && "#{secret}" == "" then "true" else app || secret || "false"
 * Expected values worked out from the Ruby by hand, not from this package's code.
 */
describe("ghes/ecosystemKeys: toggles as GHES computes them", () => {
    const RULE: [string | undefined, string | undefined, string][] = [
        [undefined, undefined, "true"], ["", undefined, "true"], [undefined, "", "true"],
        ["true", undefined, "true"], ["readonly", undefined, "readonly"], ["false", undefined, "false"],
        [undefined, "true", "true"], [undefined, "false", "false"], ["false", "true", "true"],
        ["false", "readonly", "readonly"], ["false", "false", "false"], ["true", "false", "true"],
        ["", "false", ""], ["false", "", ""],
    ];
    for (const [app, secret, served] of RULE) {
        it(`app=${JSON.stringify(app)} secrets=${JSON.stringify(secret)} serves ${JSON.stringify(served)}`, () => assert.equal(servedValue(app, secret), served));
    }

    it("reads both keys of each managed toggle, and nothing for one left out", () => {
        assert.deepEqual(ecosystemKeys({ npm: "disabled", npmUpstreaming: false }),
            ["app.packages.npm-enabled", "secrets.packages.npm-enabled", "app.packages.npm-upstreaming-enabled", "secrets.packages.npm-upstreaming-enabled"]);
        assert.deepEqual(ecosystemKeys(undefined), []);
    });

    it("an unset toggle reads as enabled; a value stored by hand shows as drift, quoted (never the raw bytes)", () => {
        assert.deepEqual(ecosystemsFromSettings({}, { maven: "disabled", npmUpstreaming: false }), { maven: "enabled", npmUpstreaming: true });
        assert.deepEqual(ecosystemsFromSettings({ "app.packages.docker-enabled": "yes" }, { docker: "enabled" }), { docker: "unrecognized \"yes\"" });
        const garbage = "readonly\u001b]0;owned\u0007\u001b[2K\rnpm: ok";
        assert.deepEqual(ecosystemsFromSettings({ "app.packages.npm-enabled": garbage, "app.packages.npm-upstreaming-enabled": garbage }, { npm: "enabled", npmUpstreaming: true }),
            { npm: "unrecognized \"readonly\\u001b]0;owned\\u0007\\u001b[2K\\rnpm: ok\"", npmUpstreaming: "unrecognized \"readonly\\u001b]0;owned\\u0007\\u001b[2K\\rnpm: ok\"" });
        assert.deepEqual(ecosystemsFromManageSettings({ feature_toggles: { packages: { npm_enabled: garbage } } }, { npm: "enabled" }),
            { npm: "unrecognized \"readonly\\u001b]0;owned\\u0007\\u001b[2K\\rnpm: ok\"" });
    });

    it("a mismatch message shows a value read from the appliance without its control characters, cut", () => {
        const garbage = `readonly\u001b]0;owned\u0007\u001b[2K\rnpm: ok${"x".repeat(200)}`;
        const [message, ...rest] = ecosystemMismatches({ npm: "enabled" }, ecosystemsFromSettings({ "app.packages.npm-enabled": garbage }, { npm: "enabled" })!);
        assert.deepEqual(rest, []);
        assert.match(message, /^npm: wanted enabled, reported unrecognized "readonly\\u001b\]0;owned\\u0007\\u001b\[2K\\rnpm: okx+"\.\.\. \(230 characters\)$/);
        assert.ok(![...message].some((c) => c < " " || c === "\u007f"), "no control character from the appliance reaches the message");
        // A value handed in directly (not through the readers above) is escaped too.
        assert.equal(ecosystemMismatches({ docker: "readonly" }, { docker: "x\ny" as never })[0], "docker: wanted readonly, reported \"x\\ny\"");
    });

    it("writes nothing for what GHES serves already (unset and declared enabled: no write, no run)", () => {
        assert.deepEqual(ecosystemWrites({ maven: "enabled", npmUpstreaming: true }, {}), {});
        assert.deepEqual(ecosystemWrites({ npm: "disabled" }, { "app.packages.npm-enabled": "false" }), {});
        assert.deepEqual(ecosystemWrites({ npm: "disabled" }, { "secrets.packages.npm-enabled": "false" }), {}, "disabled through secrets. alone");
    });

    it("disabling writes app. false, and secrets. false wherever secrets. says anything but false (true, readonly, empty)", () => {
        assert.deepEqual(ecosystemWrites({ npm: "disabled" }, {}), { "app.packages.npm-enabled": "false" });
        for (const secret of ["true", "readonly", ""]) {
            const writes = ecosystemWrites({ npm: "disabled" }, { "app.packages.npm-enabled": "false", "secrets.packages.npm-enabled": secret });
            assert.deepEqual(writes, { "app.packages.npm-enabled": "false", "secrets.packages.npm-enabled": "false" }, secret);
            assert.equal(servedValue("false", "false"), "false", "what GHES then serves");
        }
    });

    it("enabling or read-only writes app. only: a true or readonly app. wins whatever secrets. holds", () => {
        assert.deepEqual(ecosystemWrites({ docker: "readonly", rubygems: "enabled" }, { "secrets.packages.docker-enabled": "true", "app.packages.rubygems-enabled": "false", "secrets.packages.rubygems-enabled": "false" }),
            { "app.packages.docker-enabled": "readonly", "app.packages.rubygems-enabled": "true" });
        assert.deepEqual(ecosystemWrites({ npmUpstreaming: false }, {}), { "app.packages.npm-upstreaming-enabled": "false" });
    });

    it("reads the Manage API's feature_toggles as recorded (strings, npm upstreaming a boolean); a toggle it does not carry is left out", () => {
        const settings = { feature_toggles: { packages: { docker_enabled: "readonly", npm_enabled: "false", npm_upstreaming_enabled: false } } };
        assert.deepEqual(ecosystemsFromManageSettings(settings, { docker: "readonly", npm: "disabled", npmUpstreaming: true, maven: "enabled" }),
            { docker: "readonly", npm: "disabled", npmUpstreaming: false });
        assert.deepEqual(ecosystemsFromManageSettings({ subdomain_isolation: true }, { docker: "enabled" }), {});
    });

    it("names npm upstreaming's app. key as GHES does", () => {
        assert.equal(NPM_UPSTREAMING_KEY, "app.packages.npm-upstreaming-enabled");
    });

    it("with no toggles declared, reads nothing, writes nothing and reports nothing", () => {
        assert.deepEqual(ecosystemWrites(undefined, { "app.packages.npm-enabled": "false" }), {});
        assert.equal(ecosystemsFromSettings({ "app.packages.npm-enabled": "false" }, undefined), undefined);
    });

    it("disabling when secrets. already says false writes app. false only", () => {
        assert.deepEqual(ecosystemWrites({ npm: "disabled" }, { "app.packages.npm-enabled": "true", "secrets.packages.npm-enabled": "false" }), { "app.packages.npm-enabled": "false" });
    });

    it("reads from the Manage API only the managed toggles, and nothing from an answer without feature_toggles", () => {
        const settings = { feature_toggles: { packages: { docker_enabled: "readonly", npm_enabled: "false", maven_enabled: "true", npm_upstreaming_enabled: true } } };
        assert.deepEqual(ecosystemsFromManageSettings(settings, { npm: "enabled" }), { npm: "disabled" });
        assert.deepEqual(ecosystemsFromManageSettings(undefined, { npm: "enabled" }), {});
        assert.deepEqual(ecosystemsFromManageSettings({ feature_toggles: { packages: null } }, { npm: "enabled" }), {});
    });

    it("reports a mismatch only for a toggle both wanted and reported, and differing", () => {
        assert.deepEqual(ecosystemMismatches(
            { docker: "enabled", npm: "readonly", maven: "disabled", nuget: "disabled", npmUpstreaming: true },
            { docker: "readonly", npm: "readonly", rubygems: "enabled", nuget: "enabled", npmUpstreaming: false },
        ), [
            "docker: wanted enabled, reported readonly",
            "nuget: wanted disabled, reported enabled",
            "npmUpstreaming: wanted true, reported false",
        ]);
        assert.deepEqual(ecosystemMismatches({ container: "readonly" }, { container: "disabled" }), ["container: wanted readonly, reported disabled"]);
        assert.deepEqual(ecosystemMismatches({ npm: "enabled" }, {}), [], "not reported: not judged");
    });

    it("a mismatch shows a value the readers marked unrecognized as it is, and escapes a raw value that only contains that form", () => {
        const fromReader = ecosystemsFromSettings({ "app.packages.docker-enabled": "yes" }, { docker: "enabled" })!;
        assert.deepEqual(ecosystemMismatches({ docker: "enabled" }, fromReader), ["docker: wanted enabled, reported unrecognized \"yes\""]);
        assert.deepEqual(ecosystemMismatches({ docker: "enabled", npm: "enabled" }, { docker: "evil\nunrecognized \"yes\"" as never, npm: "unrecognized \"yes\"\nevil" as never }), [
            "docker: wanted enabled, reported \"evil\\nunrecognized \\\"yes\\\"\"",
            "npm: wanted enabled, reported \"unrecognized \\\"yes\\\"\\nevil\"",
        ]);
    });

    it("of the declared toggles, keeps for verification only those whose app. or secrets. key was written", () => {
        const toggles = { container: "readonly", docker: "enabled", npm: "disabled", maven: "enabled", npmUpstreaming: false } as const;
        assert.deepEqual(writtenToggles(toggles, ["app.packages.docker-enabled", "secrets.packages.npm-enabled", "app.packages.npm-upstreaming-enabled", "secrets.packages.rubygems-enabled", "app.storage.packages.bucket"]),
            { docker: "enabled", npm: "disabled", npmUpstreaming: false });
        assert.deepEqual(writtenToggles(toggles, []), {});
    });

    it("serves the Container registry when it is enabled or read-only, not when disabled or not managed", () => {
        assert.equal(servesContainerRegistry({ container: "enabled" }), true);
        assert.equal(servesContainerRegistry({ container: "readonly" }), true);
        assert.equal(servesContainerRegistry({ container: "disabled" }), false);
        assert.equal(servesContainerRegistry({ docker: "enabled" }), false);
        assert.equal(servesContainerRegistry(undefined), false);
    });
});
