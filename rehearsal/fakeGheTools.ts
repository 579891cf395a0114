import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/*
 * Fake `ghe-config` and `ghe-config-apply` for the simulator's admin shell: POSIX sh scripts
 * run by /bin/sh, so the quoting the provider sends is executed for real. Each key is one
 * file in GHE_SIM_CONFIG_DIR (values byte-exact, newlines included). Every invocation's argv
 * is appended to GHE_SIM_ARGV_LOG as NUL-separated fields: tool, argc, args...
 * A read or a write starts no process beyond the script itself (builtins and parameter
 * expansion only): every provider test runs them thousands of times.
 */
const LOG = `{ printf '%s\\0' "\${0##*/}" "$#"; for a in "$@"; do printf '%s\\0' "$a"; done; } >> "$GHE_SIM_ARGV_LOG"`;

// Exit statuses as GHES's own ghe-config gives them: it prints its usage and exits 2 without a
// key, and otherwise ends in \`exec git config "$@"\` (git-config(1)): 1 for an unset key, 255
// when the file cannot be locked for a write. tests/rehearsal/ghesSimulator.test.ts compares
// this fake with the real git config.
const GHE_CONFIG = `#!/bin/sh
${LOG}
dir="$GHE_SIM_CONFIG_DIR"
[ -n "$1" ] || { echo "usage: ghe-config KEY [VALUE]" >&2; exit 2; }
case "$1" in
  -l) for f in "$dir"/*; do [ -f "$f" ] && printf '%s=%s\\n' "\${f##*/}" "$(cat "$f")"; done; exit 0 ;;
  --true) [ "$(cat "$dir/$2" 2>/dev/null)" = "true" ]; exit $? ;;
esac
# slurp FILE: __v = the file's bytes, as cat prints them (read line by line: no process; a value
# holds no NUL byte, it arrived as an argument).
slurp() { __v=; __n=; while IFS= read -r __l; do __v="$__v$__n$__l"; __n='
'; done < "$1"; __v="$__v$__n$__l"; }
if [ "$#" -eq 1 ]; then
  [ -f "$dir/$1" ] || exit 1
  slurp "$dir/$1"; printf '%s\\n' "$__v"; exit 0
fi
# Fault injection: writes number FROM..UNTIL-1 (counted in GHE_SIM_WRITE_COUNT, --unset
# included) fail, after landing when GHE_SIM_FAIL_WRITE_LANDS=1 (only the exit status says so).
fail_write() {
  [ -n "$GHE_SIM_FAIL_WRITE_KEY" ] && [ "$GHE_SIM_FAIL_WRITE_KEY" = "$1" ] && return 0
  [ -n "$GHE_SIM_FAIL_WRITE_FROM" ] || return 1
  n=0; [ -f "$GHE_SIM_WRITE_COUNT" ] && read -r n < "$GHE_SIM_WRITE_COUNT"; n=$(( \${n:-0} + 1 )); echo "$n" > "$GHE_SIM_WRITE_COUNT"
  [ "$n" -ge "$GHE_SIM_FAIL_WRITE_FROM" ] && [ "$n" -lt "$GHE_SIM_FAIL_WRITE_UNTIL" ]
}
# \`ghe-config --unset KEY\` removes a key (GitHub docs, "Backing up and restoring GitHub Enterprise
# Server with GitHub Actions enabled": \`ghe-config --unset 'app.actions.actions-repos-sha1sum'\`).
# Its status for a key that is not set is not documented; this answers 5, as git-config does.
if [ "$#" -eq 2 ] && [ "$1" = "--unset" ]; then
  if fail_write "$2"; then [ "$GHE_SIM_FAIL_WRITE_LANDS" = 1 ] && rm -f "$dir/$2"; echo "error: could not lock config file" >&2; exit 255; fi
  [ -f "$dir/$2" ] || exit 5
  rm -f "$dir/$2"; exit 0
fi
if [ "$#" -eq 2 ]; then
  if fail_write "$1"; then [ "$GHE_SIM_FAIL_WRITE_LANDS" = 1 ] && printf '%s' "$2" > "$dir/$1"; echo "error: could not lock config file" >&2; exit 255; fi
  printf '%s' "$2" > "$dir/$1"; exit 0
fi
echo "usage: ghe-config KEY [VALUE]" >&2; exit 129
`;

// GHES's own ghe-config-apply runs ghe-single-config-apply under `set -e`, which exits 1 on its
// own failures (no license, /data/user not mounted, the configuration run failed) and 2 on a
// usage error; anything else that fails passes its status through. The fake exits with
// GHE_SIM_APPLY_EXIT; the client treats every non-zero status as a failed run, and is fed 1, 2
// and 255 (tests/provider/undocumentedAnswers.test.ts).
const GHE_CONFIG_APPLY = `#!/bin/sh
${LOG}
echo "Preparing storage device..."
echo "Validating configuration"
sleep "$GHE_SIM_APPLY_SECONDS"
if [ "$GHE_SIM_APPLY_EXIT" != "0" ]; then echo "ERROR: Packages storage could not be reached" >&2; exit "$GHE_SIM_APPLY_EXIT"; fi
rm -rf "$GHE_SIM_CONFIG_DIR.applied" && cp -r "$GHE_SIM_CONFIG_DIR" "$GHE_SIM_CONFIG_DIR.applied"
echo "Done."
`;

export function writeFakeGheTools(dir: string): string {
    const bin = join(dir, "bin");
    mkdirSync(bin, { recursive: true });
    for (const [name, body] of [["ghe-config", GHE_CONFIG], ["ghe-config-apply", GHE_CONFIG_APPLY]]) {
        writeFileSync(join(bin, name), body);
        chmodSync(join(bin, name), 0o755);
    }
    return bin;
}

/** Reads a config directory (one file a key) into an object. */
export function readConfigDir(dir: string): Record<string, string> | undefined {
    if (!existsSync(dir)) return undefined;
    const out: Record<string, string> = {};
    for (const f of readdirSync(dir).sort()) out[f] = readFileSync(join(dir, f), "utf8");
    return out;
}

export function writeConfigDir(dir: string, values: Record<string, string>): void {
    mkdirSync(dir, { recursive: true });
    for (const [k, v] of Object.entries(values)) writeFileSync(join(dir, k), v);
}

/** Parses the argv log written by the fake tools. */
export function parseArgvLog(text: string): { tool: string; args: string[] }[] {
    const fields = text.split("\0");
    const out: { tool: string; args: string[] }[] = [];
    for (let i = 0; i + 1 < fields.length;) {
        const tool = fields[i];
        const argc = Number(fields[i + 1]);
        out.push({ tool, args: fields.slice(i + 2, i + 2 + argc) });
        i += 2 + argc;
    }
    return out;
}
