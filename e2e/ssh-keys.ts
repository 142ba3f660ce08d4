// OpenSSH public key lines made with node:crypto, so the specs need no ssh-keygen.
import { createHash, generateKeyPairSync } from "node:crypto";

function sshString(data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  return Buffer.concat([length, data]);
}

// An mpint: big-endian, with a leading zero byte when the high bit is set.
function sshMpint(unsigned: Buffer): Buffer {
  return sshString(unsigned[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), unsigned]) : unsigned);
}

function line(type: string, blob: Buffer, comment: string) {
  const fingerprint = "SHA256:" + createHash("sha256").update(blob).digest("base64").replace(/=+$/, "");
  return { line: `${type} ${blob.toString("base64")} ${comment}`, fingerprint };
}

/** A fresh ssh-ed25519 public key line and its SHA256 fingerprint. */
export function ed25519PublicKey(comment: string) {
  const jwk = generateKeyPairSync("ed25519").publicKey.export({ format: "jwk" });
  const blob = Buffer.concat([sshString(Buffer.from("ssh-ed25519")), sshString(Buffer.from(jwk.x!, "base64url"))]);
  return line("ssh-ed25519", blob, comment);
}

/** A fresh ssh-rsa public key line of `bits` bits (1024 is too short for the panel). */
export function rsaPublicKey(bits: number, comment: string) {
  const jwk = generateKeyPairSync("rsa", { modulusLength: bits }).publicKey.export({ format: "jwk" });
  const blob = Buffer.concat([
    sshString(Buffer.from("ssh-rsa")),
    sshMpint(Buffer.from(jwk.e!, "base64url")),
    sshMpint(Buffer.from(jwk.n!, "base64url")),
  ]);
  return line("ssh-rsa", blob, comment);
}
