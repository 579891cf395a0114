import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

let cached: { key: string; cert: string } | undefined;

/** A throw-away certificate for 127.0.0.1 and localhost, made with openssl once per process. */
export function selfSignedCert(): { key: string; cert: string } {
    if (cached) return cached;
    const dir = mkdtempSync(join(tmpdir(), "ghes-sim-cert-"));
    try {
        execFileSync("openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "2",
            "-subj", "/CN=ghes-simulator", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ], { stdio: "ignore" });
        cached = { key: readFileSync(join(dir, "key.pem"), "utf8"), cert: readFileSync(join(dir, "cert.pem"), "utf8") };
        return cached;
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}
