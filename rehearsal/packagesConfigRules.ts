/*
 * What GHES's configuration run computes from the Packages settings, for the simulator. Modelled
 * from GHES's own configuration code, never from this package's client (ghes/ecosystemKeys.ts
 * is the client's reading, written separately); tests/rehearsal/packagesConfigRules.test.ts pins
 * this file to the source below with cases worked out from the Ruby by hand.
 *
 * Source: module Enterprise::ConfigApply::Packages (on the appliance:
 * /usr/local/share/enterprise/lib/configapply/packages.rb, as published in a public repository):
 *
 *   def packages_npm_upstreaming_enabled_state
 *     ecosystem_enabled("npm-upstreaming")
 *   end
 *   ...                                  (the same for docker, container, maven, npm, rubygems, nuget)
 *   def ecosystem_enabled(ecosystem)
 *     app    = raw_config.dig("app", "packages", "#{ecosystem}-enabled")
 *     secret = secret_value("packages", "#{ecosystem}-enabled")
 *
 *     if "#{app}" == "" && "#{secret}" == ""
 *       "true"
 *     else
 *       app || secret || "false"
 *     end
 *   end
 *
 *   def packages_container_blob_redirection_enabled_state
 *     return false if raw_config.dig("app", "packages", "container-blob-redirection-enabled").nil?
 *     raw_config.dig("app", "packages", "container-blob-redirection-enabled")
 *   end
 *
 * Ruby semantics kept: only nil and false are falsy (the empty string is not); "#{nil}" is "".
 * Inferred, not read (the settings parser is not published): a ghe-config value "true"/"false"
 * arrives as a boolean (`packages_enabled?` is `!!raw_config.dig("app","packages","enabled")`,
 * which only works that way), any other value as a string, an unset key as nil.
 */

/** A parsed setting as the Ruby code sees it: nil (undefined), a boolean, or a string. */
export type RubyValue = boolean | string | undefined;

/** The ghe-config keys GHES's configuration code reads for one ecosystem toggle. */
export const TOGGLE_NAMES = ["docker", "container", "maven", "npm", "npm-upstreaming", "rubygems", "nuget"] as const;
export type ToggleName = (typeof TOGGLE_NAMES)[number];

const parse = (v: string | undefined): RubyValue => (v === "true" ? true : v === "false" ? false : v);
const interpolate = (v: RubyValue): string => (v === undefined ? "" : String(v));
const truthy = (v: RubyValue): boolean => v !== undefined && v !== false;

/** `ecosystem_enabled(ecosystem)` over ghe-config values (key -> value as stored; absent = unset). */
export function ecosystemEnabled(config: Readonly<Record<string, string | undefined>>, ecosystem: ToggleName): Exclude<RubyValue, undefined> {
    const app = parse(config[`app.packages.${ecosystem}-enabled`]);
    const secret = parse(config[`secrets.packages.${ecosystem}-enabled`]);
    if (interpolate(app) === "" && interpolate(secret) === "") return "true";
    return truthy(app) ? (app as string | true) : truthy(secret) ? (secret as string | true) : "false";
}

/** `packages_container_blob_redirection_enabled_state`. */
export function containerBlobRedirectionEnabled(config: Readonly<Record<string, string | undefined>>): Exclude<RubyValue, undefined> {
    const v = parse(config["app.packages.container-blob-redirection-enabled"]);
    return v === undefined ? false : v;
}

/** `packages_enabled?`. */
export const packagesEnabled = (config: Readonly<Record<string, string | undefined>>): boolean => truthy(parse(config["app.packages.enabled"]));
