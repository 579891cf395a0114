import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { currentHolder, describeHolder, formatHolder, HolderIdentity, isDeadProcessOfThisMachine, MachineFacts, parseHolder, thisMachine } from "../../ghes/holderIdentity";

describe("ghes/holderIdentity: who holds something on the appliance, told apart across machines sharing a host name", () => {
    const id: HolderIdentity = { host: "ci-runner-7", machine: "0123456789ab", boot: "b00700000000", pidns: "4026531836", pid: 4242, start: "98765", nonce: "cafe1234" };
    const TOKEN = "ci-runner-7,machine=0123456789ab,boot=b00700000000,pidns=4026531836,pid=4242,start=98765,nonce=cafe1234";
    const here = (o: Partial<MachineFacts> = {}): MachineFacts => ({ machine: "0123456789ab", boot: "b00700000000", pidns: "4026531836", startOf: () => undefined, ...o });

    it("is one shell-safe token, and parses back exactly", () => {
        assert.equal(formatHolder(id), TOKEN);
        assert.deepEqual(parseHolder(TOKEN), id);
        assert.deepEqual(parseHolder("h,machine=-,boot=-,pidns=-,pid=1,start=-,nonce=00000000"), { host: "h", machine: "-", boot: "-", pidns: "-", pid: 1, start: "-", nonce: "00000000" });
    });

    for (const bad of [
        "", "ci-runner-7:4242:cafe", `${TOKEN} `, ` ${TOKEN}`, `${TOKEN}\n`, TOKEN.replace("pid=4242", "pid=42a"), TOKEN.replace("nonce=cafe1234", "nonce=cafe123"),
        TOKEN.replace("machine=0123456789ab", "machine=0123456789AB"), TOKEN.replace("ci-runner-7", "ci runner"), TOKEN.replace("ci-runner-7", "a".repeat(65)),
        TOKEN.replace("boot=b00700000000", "boot=b0070000000"), TOKEN.replace("pidns=4026531836", "pidns=x"), TOKEN.replace("start=98765", "start=$(id)"),
    ]) {
        it(`refuses ${JSON.stringify(bad)}`, () => assert.equal(parseHolder(bad), undefined));
    }

    it("describes a holder for people, and shows an older token (or anything else) quoted", () => {
        assert.equal(describeHolder(TOKEN), "pid 4242 on ci-runner-7 (machine 0123456789ab, boot b00700000000)");
        // Not an identity: as the lock file says it, but quoted, escaped and cut (it comes from the appliance).
        assert.equal(describeHolder("ci-runner-7:4242:cafe"), "\"ci-runner-7:4242:cafe\"");
        assert.equal(describeHolder("a\n\u001b[2Kb"), "\"a\\n\\u001b[2Kb\"");
    });

    describe("a dead process of this machine, only when proved", () => {
        it("same machine, boot and pid namespace, and the pid no longer runs: dead", () => assert.equal(isDeadProcessOfThisMachine(TOKEN, here()), true));
        it("the pid runs, started at another time (reused): dead", () => assert.equal(isDeadProcessOfThisMachine(TOKEN, here({ startOf: () => "11111" })), true));
        it("the pid runs, started at the holder's time: alive", () => assert.equal(isDeadProcessOfThisMachine(TOKEN, here({ startOf: (p) => (p === 4242 ? "98765" : undefined) })), false));
        it("the pid runs, its start time unreadable: not proved", () => assert.equal(isDeadProcessOfThisMachine(TOKEN, here({ startOf: () => "-" })), false));
        it("another machine id (same host name): not proved", () => assert.equal(isDeadProcessOfThisMachine(TOKEN, here({ machine: "ffffffffffff" })), false));
        it("another boot (a clone of this machine): not proved", () => assert.equal(isDeadProcessOfThisMachine(TOKEN, here({ boot: "ffffffffffff" })), false));
        it("another pid namespace (a container on this kernel): not proved", () => assert.equal(isDeadProcessOfThisMachine(TOKEN, here({ pidns: "1" })), false));
        for (const field of ["boot", "pidns", "start"] as const) {
            it(`a holder whose ${field} is unknown: not proved, even on a machine that matches`, () => {
                const token = formatHolder({ ...id, [field]: "-" });
                assert.equal(isDeadProcessOfThisMachine(token, here({ [field]: "-" })), false);
            });
        }
        it("a missing machine id on both sides still needs boot and pid namespace to match", () => {
            const token = formatHolder({ ...id, machine: "-" });
            assert.equal(isDeadProcessOfThisMachine(token, here({ machine: "-" })), true);
            assert.equal(isDeadProcessOfThisMachine(token, here({ machine: "-", boot: "ffffffffffff" })), false);
        });
        it("an older HOST:PID:... token or garbage: never", () => {
            assert.equal(isDeadProcessOfThisMachine("ci-runner-7:4242:cafe", here()), false);
            assert.equal(isDeadProcessOfThisMachine("", here()), false);
        });
    });

    it("this process: readable on Linux, alive, and told apart from its own earlier operations by the nonce", () => {
        const m = thisMachine();
        const a = currentHolder(m);
        const b = currentHolder(m);
        assert.equal(a.pid, process.pid);
        assert.notEqual(a.nonce, b.nonce);
        assert.deepEqual(parseHolder(formatHolder(a)), a);
        assert.equal(isDeadProcessOfThisMachine(formatHolder(a), m), false);
        assert.equal(isDeadProcessOfThisMachine(formatHolder({ ...a, start: String(Number(a.start) + 1) }), m), true);
        assert.equal(m.startOf(2 ** 31 - 1), undefined, "no such process");
    });

    it("carries the machine and boot ids only as an application-specific hash (machine-id(5): the id itself stays on the machine)", () => {
        const m = thisMachine();
        for (const [file, value] of [["/etc/machine-id", m.machine], ["/proc/sys/kernel/random/boot_id", m.boot]]) {
            let raw: string;
            try { raw = readFileSync(file, "utf8").trim().replace(/-/g, ""); } catch { continue; }
            assert.match(value, /^[0-9a-f]{12}$/);
            assert.ok(!raw.includes(value), `${file}: not a slice of the id`);
        }
    });
});
