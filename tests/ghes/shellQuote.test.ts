import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { shellQuote } from "../../ghes/shellQuote";

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

});
