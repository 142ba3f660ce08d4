// Parses one OpenSSH public key line (`<type> <base64 blob> [comment]`, as in id_ed25519.pub)
// and computes its SHA256 fingerprint exactly as `ssh-keygen -lf` prints it. The blob is
// decoded and checked field by field, so a line that merely looks right is not accepted.

import { createHash, createPublicKey } from "node:crypto";

/** Key types we accept. */
export const SSH_KEY_TYPES = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "ssh-rsa",
] as const;
export type SshKeyType = (typeof SSH_KEY_TYPES)[number];

/** The smallest RSA modulus we accept, in bits. */
export const MIN_RSA_BITS = 2048;
const MAX_RSA_BITS = 16384;
const MAX_LINE_LENGTH = 16 * 1024;

/** A parsed public key. */
export interface ParsedSshKey {
  type: SshKeyType;
  /** `<type> <base64>` without the comment: what goes into authorized_keys. */
  publicKey: string;
  comment: string;
  /** `SHA256:<base64 without padding>`, as ssh-keygen prints it. */
  fingerprint: string;
  /** Key size in bits. */
  bits: number;
}

export type SshKeyParseResult = { ok: true; key: ParsedSshKey } | { ok: false; error: string };

const EC_CURVES = {
  "ecdsa-sha2-nistp256": { curve: "nistp256", jwkCurve: "P-256", coordinateBytes: 32, bits: 256 },
  "ecdsa-sha2-nistp384": { curve: "nistp384", jwkCurve: "P-384", coordinateBytes: 48, bits: 384 },
  "ecdsa-sha2-nistp521": { curve: "nistp521", jwkCurve: "P-521", coordinateBytes: 66, bits: 521 },
} as const;

const ACCEPTED = "ssh-ed25519, ecdsa-sha2-nistp256/384/521 or ssh-rsa (at least 2048 bits)";

class BlobError extends Error {}

/** Reads the SSH wire format: uint32 length-prefixed strings. */
class BlobReader {
  private offset = 0;
  constructor(private readonly buffer: Buffer) {}

  readString(): Buffer {
    if (this.offset + 4 > this.buffer.length) throw new BlobError("truncated");
    const length = this.buffer.readUInt32BE(this.offset);
    this.offset += 4;
    if (this.offset + length > this.buffer.length) throw new BlobError("truncated");
    const value = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  /** An mpint: a positive one has no needless leading zero, and a high bit set means negative. */
  readPositiveMpint(): Buffer {
    const value = this.readString();
    if (value.length === 0 || (value[0]! & 0x80) !== 0) throw new BlobError("not a positive integer");
    if (value[0] === 0 && (value.length === 1 || (value[1]! & 0x80) === 0)) throw new BlobError("non-canonical integer");
    return value[0] === 0 ? value.subarray(1) : value;
  }

  assertDone(): void {
    if (this.offset !== this.buffer.length) throw new BlobError("trailing data");
  }
}

function bitLength(unsigned: Buffer): number {
  const first = unsigned[0] ?? 0;
  return unsigned.length === 0 ? 0 : (unsigned.length - 1) * 8 + (32 - Math.clz32(first));
}

function fingerprintOf(blob: Buffer): string {
  return "SHA256:" + createHash("sha256").update(blob).digest("base64").replace(/=+$/, "");
}

function decodeBase64Strict(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) return null;
  const buffer = Buffer.from(text, "base64");
  return buffer.toString("base64") === text ? buffer : null;
}

function isSupportedType(type: string): type is SshKeyType {
  return (SSH_KEY_TYPES as readonly string[]).includes(type);
}

// Returns the key size in bits, or throws BlobError with what is wrong.
function checkBlob(type: SshKeyType, reader: BlobReader): number {
  switch (type) {
    case "ssh-ed25519": {
      if (reader.readString().length !== 32) throw new BlobError("an Ed25519 key is 32 bytes");
      reader.assertDone();
      return 256;
    }
    case "ssh-rsa": {
      const e = reader.readPositiveMpint();
      const n = reader.readPositiveMpint();
      reader.assertDone();
      const bits = bitLength(n);
      if (bits < MIN_RSA_BITS) throw new BlobError(`short RSA:${bits}`);
      if (bits > MAX_RSA_BITS) throw new BlobError(`an RSA key of ${bits} bits is too large`);
      if (bitLength(e) > 64 || (e[e.length - 1]! & 1) === 0) throw new BlobError("bad RSA exponent");
      createPublicKey({ key: { kty: "RSA", n: n.toString("base64url"), e: e.toString("base64url") }, format: "jwk" });
      return bits;
    }
    default: {
      const { curve, jwkCurve, coordinateBytes, bits } = EC_CURVES[type];
      const curveName = reader.readString().toString("latin1");
      if (curveName !== curve) throw new BlobError(`the key says curve ${curveName}, its type says ${curve}`);
      const point = reader.readString();
      reader.assertDone();
      if (point.length !== 1 + 2 * coordinateBytes || point[0] !== 0x04) throw new BlobError("bad curve point");
      const x = point.subarray(1, 1 + coordinateBytes);
      const y = point.subarray(1 + coordinateBytes);
      // Importing checks that the point lies on the curve.
      createPublicKey({ key: { kty: "EC", crv: jwkCurve, x: x.toString("base64url"), y: y.toString("base64url") }, format: "jwk" });
      return bits;
    }
  }
}

/** Parses one public key line; the error is a sentence for the user. */
export function parseSshPublicKey(input: string): SshKeyParseResult {
  const line = input.trim();
  if (!line) return { ok: false, error: "Paste a public key." };
  if (line.length > MAX_LINE_LENGTH) return { ok: false, error: "That is too long for a public key." };
  if (/[\r\n]/.test(line)) return { ok: false, error: "Paste one key at a time (a single line)." };
  if (line.includes("PRIVATE KEY")) {
    return { ok: false, error: "That is a private key. Paste the public key (the .pub file) — and keep the private key to yourself." };
  }
  const [type = "", data = "", ...rest] = line.split(/\s+/);
  if (!isSupportedType(type)) {
    return {
      ok: false,
      error: /^(ssh|ecdsa|sk|rsa)-[A-Za-z0-9@.-]+$/.test(type)
        ? `Keys of type ${type} are not accepted. Use ${ACCEPTED}.`
        : `That does not look like an OpenSSH public key. Expected a line such as “ssh-ed25519 AAAA… you@laptop”.`,
    };
  }
  const blob = data ? decodeBase64Strict(data) : null;
  if (!blob) return { ok: false, error: "The key data is not valid base64; paste the whole line of the .pub file." };
  const reader = new BlobReader(blob);
  let bits: number;
  try {
    const innerType = reader.readString().toString("latin1");
    if (innerType !== type) return { ok: false, error: `The key data is of type ${innerType || "unknown"}, not ${type}.` };
    bits = checkBlob(type, reader);
  } catch (error) {
    const message = error instanceof Error ? error.message : "";
    if (message.startsWith("short RSA:")) {
      return { ok: false, error: `This RSA key has ${message.slice(10)} bits; at least ${MIN_RSA_BITS} are required. Generate an ed25519 key instead.` };
    }
    return { ok: false, error: "The key data is damaged or incomplete; paste the whole line of the .pub file." };
  }
  return {
    ok: true,
    key: { type, publicKey: `${type} ${data}`, comment: rest.join(" "), fingerprint: fingerprintOf(blob), bits },
  };
}
