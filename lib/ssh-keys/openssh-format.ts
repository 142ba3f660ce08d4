// Ed25519 key pairs in OpenSSH's own formats: the public `ssh-ed25519 AAAA… comment` line and
// the `openssh-key-v1` private key file. node:crypto exports Ed25519 only as PKCS#8/SPKI, which
// the `ssh2` client cannot read (it reads OpenSSH's format), so the encoding is written here.
import { generateKeyPairSync, randomBytes } from "node:crypto";

/** An Ed25519 key pair as OpenSSH writes it. */
export interface OpenSshKeyPair {
  /** `ssh-ed25519 <base64> <comment>`, for authorized_keys. */
  publicKey: string;
  /** `-----BEGIN OPENSSH PRIVATE KEY-----` … (unencrypted). */
  privateKey: string;
}

const KEY_TYPE = "ssh-ed25519";

// SSH wire format: a uint32 big-endian length, then the bytes.
function sshString(value: Buffer | string): Buffer {
  const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : value;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function uint32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out;
}

/** The public key blob (`string "ssh-ed25519", string key`). */
function publicBlob(publicKey: Buffer): Buffer {
  return Buffer.concat([sshString(KEY_TYPE), sshString(publicKey)]);
}

/** Encodes a raw Ed25519 seed (32 bytes) and public key (32 bytes) in OpenSSH's formats. */
export function encodeEd25519(seed: Buffer, publicKey: Buffer, comment: string): OpenSshKeyPair {
  if (seed.length !== 32 || publicKey.length !== 32) throw new Error("an Ed25519 seed and public key are 32 bytes each");
  const blob = publicBlob(publicKey);
  const check = randomBytes(4).readUInt32BE();
  let secret = Buffer.concat([
    uint32(check),
    uint32(check), // the same value twice: how a reader knows decryption worked
    sshString(KEY_TYPE),
    sshString(publicKey),
    sshString(Buffer.concat([seed, publicKey])), // OpenSSH keeps seed ‖ public key as "private key"
    sshString(comment),
  ]);
  // Padded with 1, 2, 3, … to the cipher's block size (8 for "none").
  const padding = Buffer.from(Array.from({ length: (8 - (secret.length % 8)) % 8 }, (_, i) => i + 1));
  secret = Buffer.concat([secret, padding]);
  const body = Buffer.concat([
    Buffer.from("openssh-key-v1\0", "latin1"),
    sshString("none"), // cipher
    sshString("none"), // kdf
    sshString(""), // kdf options
    uint32(1), // number of keys
    sshString(blob),
    sshString(secret),
  ]);
  const lines = body.toString("base64").match(/.{1,70}/g) ?? [];
  return {
    publicKey: `${KEY_TYPE} ${blob.toString("base64")} ${comment}`,
    privateKey: `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join("\n")}\n-----END OPENSSH PRIVATE KEY-----\n`,
  };
}

/** A new random Ed25519 key pair in OpenSSH's formats. */
export function generateEd25519KeyPair(comment: string): OpenSshKeyPair {
  const { privateKey } = generateKeyPairSync("ed25519");
  const jwk = privateKey.export({ format: "jwk" });
  return encodeEd25519(Buffer.from(jwk.d!, "base64url"), Buffer.from(jwk.x!, "base64url"), comment);
}
