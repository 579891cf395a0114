import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/*
 * Fake `ghe-config` and `ghe-config-apply` for the simulator's admin shell. They run as
 * real programs under /bin/sh, so the quoting the provider sends is executed for real.
 * State lives in a JSON file named by GHE_SIM_CONFIG; every invocation's argv is appended
 * to GHE_SIM_ARGV_LOG (as JSON lines) so tests can prove what reached the tool.
 */
const GHE_CONFIG = `
const fs = require("fs");
const file = process.env.GHE_SIM_CONFIG;
const args = process.argv.slice(2);
fs.appendFileSync(process.env.GHE_SIM_ARGV_LOG, JSON.stringify({ tool: "ghe-config", args }) + "\\n");
const load = () => { try { return JSON.parse(fs.readFileSync(file, "utf8")); } catch { return {}; } };
const cfg = load();
if (args[0] === "-l") { for (const [k, v] of Object.entries(cfg)) process.stdout.write(k + "=" + v + "\\n"); process.exit(0); }
if (args[0] === "--true") process.exit(cfg[args[1]] === "true" ? 0 : 1);
if (args.length === 1) { if (!(args[0] in cfg)) process.exit(1); process.stdout.write(cfg[args[0]] + "\\n"); process.exit(0); }
if (args.length === 2) {
  if (process.env.GHE_SIM_FAIL_WRITE_KEY === args[0]) { process.stderr.write("error: could not lock config file\\n"); process.exit(255); }
  cfg[args[0]] = args[1]; fs.writeFileSync(file, JSON.stringify(cfg)); process.exit(0);
}
process.stderr.write("usage: ghe-config KEY [VALUE]\\n"); process.exit(129);
`;

const GHE_CONFIG_APPLY = `
const fs = require("fs");
fs.appendFileSync(process.env.GHE_SIM_ARGV_LOG, JSON.stringify({ tool: "ghe-config-apply", args: process.argv.slice(2) }) + "\\n");
const ms = Number(process.env.GHE_SIM_APPLY_MS || "0");
const code = Number(process.env.GHE_SIM_APPLY_EXIT || "0");
process.stdout.write("Preparing storage device...\\nValidating configuration\\n");
setTimeout(() => {
  if (code !== 0) process.stderr.write("ERROR: Packages storage could not be reached\\n");
  else { fs.copyFileSync(process.env.GHE_SIM_CONFIG, process.env.GHE_SIM_CONFIG + ".applied"); process.stdout.write("Done.\\n"); }
  process.exit(code);
}, ms);
`;

export function writeFakeGheTools(dir: string): string {
    const bin = join(dir, "bin");
    mkdirSync(bin, { recursive: true });
    for (const [name, body] of [["ghe-config", GHE_CONFIG], ["ghe-config-apply", GHE_CONFIG_APPLY]]) {
        const p = join(bin, name);
        writeFileSync(p, `#!${process.execPath}\n${body}`);
        chmodSync(p, 0o755);
    }
    return bin;
}
