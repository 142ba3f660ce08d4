// The panel's own key pair in OpenSSH's formats: ssh2 (the terminal client) reads the private
// key, ssh-keygen derives the same public line from it, and the public line parses as ours does.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { utils } from "ssh2";
import { describe, expect, it } from "vitest";
import { generateEd25519KeyPair } from "@/lib/ssh-keys/openssh-format";
import { parseSshPublicKey } from "@/lib/ssh-keys/parse";

describe("OpenSSH Ed25519 key pairs", () => {
  it("ssh2 parses the private key, and its public half is the public line", () => {
    const pair = generateEd25519KeyPair("minicloud-panel");
    const parsed = utils.parseKey(pair.privateKey);
    if (parsed instanceof Error) throw parsed;
    const key = Array.isArray(parsed) ? parsed[0]! : parsed;
    expect(key.type).toBe("ssh-ed25519");
    expect(key.comment).toBe("minicloud-panel");
    expect(`ssh-ed25519 ${key.getPublicSSH().toString("base64")} minicloud-panel`).toBe(pair.publicKey);
    // A signature made with the private half verifies with the public half.
    const data = Buffer.from("challenge");
    expect(key.verify(data, key.sign(data))).toBe(true);
    const line = parseSshPublicKey(pair.publicKey);
    expect(line.ok && line.key.type).toBe("ssh-ed25519");
  });

  it("ssh-keygen reads the private key file and derives the same public key", () => {
    const pair = generateEd25519KeyPair("minicloud-panel");
    const dir = mkdtempSync(path.join(tmpdir(), "mc-key-"));
    try {
      const file = path.join(dir, "id_ed25519");
      writeFileSync(file, pair.privateKey, { mode: 0o600 });
      const derived = execFileSync("ssh-keygen", ["-y", "-f", file], { encoding: "utf8" }).trim();
      expect(derived.split(" ").slice(0, 2).join(" ")).toBe(pair.publicKey.split(" ").slice(0, 2).join(" "));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("every pair is new", () => {
    expect(generateEd25519KeyPair("a").publicKey).not.toBe(generateEd25519KeyPair("a").publicKey);
  });
});
