import { strict as assert } from "node:assert";
import { redact, redactError } from "../../provider/redact";

describe("provider/redact: errors are scrubbed of secrets before they leave the provider", () => {
    it("replaces every occurrence of every secret", () => {
        assert.equal(redact("pw=hunter22 again hunter22, key=AbCd/1234+", ["hunter22", "AbCd/1234+"]), "pw=[secret] again [secret], key=[secret]");
    });

    it("ignores absent and very short values (they would shred ordinary text)", () => {
        assert.equal(redact("a b c", [undefined, "", "b"]), "a b c");
    });

    it("masks a secret that contains another secret as a whole (longest first), leaving no part of it", () => {
        assert.equal(redact("key=pw-hunter22-tail", ["hunter22", "pw-hunter22-tail"]), "key=[secret]");
    });

    it("returns a new error with a clean message and keeps the error's name", () => {
        const original = new TypeError("could not authenticate with s3cr3t-pass");
        const clean = redactError(original, ["s3cr3t-pass"]);
        assert.equal(clean.message, "could not authenticate with [secret]");
        assert.equal(clean.name, "TypeError");
        assert.ok(!String(clean.stack).includes("s3cr3t-pass"));
    });

    it("handles thrown non-errors", () => {
        assert.equal(redactError("raw s3cr3t-pass", ["s3cr3t-pass"]).message, "raw [secret]");
    });
});
