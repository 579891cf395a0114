import { strict as assert } from "node:assert";
import { shown } from "../../ghes/outsideText";

/*
 * A value read from outside the program (a bucket object, ghe-config output, a lock file) is
 * shown in messages and logs quoted, on one line, without any character a terminal acts on, and
 * cut: whoever wrote it cannot forge a log line or repaint the screen.
 */
describe("ghes/outsideText: a value from outside is shown quoted, printable and cut", () => {
    it("quotes a plain value as JSON would", () => {
        assert.equal(shown("ghes-a.example.com"), "\"ghes-a.example.com\"");
        assert.equal(shown("say \"hi\""), "\"say \\\"hi\\\"\"");
    });

    it("escapes newlines and terminal escape sequences, so no line can be forged", () => {
        assert.equal(shown("a\n\u001b[2Kb\r"), "\"a\\n\\u001b[2Kb\\r\"");
    });

    it("escapes DEL, C1 controls, line separators and bidirectional overrides, which JSON leaves as they are", () => {
        assert.equal(shown("a\u007fb\u009bc\u2028d\u202ee\u2066f"), "\"a\\u007fb\\u009bc\\u2028d\\u202ee\\u2066f\"");
    });

    it("cuts a long value and says how long it was", () => {
        assert.equal(shown("x".repeat(300), 10), "\"xxxxxxxxxx\"... (300 characters)");
        assert.equal(shown("x".repeat(10), 10), "\"xxxxxxxxxx\"");
    });

    it("shows a value that is not text (parsed JSON) the same way", () => {
        assert.equal(shown(42), "42");
        assert.equal(shown(undefined), "undefined");
        assert.equal(shown({ a: "\u001b\u0085" }), "{\"a\":\"\\u001b\\u0085\"}");
    });
});
