import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { AdminShell } from "../../ghes/adminShell";
import { acquireApplianceLock, breakCommand, judgeLock, lockHeldBy, LockOptions, parseHolderLine, releaseApplianceLock } from "../../ghes/applianceLock";
import { currentHolder, formatHolder, thisMachine } from "../../ghes/holderIdentity";
import { generateEd25519KeyPair } from "../../ghes/sshKeys";
import { GhesSimulator } from "../../rehearsal/ghesSimulator";
import { virtualClock } from "../support/virtualClock";

/*
 * The appliance's configuration lock: it can neither wedge (whatever its directory holds) nor
 * be broken while its holder lives. Ages are set through the lock directory's mtime and the
 * holder line's timestamp, both on the appliance's clock.
 */
describe("ghes/applianceLock: a lock that cannot wedge and is never broken under a live holder", () => {
    let sim: GhesSimulator;
    let shell: AdminShell;
    let logs: string[];
    const nowSeconds = () => Math.floor(Date.now() / 1000);
    const lockDir = () => join(sim.dir, ".ghes-packages-s3.lock");
    const me = () => formatHolder(currentHolder());
    /** Leaves a lock as another writer (or garbage) would; `ageSeconds` ages its directory. */
    const plant = (holderFile: string | undefined, ageSeconds = 0) => {
        mkdirSync(lockDir());
        if (holderFile !== undefined) writeFileSync(join(lockDir(), "holder"), holderFile);
        const t = nowSeconds() - ageSeconds;
        utimesSync(lockDir(), t, t);
    };
    // A short wait: a live holder's lock is judged the same at every look (its age is the appliance's, not the virtual clock's).
    const options = (o: Partial<LockOptions> = {}): LockOptions => ({
        holder: me(), waitMs: 4_000, staleMs: 600_000, clock: virtualClock(), log: (m) => logs.push(m), ssh: { hostname: "127.0.0.1", port: 122 }, ...o,
    });
    const holderNow = () => readFileSync(join(lockDir(), "holder"), "utf8");
    const connect = async () => {
        const s = new AdminShell({ hostname: "127.0.0.1", port: sim.sshPort, privateKey: key.private, expectedFingerprint: sim.hostKeyFingerprint });
        await s.connect();
        return s;
    };
    let key: { private: string; public: string };

    const start = async (simShell?: string) => {
        sim = await new GhesSimulator({ shell: simShell }).start();
        key = generateEd25519KeyPair();
        sim.authorizeKey(key.public);
        shell = await connect();
    };
    beforeEach(() => { logs = []; });
    afterEach(async () => { shell?.end(); await sim?.stop(); });

    describe("under /bin/sh", () => {
        beforeEach(() => start());

        it("takes a free lock, writes one strict holder line, and releases it only for its holder", async () => {
            const o = options();
            await acquireApplianceLock(shell, o);
            assert.match(holderNow(), new RegExp(`^${o.holder.replace(/[.]/g, "\\.")} \\d{10} 600\\n$`));
            assert.equal(await releaseApplianceLock(shell, "someone-else,machine=-,boot=-,pidns=-,pid=1,start=-,nonce=00000000", "touch \"$HOME/followed\""), "not-held");
            assert.ok(existsSync(lockDir()), "another holder's release touched nothing");
            assert.ok(!existsSync(join(sim.dir, "followed")), "and ran no follow-up");
            assert.equal(await releaseApplianceLock(shell, o.holder, "touch \"$HOME/followed\""), "released");
            assert.ok(!existsSync(lockDir()));
            assert.ok(existsSync(join(sim.dir, "followed")));
        });

        it("a release without a follow-up removes the lock and runs nothing else (the appliance's error output stays empty)", async () => {
            const o = options();
            await acquireApplianceLock(shell, o);
            const results: { code: number | null; stdout: string; stderr: string }[] = [];
            const exec = shell.exec.bind(shell);
            const recording = Object.assign(Object.create(shell) as AdminShell, {
                exec: async (command: string) => { const r = await exec(command); results.push(r); return r; },
            });
            assert.equal(await releaseApplianceLock(recording, o.holder), "released");
            assert.ok(!existsSync(lockDir()));
            assert.deepEqual(results.map((r) => [r.code, r.stdout, r.stderr]), [[0, "", ""]]);
        });

        it("a follow-up that fails still releases, then says so; an exit status of its own is not taken for a release", async () => {
            const o = options();
            await acquireApplianceLock(shell, o);
            await assert.rejects(releaseApplianceLock(shell, o.holder, "false"), /^GhesOperationError: the configuration lock was released, but the command run with it failed \(exit status 1\)$/);
            assert.ok(!existsSync(lockDir()));
            await acquireApplianceLock(shell, o);
            await assert.rejects(releaseApplianceLock(shell, o.holder, "exit 9"), /releasing the configuration lock ended with exit status 9, which this package does not recognise: it may still be held/);
            assert.ok(existsSync(lockDir()), "still held, as the error says");
        });

        it("a lock directory without a holder file, younger than the bound, is waited for (its holder may be writing it)", async () => {
            plant(undefined, 10);
            await assert.rejects(acquireApplianceLock(shell, options()), /another operation \(unknown holder: the lock has no usable holder line\) is configuring this appliance/);
            assert.ok(existsSync(lockDir()));
        });

        for (const [name, content] of [
            ["an empty lock directory", undefined],
            ["an empty holder file", ""],
            ["a holder line without a timestamp", "ci-runner-7:4242:cafe\n"],
            ["a non-numeric timestamp", "ci-runner-7:4242:cafe 17xx 600\n"],
            ["a timestamp far in the future", `ci-runner-7:4242:cafe ${nowSeconds() + 86400 * 365} 600\n`],
            ["garbage with terminal escapes", "\u001b[2J\u001b]0;owned\u0007 1 2 3 4\n"],
        ] as const) {
            it(`${name}, older than the bound by the lock directory's time, is broken`, async () => {
                plant(content, 700);
                await acquireApplianceLock(shell, options());
                assert.ok(logs.some((l) => /breaking a stale configuration lock \(unknown holder: the lock has no usable holder line; aged by its directory's time\) for 12 min/.test(l)), logs.join("\n"));
                assert.ok(!logs.some((l) => l.includes("\u001b")), "no stored byte reaches the log");
                assert.match(holderNow(), /^\S+ \d{10} 600\n$/, "now held by this operation");
            });
        }

        it("a plain file or a FIFO where the lock or its holder should be: aged by its time, then broken (never read, never a hang)", async () => {
            writeFileSync(lockDir(), "not a directory");
            const t = nowSeconds() - 700;
            utimesSync(lockDir(), t, t);
            const o = options();
            await acquireApplianceLock(shell, o);
            assert.ok(logs.some((l) => /breaking a stale configuration lock \(unknown holder/.test(l)), logs.join("\n"));
            assert.equal(await releaseApplianceLock(shell, o.holder), "released");
            logs.length = 0;
            mkdirSync(lockDir());
            spawnSync("mkfifo", [join(lockDir(), "holder")]);
            utimesSync(lockDir(), t, t);
            await acquireApplianceLock(shell, options());
            assert.ok(logs.some((l) => /breaking a stale configuration lock \(unknown holder/.test(l)), logs.join("\n"));
        });

        it("stale by the bound its holder declared: broken", async () => {
            plant(`ci-runner-7:4242:cafe ${nowSeconds() - 120} 60\n`);
            await acquireApplianceLock(shell, options());
            assert.ok(logs.some((l) => /breaking a stale configuration lock held by "ci-runner-7:4242:cafe" for 2 min/.test(l)), logs.join("\n"));
        });

        it("a holder with this host name on another machine (another boot) is alive until proved otherwise: not broken", async () => {
            const other = formatHolder({ ...currentHolder(), boot: "0123456789ab", pid: 999_999 });
            const line = `${other} ${nowSeconds() - 5} 600\n`;
            plant(line);
            await assert.rejects(acquireApplianceLock(shell, options()), /another operation \(pid 999999 on .*\) is configuring this appliance/);
            assert.equal(holderNow(), line, "untouched");
        });

        it("a legacy holder HOST:PID:... with this host name is not broken as dead (it may be a clone)", async () => {
            plant(`${hostname()}:999999:cafe ${nowSeconds() - 5} 600\n`);
            await assert.rejects(acquireApplianceLock(shell, options({ holderIsGone: undefined })), /is configuring this appliance/);
            assert.match(holderNow(), new RegExp(`^${hostname()}:999999:cafe `));
        });

        it("a dead process of this machine (same machine, boot and pid namespace) is broken at once", async () => {
            const child = spawnSync(process.execPath, ["-e", ""]);
            assert.equal(child.status, 0);
            const exited = formatHolder({ ...currentHolder(), pid: child.pid! });
            plant(`${exited} ${nowSeconds()} 600\n`);
            await acquireApplianceLock(shell, options());
            assert.ok(logs.some((l) => l.includes(`breaking the configuration lock of pid ${child.pid} on `) && l.includes("no longer runs")), logs.join("\n"));
        });

        it("a reused process id (this process, another start time) is a dead holder too", async () => {
            const reused = formatHolder({ ...currentHolder(), start: "1" });
            plant(`${reused} ${nowSeconds()} 600\n`);
            await acquireApplianceLock(shell, options());
            assert.ok(logs.some((l) => l.includes("no longer runs")));
        });

        it("this process itself is alive: a lock held by it under another nonce is not broken", async () => {
            const sibling = formatHolder(currentHolder());
            plant(`${sibling} ${nowSeconds()} 600\n`);
            await assert.rejects(acquireApplianceLock(shell, options()), /is configuring this appliance/);
        });

        it("gives up after the wait, saying who holds it, since when, when it becomes stale and how to break it", async () => {
            plant(`ci-runner-7:4242:cafe ${nowSeconds() - 300} 1800\n`);
            const o = options({ waitMs: 10_000, ssh: { hostname: "ghes.example.com", port: 122 } });
            const before = o.clock!.now();
            await assert.rejects(acquireApplianceLock(shell, o), (e: Error) => {
                assert.match(e.message, /another operation \("ci-runner-7:4242:cafe"\) is configuring this appliance and still holds its configuration lock after waiting 10 s/);
                assert.match(e.message, /held since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(appliance clock, 5 min ago\)/);
                assert.match(e.message, /stale in 2[45] min \(the 30 min its holder declared\), then the next operation breaks it/);
                assert.match(e.message, /nothing was written/);
                assert.ok(e.message.includes("ssh -p 122 admin@ghes.example.com -- rm -rf .ghes-packages-s3.lock"), e.message);
                return true;
            });
            assert.ok(logs.some((l) => /waiting up to 10 s/.test(l) && l.includes("ssh -p 122 admin@ghes.example.com -- rm -rf .ghes-packages-s3.lock")), logs.join("\n"));
            const waited = o.clock!.now() - before;
            assert.ok(waited >= 10_000 && waited < 12_000, `gave up after ${waited} ms of (virtual) waiting, not before the 10 s nor long after`);
        });

        it("re-takes its own lock after a reconnect, without waiting", async () => {
            const o = options();
            await acquireApplianceLock(shell, o);
            shell.end();
            shell = await connect();
            const clock = o.clock!;
            const before = clock.now();
            await acquireApplianceLock(shell, o);
            assert.ok(clock.now() - before < 1000, "no wait");
            assert.equal(logs.length, 0);
        });

        it("a holder line that cannot be written leaves no lock behind", async () => {
            mkdirSync(join(sim.dir, ".ghes-packages-s3.lock.holder")); // the file the line goes to first cannot be written
            await assert.rejects(acquireApplianceLock(shell, options()), /could not write the configuration lock's holder line.*removed again; nothing was written/);
            assert.ok(!existsSync(lockDir()));
            await acquireApplianceLock(shell, options());
        });

        it("breaking compares before deleting: a lock taken over meanwhile by another holder stays", async () => {
            plant(`ci-runner-7:4242:cafe ${nowSeconds() - 120} 60\n`);
            let swapped = false;
            sim.afterCommand = () => {
                if (swapped) return;
                swapped = true; // between the sighting and the break, another writer broke it and took it
                rmSync(lockDir(), { recursive: true });
                plant(`ci-runner-8:1:beef ${nowSeconds()} 600\n`);
            };
            await assert.rejects(acquireApplianceLock(shell, options()), /ci-runner-8:1:beef/);
            assert.match(holderNow(), /^ci-runner-8:1:beef /);
        });
    });

    for (const simShell of ["/bin/sh", "/bin/bash"]) {
        it(`${simShell}: a hostile holder file runs nothing (no stored value reaches shell evaluation)`, async () => {
            await start(simShell);
            const marker = join(tmpdir(), `ghes-lock-pwned-${process.pid}`);
            rmSync(marker, { force: true });
            // No space inside: `read` would split it. Under bash, `$(( now - t ))` ran it before.
            const hostile = `a[$(touch\${IFS}${marker})]`;
            plant(`x ${hostile} ${hostile}\n`, 700);
            await acquireApplianceLock(shell, options()).catch(() => undefined);
            await releaseApplianceLock(shell, "x").catch(() => undefined);
            assert.ok(!existsSync(marker), "the stored command did not run");
        });
    }

    it("the machine facts of this Linux runner are readable (else dead holders can only age out)", () => {
        const m = thisMachine();
        assert.match(m.boot, /^[0-9a-f]{12}$/);
        assert.match(m.pidns, /^\d+$/);
        assert.match(m.startOf(process.pid) ?? "", /^\d+$/);
    });
});

describe("ghes/applianceLock: judging a lock from what the appliance showed (pure)", () => {
    const NOW = 1_800_000_000;
    const o = { holder: "me", staleMs: 600_000, holderIsGone: (h: string) => h === "gone" };
    const seen = (content: string | undefined, dirAgeS = 0) => ({ now: NOW, dirTime: NOW - dirAgeS, content, contentHex: Buffer.from(content ?? "").toString("hex") });

    it("parses a holder line strictly: two or three fields, digits only, one optional newline", () => {
        assert.deepEqual(parseHolderLine("a:b 123 45\n"), { holder: "a:b", acquired: 123, declaredS: 45 });
        assert.deepEqual(parseHolderLine("a 123"), { holder: "a", acquired: 123, declaredS: undefined });
        for (const bad of [undefined, "", "a", "a 12x 1", "a 1 2 3", "a  1 2", " a 1 2", "a 1 2\n\n", "a 1 -2", "a -1 2", "a\u001b 1 2", "a 1234567890123 1", "a 1 1234567890"]) {
            assert.equal(parseHolderLine(bad), undefined, JSON.stringify(bad));
        }
    });

    it("names a holder that is not an identity quoted and cut, never as the lock file says it", () => {
        const long = `h${"x".repeat(255)}`;
        const v = judgeLock(seen(`${long} ${NOW - 10} 60\n`), o) as { who: string };
        assert.equal(v.who, `"h${"x".repeat(79)}"... (256 characters)`);
        assert.equal((judgeLock(seen(`x ${NOW - 10} 60\n`), o) as { who: string }).who, "\"x\"");
    });

    it("its own holder: ours", () => assert.deepEqual(judgeLock(seen("me 1 1\n"), o), { kind: "ours" }));

    it("ages a usable line by its timestamp and declared bound; exactly at the bound it still waits", () => {
        assert.deepEqual(judgeLock(seen(`x ${NOW - 60} 60\n`, 9999), o), { kind: "wait", who: "\"x\"", sinceS: NOW - 60, ageMs: 60_000, staleAfterMs: 60_000, bound: "the 60 s its holder declared" });
        const v = judgeLock(seen(`x ${NOW - 61} 60\n`), o);
        assert.equal(v.kind, "break");
        assert.match((v as { why: string }).why, /^breaking a stale configuration lock held by "x" for 61 s, longer than the 60 s its holder declared \(an interrupted operation\)$/);
    });

    it("without a declared bound (or 0), uses its own; a huge declared bound is capped at 7 h", () => {
        assert.equal((judgeLock(seen(`x ${NOW - 10}\n`), o) as { staleAfterMs: number }).staleAfterMs, 600_000);
        assert.equal((judgeLock(seen(`x ${NOW - 10} 0\n`), o) as { bound: string }).bound, "this operation's bound of 10 min");
        assert.equal((judgeLock(seen(`x ${NOW - 10} 999999999\n`), o) as { staleAfterMs: number }).staleAfterMs, 7 * 3600_000);
        assert.equal(judgeLock(seen(`x ${NOW - 7 * 3600 - 1} 999999999\n`), o).kind, "break");
    });

    it("a timestamp up to 5 min ahead of the appliance's clock is believed (age 0); further ahead it is aged by the directory", () => {
        assert.deepEqual(judgeLock(seen(`x ${NOW + 300} 60\n`, 9999), o), { kind: "wait", who: "\"x\"", sinceS: NOW + 300, ageMs: 0, staleAfterMs: 60_000, bound: "the 60 s its holder declared" });
        const v = judgeLock(seen(`x ${NOW + 301} 60\n`, 601), o);
        assert.equal(v.kind, "break");
        assert.match((v as { why: string }).why, /unknown holder: the lock has no usable holder line; aged by its directory's time\) for 10 min, longer than this operation's bound of 10 min/);
    });

    it("an unusable line is aged by the directory against its own bound: at it waits, past it breaks", () => {
        assert.deepEqual(judgeLock(seen(undefined, 600), o), { kind: "wait", who: "unknown holder: the lock has no usable holder line", sinceS: NOW - 600, ageMs: 600_000, staleAfterMs: 600_000, bound: "this operation's bound of 10 min" });
        assert.equal(judgeLock(seen("garbage", 601), o).kind, "break");
        assert.equal(judgeLock(seen(undefined, -5), o).kind, "wait", "a directory from the future is young");
    });

    it("a holder known to be gone is broken at once, an unusable line never is", () => {
        const v = judgeLock(seen(`gone ${NOW} 60\n`), o);
        assert.deepEqual(v, { kind: "break", why: "breaking the configuration lock of \"gone\": that process no longer runs on this machine", sighting: seen(`gone ${NOW} 60\n`) });
        assert.equal(judgeLock(seen("gone", 1), o).kind, "wait");
    });

    it("the command that breaks it by hand", () => assert.equal(breakCommand({ hostname: "ghes.example.com", port: 2222 }), "ssh -p 2222 admin@ghes.example.com -- rm -rf .ghes-packages-s3.lock"));
});

/** An admin shell that answers each command with the next of `answers` (the last one repeated), recording the commands. */
class ScriptedShell extends AdminShell {
    readonly commands: string[] = [];
    constructor(private readonly answers: { code: number | null; stdout?: string; stderr?: string }[]) {
        super({ hostname: "127.0.0.1", port: 122, privateKey: "" });
    }

    override exec(command: string) {
        this.commands.push(command);
        const a = this.answers.length > 1 ? this.answers.shift()! : this.answers[0];
        return Promise.resolve({ code: a.code, stdout: a.stdout ?? "", stderr: a.stderr ?? "" });
    }
}

describe("ghes/applianceLock: acquiring against scripted answers of the appliance", () => {
    const NOW = 1_800_000_000; // 2027-01-15T08:00:00Z
    const hex = (s: string) => Buffer.from(s).toString("hex");
    const sighting = (content: string, dirTime = NOW) => ({ code: 3, stdout: `lock ${NOW} ${dirTime} ${hex(content)}\n` });
    const options = (log: string[], waitMs = 5000): LockOptions => ({
        holder: "me", waitMs, staleMs: 600_000, holderIsGone: () => false, ssh: { hostname: "ghes.example.com", port: 122 }, clock: virtualClock(), log: (m) => log.push(m),
    });

    it("a lock that vanished between mkdir and the look is tried again at once, at most ten times, then refused naming the status", async () => {
        const once = new ScriptedShell([{ code: 5 }, { code: 0 }]);
        await acquireApplianceLock(once, options([]));
        assert.equal(once.commands.length, 2);
        const always = new ScriptedShell([{ code: 5, stderr: "mkdir: Permission denied\n" }]);
        await assert.rejects(acquireApplianceLock(always, options([])), /^GhesOperationError: could not take the configuration lock on the appliance \(exit status 5\): mkdir: Permission denied/);
        assert.equal(always.commands.length, 10);
    });

    it("believes a sighting only with exit status 3, on a line of its own, with whole bytes of hex", async () => {
        const refused = /^GhesOperationError: could not take the configuration lock on the appliance \(exit status (1|3)\)/;
        for (const answer of [
            { code: 1, stdout: `lock ${NOW} ${NOW} ${hex(`x ${NOW} 60`)}\n` },
            { code: 3, stdout: `lock ${NOW} ${NOW} ${hex(`x ${NOW} 60`)}0\n` },
            { code: 3, stdout: `lock ${NOW} ${NOW} ${hex(`x ${NOW} 60`)} trailing\n` },
            { code: 3, stdout: `banner: lock ${NOW} ${NOW} ${hex(`x ${NOW} 60`)}\n` },
            { code: 3, stdout: "" },
        ]) {
            await assert.rejects(acquireApplianceLock(new ScriptedShell([answer]), options([])), refused, answer.stdout);
        }
        // After a login banner, on its own line: believed (here: a holder known to be gone, so broken, then taken).
        const log: string[] = [];
        const shell = new ScriptedShell([{ code: 3, stdout: `Welcome\nlock ${NOW} ${NOW} ${hex(`x ${NOW} 60`)}\n` }, { code: 0 }, { code: 0 }]);
        await acquireApplianceLock(shell, { ...options(log), holderIsGone: (h) => h === "x" });
        assert.deepEqual(log, ["breaking the configuration lock of \"x\": that process no longer runs on this machine"]);
    });

    it("an empty holder file is a lock without a holder line, aged by its directory", async () => {
        const log: string[] = [];
        await assert.rejects(acquireApplianceLock(new ScriptedShell([sighting("", NOW - 10)]), options(log, 0)),
            /another operation \(unknown holder: the lock has no usable holder line\) is configuring this appliance/);
    });

    it("waits in steps of at most 2 s up to the wait exactly, says so once, then gives up naming since when the lock is held", async () => {
        const log: string[] = [];
        const clock = virtualClock();
        const start = clock.now();
        const slept: number[] = [];
        const o = { ...options(log, 5000), clock: { now: clock.now, sleep: (ms: number) => { slept.push(ms); return clock.sleep(ms); } } };
        await assert.rejects(acquireApplianceLock(new ScriptedShell([sighting(`x ${NOW - 60} 600`)]), o),
            (e: Error) => e.message.startsWith("another operation (\"x\") is configuring this appliance and still holds its configuration lock after waiting 5 s: held since 2027-01-15T07:59:00Z (appliance clock, 60 s ago); stale in 9 min (the 10 min its holder declared)"));
        assert.deepEqual(slept, [2000, 2000, 1000]);
        assert.equal(clock.now() - start, 5000);
        assert.equal(log.length, 1);
        assert.match(log[0], /^another operation \("x"\) is configuring this appliance; waiting up to 5 s for it to finish: held since 2027-01-15T07:59:00Z/);
    });

    it("the error output in a failed acquire or release is quoted from the appliance", async () => {
        await assert.rejects(acquireApplianceLock(new ScriptedShell([{ code: 4, stderr: "No space left on device\n" }]), options([])),
            /could not write the configuration lock's holder line on the appliance \(full disk\?\): the lock was removed again; nothing was written\. No space left on device/);
        await assert.rejects(releaseApplianceLock(new ScriptedShell([{ code: 6, stderr: "exit status 2\n" }]), "me", "false"), /the command run with it failed \(exit status 2/);
        await assert.rejects(releaseApplianceLock(new ScriptedShell([{ code: 9, stderr: "odd\n" }]), "me"), /ended with exit status 9, which this package does not recognise: it may still be held \(odd/);
    });
});

describe("ghes/applianceLock: a hang-up (the SSH connection dropped) mid-command stops neither acquire nor release half-way", () => {
    let dir: string;
    /** Runs each command in a local /bin/sh, HOME a scratch directory, `mv` hanging up its caller after moving (as sshd does when the client goes away). */
    class HangingUpShell extends AdminShell {
        constructor() { super({ hostname: "127.0.0.1", port: 122, privateKey: "" }); }
        override exec(command: string) {
            const r = spawnSync("/bin/sh", ["-c", command], { env: { HOME: join(dir, "home"), PATH: `${join(dir, "bin")}:/usr/bin:/bin` } });
            return Promise.resolve({ code: r.status, stdout: r.stdout.toString("utf8"), stderr: r.stderr.toString("utf8") });
        }
    }
    beforeEach(() => {
        dir = join(tmpdir(), `lock-hup-${process.pid}-${Date.now()}`);
        mkdirSync(join(dir, "home"), { recursive: true });
        mkdirSync(join(dir, "bin"));
        writeFileSync(join(dir, "bin", "mv"), "#!/bin/sh\n/bin/mv \"$@\"; s=$?\nkill -HUP $PPID\nexit $s\n", { mode: 0o755 });
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("takes the lock although hung up after moving the holder line in, and releases it although hung up in the follow-up", async () => {
        const shell = new HangingUpShell();
        await acquireApplianceLock(shell, { holder: "me", waitMs: 0, staleMs: 600_000, ssh: { hostname: "h", port: 122 }, clock: virtualClock(), log: () => undefined });
        assert.match(readFileSync(join(dir, "home", ".ghes-packages-s3.lock", "holder"), "utf8"), /^me \d+ 600\n$/);
        const held = async (holder: string) => (await shell.exec(`if ${lockHeldBy(holder)}; then echo held; else echo not; fi`)).stdout;
        assert.deepEqual([await held("me"), await held("other"), await held("me'; echo held; '")], ["held\n", "not\n", "not\n"], "the condition writes under the lock run behind");
        assert.equal(await releaseApplianceLock(shell, "me", "kill -HUP $$; true"), "released");
        assert.equal(await held("me"), "not\n", "released: no longer held");
        assert.equal(existsSync(join(dir, "home", ".ghes-packages-s3.lock")), false);
    });
});
