import { strict as assert } from "node:assert";
import { ParsedKey, utils as sshUtils } from "ssh2";
import { generateEd25519KeyPair } from "../../ghes/sshKeys";

describe("provider/sshKeys: temporary admin-shell keys", () => {
    it("always yields a key pair ssh2 can use (its raw generator fails ~1 in 200 draws)", () => {
        for (let i = 0; i < 1000; i++) {
            const pair = generateEd25519KeyPair("test");
            const parsed = sshUtils.parseKey(pair.private) as ParsedKey | Error;
            assert.ok(!(parsed instanceof Error), `draw ${i}: ${(parsed as Error).message}`);
            assert.match(pair.public, /^ssh-ed25519 \S+ test$/);
        }
    });
});
