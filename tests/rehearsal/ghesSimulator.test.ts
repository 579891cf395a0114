import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Ajv, { ValidateFunction } from "ajv";
import { ManageClient } from "../../ghes/manageClient";
import { writeFakeGheTools } from "../../rehearsal/fakeGheTools";
import { GhesSimulator, RecordedRequest } from "../../rehearsal/ghesSimulator";
import { virtualClock } from "../support/virtualClock";

/*
 * A stand-in is a claim about the real system. Every Manage API answer the simulator gives,
 * and every request body the client sends, is checked against GitHub's own OpenAPI
 * description of GHES (@octokit/openapi, dev dependency) for every version the package
 * drives through the Manage API (3.12+). Three releases of the package are needed to cover
 * 3.12-3.19: each ships only the descriptions current when it was published.
 */
const DESCRIPTIONS: Record<string, string> = {
    "3.12": "octokit-openapi-ghes-3.12-3.15/generated/ghes-3.12.json",
    "3.13": "octokit-openapi-ghes-3.12-3.15/generated/ghes-3.13.json",
    "3.14": "octokit-openapi-ghes-3.12-3.15/generated/ghes-3.14.json",
    "3.15": "octokit-openapi-ghes-3.12-3.15/generated/ghes-3.15.json",
    "3.16": "octokit-openapi-ghes-3.13-3.16/generated/ghes-3.16.json",
    "3.17": "@octokit/openapi/generated/ghes-3.17.json",
    "3.18": "@octokit/openapi/generated/ghes-3.18.json",
    "3.19": "@octokit/openapi/generated/ghes-3.19.json",
};

type Operation = { requestBody?: { content?: Record<string, { schema?: object }> }; responses: Record<string, { content?: Record<string, { schema?: object }> }> };
type Paths = Record<string, Record<string, Operation>>;

/** Replaces each local `$ref` ("#/components/...") by what it points to in `root`; a missing or cyclic one is an error. */
function resolveRefs(node: unknown, root: object, via: string[] = []): unknown {
    if (Array.isArray(node)) return node.map((n) => resolveRefs(n, root, via));
    if (node === null || typeof node !== "object") return node;
    const ref = (node as { $ref?: unknown }).$ref;
    if (typeof ref === "string") {
        if (!ref.startsWith("#/") || via.includes(ref)) throw new Error(`cannot resolve $ref ${ref} (via ${via.join(" > ")})`);
        const target = ref.slice(2).split("/").reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k.replace(/~1/g, "/").replace(/~0/g, "~")], root);
        if (target === undefined) throw new Error(`$ref ${ref} points nowhere`);
        return resolveRefs(target, root, [...via, ref]);
    }
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolveRefs(v, root, via)]));
}

const manageApis = new Map<string, Paths>();
/**
 * The Manage API (paths under /manage/v1/) of one GHES description, its references resolved as
 * in the package's .deref.json (identical for 3.12-3.19, compared when this was written), read
 * from the plain description (a fifth of the size) once per process.
 */
function manageApi(minor: string): Paths {
    let paths = manageApis.get(minor);
    if (!paths) {
        const spec = JSON.parse(readFileSync(require.resolve(DESCRIPTIONS[minor]), "utf8")) as { paths: Paths };
        paths = Object.fromEntries(Object.entries(spec.paths).filter(([p]) => p.startsWith("/manage/v1/")).map(([p, ops]) => [p, resolveRefs(ops, spec) as Record<string, Operation>]));
        manageApis.set(minor, paths);
    }
    return paths;
}

function validator() {
    const ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addFormat("uuid", /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
    // The description types scheduled_time `format: date` yet its example is a date-time (ghes-facts §3): accept both.
    ajv.addFormat("date", /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/);
    ajv.addFormat("date-time", /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/);
    for (const f of ["hostname", "ssh-key", "ssh-key fingerprint", "uri"]) ajv.addFormat(f, /.*/);
    // ip_exception_list (maintenance mode): an IPv4 or IPv6 address, optionally with a prefix length.
    ajv.addFormat("ip/cidr", (text: string) => {
        const [address, prefix, ...more] = text.split("/");
        const family = isIP(address);
        return family !== 0 && more.length === 0 && (prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128)));
    });
    // Most versions describe an endpoint alike: a schema written the same way is compiled once.
    const compiled = new Map<string, ValidateFunction>();
    return (schema: object, data: unknown): string | undefined => {
        const key = JSON.stringify(schema);
        let validate = compiled.get(key);
        if (!validate) compiled.set(key, validate = ajv.compile(schema));
        return validate(data) ? undefined : ajv.errorsText(validate.errors);
    };
}
const problemsOf = validator();

describe("rehearsal/ghesSimulator: speaks the Manage API as GitHub documents it", function () {
    this.timeout(120000);
    for (const minor of Object.keys(DESCRIPTIONS)) {
        it(`GHES ${minor}: every answer and request body the client exchanges matches the OpenAPI description`, async () => {
            const spec = { paths: manageApi(minor) };
            const clock = virtualClock();
            const sim = await new GhesSimulator({ version: `${minor}.2`, applyDurationMs: 50, nodes: ["ghe-primary", "ghe-replica"], clock }).start();
            try {
                const c = new ManageClient({ hostname: "127.0.0.1", port: sim.managePort, user: "api_key", password: sim.password, caBundle: sim.caBundle });
                // Everything the provider calls, in the states it meets.
                await c.version();
                await c.addSshKey("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl pulumi-ghes-packages-1");
                await c.listSshKeys();
                await c.removeSshKey("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl pulumi-ghes-packages-1");
                await c.maintenanceStatus();
                await c.setMaintenance(true);
                await c.maintenanceStatus();
                sim.maintenance = "scheduled";
                await c.maintenanceStatus();
                await c.setMaintenance(false);
                const runId = await c.startApply();
                await c.applyStatus(runId);
                await c.applyEvents();
                await clock.sleep(80);
                await c.applyStatus(runId);
                await c.applyStatus();
                await c.applyEvents();
                await c.settings();
                const problems: string[] = [];
                const checked = new Set<string>();
                for (const r of sim.requests as RecordedRequest[]) {
                    const path = r.path.split("?")[0];
                    const op = spec.paths[path]?.[r.method.toLowerCase()];
                    assert.ok(op, `${r.method} ${path} is in the GHES ${minor} description`);
                    const answer = op.responses[String(r.status)]?.content?.["application/json"]?.schema;
                    assert.ok(answer, `${r.method} ${path}: status ${r.status} is documented`);
                    const wrong = problemsOf(answer, r.response);
                    if (wrong) problems.push(`${r.method} ${path} answer: ${wrong} in ${JSON.stringify(r.response).slice(0, 200)}`);
                    const body = op.requestBody?.content?.["application/json"]?.schema;
                    const wrongBody = body && r.body !== undefined ? problemsOf(body, r.body) : undefined;
                    if (wrongBody) problems.push(`${r.method} ${path} request body: ${wrongBody}`);
                    checked.add(`${r.method} ${path}`);
                }
                assert.deepEqual(problems, []);
                assert.equal(checked.size, 10, [...checked].join(", ")); // every endpoint the client uses
            } finally {
                await sim.stop();
            }
        });
    }

    it("every answer carries a Date header from the appliance's own clock (RFC 9110 §6.6.1: an origin server with a clock MUST send it in 2xx-4xx answers)", async () => {
        const sim = await new GhesSimulator().start();
        try {
            sim.clockOffsetMs = -2 * 24 * 3600_000;
            const dates: string[] = [];
            for (const path of ["/manage/v1/version", "/manage/v1/no-such-endpoint"]) {
                const res = await getWithDate(sim, path);
                dates.push(String(res.date));
            }
            for (const d of dates) {
                assert.match(d, /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/, "IMF-fixdate (RFC 9110 §5.6.7)");
                assert.ok(Math.abs(Date.parse(d) - (Date.now() + sim.clockOffsetMs)) < 60_000);
            }
        } finally {
            await sim.stop();
        }
    });

    it("the maintenance answer the client reads is the documented array (one object per node)", async () => {
        const sim = await new GhesSimulator({ nodes: ["a", "b"] }).start();
        try {
            const c = new ManageClient({ hostname: "127.0.0.1", port: sim.managePort, user: "api_key", password: sim.password, caBundle: sim.caBundle });
            await c.maintenanceStatus();
            const answer = sim.requests[0].response as unknown[];
            assert.ok(Array.isArray(answer) && answer.length === 2);
        } finally {
            await sim.stop();
        }
    });
});

/** One GET with the simulator's password; resolves with the status and the Date header. */
function getWithDate(sim: GhesSimulator, path: string): Promise<{ status: number; date?: string }> {
    return new Promise((resolve, reject) => {
        const req = httpsRequest({ host: "127.0.0.1", port: sim.managePort, path, ca: sim.caBundle, agent: false,
            headers: { authorization: "Basic " + Buffer.from(`api_key:${sim.password}`).toString("base64") } }, (res) => {
            res.resume();
            res.on("end", () => resolve({ status: res.statusCode ?? 0, date: res.headers.date }));
        });
        req.on("error", reject);
        req.end();
    });
}

describe("rehearsal/ghesSimulator: each undocumented behaviour is pinned to where it comes from", function () {
    this.timeout(60000);

    it("feature_toggles.packages is shaped exactly as a real appliance's recorded answer (tests/fixtures, from octokit.rb)", async () => {
        const recorded = JSON.parse(readFileSync(join(__dirname, "../fixtures/manage-config-settings.recorded.json"), "utf8")) as { response: { feature_toggles: { packages: unknown }; subdomain_isolation: boolean } };
        // Settings that make GHES's rule yield the recorded values: Packages off, container and npm upstreaming off, the rest unset.
        const sim = await new GhesSimulator({ config: { "app.packages.enabled": "false", "app.packages.container-enabled": "false", "app.packages.npm-upstreaming-enabled": "false" } }).start();
        try {
            const c = new ManageClient({ hostname: "127.0.0.1", port: sim.managePort, user: "api_key", password: sim.password, caBundle: sim.caBundle });
            const settings = await c.settings() as { feature_toggles: { packages: unknown }; subdomain_isolation: boolean };
            assert.deepEqual(settings.feature_toggles.packages, recorded.response.feature_toggles.packages);
            assert.equal(settings.subdomain_isolation, recorded.response.subdomain_isolation);
        } finally {
            await sim.stop();
        }
    });

    it("POST config/apply while a run is in progress: the descriptions document no busy status (only 200, 400, 401), so the simulator's 409 is a choice the client must not rely on", () => {
        for (const minor of Object.keys(DESCRIPTIONS)) {
            const spec = { paths: manageApi(minor) };
            assert.deepEqual(Object.keys(spec.paths["/manage/v1/config/apply"].post.responses).sort(), ["200", "400", "401"], minor);
            // The same for an unknown run_id and "no run yet": GET documents no 404 (the simulator's 404 is a choice too).
            assert.deepEqual(Object.keys(spec.paths["/manage/v1/config/apply"].get.responses).sort(), ["200", "400", "401"], minor);
        }
    });

    /*
     * ghe-config is a wrapper that ends in `exec git config "$@"` (GHES's /usr/local/bin/ghe-config:
     * "The underlying `git config` will return various exit codes on failure; see git-config(1)"),
     * so its exit statuses are git config's. The fake must answer each case as git config does.
     */
    it("the fake ghe-config exits as the git config it wraps: 1 for an unset key, 255 when the write cannot lock the file, 0 with the value and a newline", function () {
        if (spawnSync("git", ["--version"]).status !== 0) this.skip(); // no git on this machine: nothing to compare with
        const dir = mkdtempSync(join(tmpdir(), "ghe-config-pin-"));
        try {
            const bin = writeFakeGheTools(dir);
            const conf = join(dir, "github.conf");
            writeFileSync(conf, "");
            const env = { PATH: `${bin}:/usr/bin:/bin`, GHE_SIM_CONFIG_DIR: join(dir, "cfg"), GHE_SIM_ARGV_LOG: join(dir, "argv.log"), GIT_CONFIG_NOSYSTEM: "1", HOME: dir };
            spawnSync("mkdir", ["-p", env.GHE_SIM_CONFIG_DIR]);
            const fake = (args: string[], extra: Record<string, string> = {}) => spawnSync(join(bin, "ghe-config"), args, { env: { ...env, ...extra }, encoding: "utf8" });
            const git = (args: string[]) => spawnSync("git", ["config", "-f", conf, ...args], { env, encoding: "utf8" });
            const same = (what: string, a: ReturnType<typeof fake>, b: ReturnType<typeof git>) => assert.deepEqual([a.status, a.stdout], [b.status, b.stdout], what);

            same("an unset key", fake(["app.packages.npm-enabled"]), git(["app.packages.npm-enabled"]));
            assert.equal(git(["app.packages.npm-enabled"]).status, 1);
            same("a write", fake(["app.packages.npm-enabled", "false"]), git(["app.packages.npm-enabled", "false"]));
            same("a set key", fake(["app.packages.npm-enabled"]), git(["app.packages.npm-enabled"]));
            writeFileSync(`${conf}.lock`, ""); // another writer holds the file
            const locked = git(["app.packages.npm-enabled", "true"]);
            assert.equal(locked.status, 255, locked.stderr);
            assert.equal(fake(["app.packages.npm-enabled", "true"], { GHE_SIM_FAIL_WRITE_KEY: "app.packages.npm-enabled" }).status, locked.status, "a failed write");
            // `ghe-config` with no argument prints its usage and exits 2 (the wrapper's own code, before git).
            assert.equal(fake([]).status, 2);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
