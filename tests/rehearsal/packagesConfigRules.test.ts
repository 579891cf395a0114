import { strict as assert } from "node:assert";
import { ecosystemEnabled, TOGGLE_NAMES } from "../../rehearsal/packagesConfigRules";

/*
 * Pins the simulator's model of GHES's toggle rule to its source, GHES's configuration code
 * (Enterprise::ConfigApply::Packages#ecosystem_enabled, quoted in rehearsal/packagesConfigRules.ts):
 *
 *   if "#{app}" == "" && "#{secret}" == "" then "true" else app || secret || "false"
 *
 * Each expected value below was worked out from that Ruby by hand (trace in the last column),
 * with Ruby's truthiness: only nil and false are falsy, "" is truthy, "#{nil}" is "".
 * A ghe-config "true"/"false" arrives as a boolean (ghes-facts: inferred from packages_enabled?).
 */
const CASES: [app: string | undefined, secret: string | undefined, expected: boolean | string, trace: string][] = [
    [undefined, undefined, "true", `"" == "" && "" == "" -> "true": nobody configured it, it is ENABLED`],
    ["", undefined, "true", `"#{""}" == "" && "#{nil}" == "" -> "true"`],
    [undefined, "", "true", `both interpolate to "" -> "true"`],
    ["true", undefined, true, "true || ... -> true"],
    ["readonly", undefined, "readonly", `"readonly" || ... -> "readonly"`],
    ["false", undefined, "false", `false || nil || "false" -> "false"`],
    [undefined, "true", true, "nil || true -> true: the secrets. key alone enables"],
    [undefined, "false", "false", `nil || false || "false" -> "false"`],
    [undefined, "readonly", "readonly", `nil || "readonly" -> "readonly"`],
    ["false", "true", true, "false || true -> true: an app. false falls through to secrets."],
    ["false", "readonly", "readonly", `false || "readonly" -> "readonly"`],
    ["false", "false", "false", `false || false || "false" -> "false"`],
    ["true", "false", true, "true || ... -> true"],
    ["readonly", "true", "readonly", `"readonly" || ... -> "readonly"`],
    ["", "false", "", `"#{false}" is "false", so not both empty; "" is truthy -> ""`],
    ["false", "", "", `false || "" -> "" ("" is truthy)`],
    ["yes", undefined, "yes", `a value other than true/false stays a string, truthy -> "yes"`],
];

describe("rehearsal/packagesConfigRules: GHES's toggle rule, as its configuration code computes it", () => {
    for (const [app, secret, expected, trace] of CASES) {
        it(`app=${JSON.stringify(app)} secrets=${JSON.stringify(secret)} -> ${JSON.stringify(expected)} (${trace})`, () => {
            for (const name of TOGGLE_NAMES) {
                const config: Record<string, string> = {};
                if (app !== undefined) config[`app.packages.${name}-enabled`] = app;
                if (secret !== undefined) config[`secrets.packages.${name}-enabled`] = secret;
                assert.deepEqual(ecosystemEnabled(config, name), expected, name);
            }
        });
    }

    it("reads each toggle's own two keys: the seven names of the source", () => {
        assert.deepEqual([...TOGGLE_NAMES].sort(), ["container", "docker", "maven", "npm", "npm-upstreaming", "nuget", "rubygems"]);
        const config = { "app.packages.npm-enabled": "false", "secrets.packages.maven-enabled": "false" };
        assert.deepEqual(TOGGLE_NAMES.map((n) => ecosystemEnabled(config, n)), ["true", "true", "false", "false", "true", "true", "true"]);
    });
});
