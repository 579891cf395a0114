import { ParsedKey, utils as sshUtils } from "ssh2";

/**
 * A fresh ed25519 key pair in OpenSSH format. ssh2's generator emits a key its own parser
 * rejects about once in 200 draws (measured: 15 of 3000), so each pair is parsed back and
 * drawn again if needed.
 */
export function generateEd25519KeyPair(comment?: string): { private: string; public: string } {
    for (let attempt = 0; attempt < 20; attempt++) {
        const pair = sshUtils.generateKeyPairSync("ed25519", comment ? { comment } : undefined);
        const parsed = sshUtils.parseKey(pair.private) as ParsedKey | Error;
        if (!(parsed instanceof Error)) return pair;
    }
    throw new Error("could not generate a usable ed25519 key pair");
}
