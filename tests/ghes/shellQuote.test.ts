import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { batchStdin, gheConfigGetBatch, gheConfigSetBatch, parseGetBatch, shellQuote } from "../../ghes/shellQuote";

const HOSTILE = [
    "plain",
    "with space",
    "it's",
    "'; rm -rf / #",
    "$(touch /tmp/pwned)",
    "`id`",
    "a;b&&c||d|e",
    "line1\nline2",
    "trailing newline\n\n",
    "${HOME} $HOME \\ \" !",
    "",
    "ünïcödé ✓",
];

describe("provider/shellQuote: values pass /bin/sh byte-for-byte", () => {
    for (const value of HOSTILE) {
        it(`round-trips ${JSON.stringify(value)} as one argument`, () => {
            const out = execFileSync("/bin/sh", ["-c", `printf '%s' ${shellQuote(value)}`]);
            assert.equal(out.toString("utf8"), value);
        });
        it(`round-trips ${JSON.stringify(value)} in a batch write: inline, and on stdin when secret (one line)`, () => {
            const entries = [{ key: "k1", value, secret: false }, ...(/\n/.test(value) ? [] : [{ key: "k2", value, secret: true }])];
            const script = gheConfigSetBatch(entries).replace(/ghe-config /g, "printf '%s=%s;' ");
            const out = execFileSync("/bin/sh", ["-c", script], { input: batchStdin(entries) }).toString("utf8");
            assert.equal(out, entries.map((e) => `${e.key}=${e.value};`).join(""));
        });
        it(`reads ${JSON.stringify(value)} back intact through the batch read`, () => {
            // A stand-in ghe-config that prints the value and a newline, as the real one does.
            const script = `gc() { printf '%s\\n' ${shellQuote(value)}; }; ${gheConfigGetBatch(["k"]).replace(/ghe-config /g, "gc ")}`;
            assert.deepEqual(parseGetBatch(["k"], execFileSync("/bin/sh", ["-c", script]).toString("utf8")), [{ key: "k", status: 0, value }]);
        });
    }

    it("round-trips 300 random strings of any bytes but NUL (fuzz, fixed seed)", () => {
        let seed = 20261127;
        const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
        for (let i = 0; i < 300; i++) {
            const length = Math.floor(next() * 40);
            const value = Array.from({ length }, () => String.fromCharCode(1 + Math.floor(next() * 126))).join("");
            const out = execFileSync("/bin/sh", ["-c", `printf '%s' ${shellQuote(value)}`]);
            assert.equal(out.toString("latin1"), value, JSON.stringify(value));
        }
    });

    it("refuses a NUL byte, which no shell word can carry", () => {
        assert.throws(() => shellQuote("a\0b"), /NUL/);
    });

    it("keeps secrets out of the command line and refuses a secret with a line break", () => {
        const entries = [{ key: "secrets.packages.aws-secret-key", value: "secret-value", secret: true }];
        assert.ok(!gheConfigSetBatch(entries).includes("secret-value"));
        assert.equal(batchStdin(entries), "secret-value\n");
        assert.throws(() => gheConfigSetBatch([{ key: "k", value: "a\nb", secret: true }]), /line break/);
    });
});
