import { describe, expect, it } from "vitest";
import { parseSshPublicKey, type ParsedSshKey } from "@/lib/ssh-keys/parse";

// Keys made with `ssh-keygen -t …`; fingerprints as `ssh-keygen -lf` printed them.
const KEYS = {
  ed25519: {
    line: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILInuwlmoxBj5sLU5EfQ+ft4W/9Hceum8ULCuVThfwim ada@laptop",
    fingerprint: "SHA256:19qyTuzoAmEDDZsblwnbhzv3WUbHeMY6RwZQ/f57TM4",
    bits: 256,
    comment: "ada@laptop",
  },
  p256: {
    line: "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBKhcJD6Ji4B0D1sijhcYQ/rqfsGBXDdtO+GHldqS5HkONteffjeEyuyqFD4NcaW2guKfHZqiFxrecoYykB9L/7w= p256",
    fingerprint: "SHA256:llEz/pQ2pqCdRX2Ikg9aD4WKpHEYJvEg+VwusdL1v/I",
    bits: 256,
    comment: "p256",
  },
  p384: {
    line: "ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBDI9b/1KkSb6ApuSvoLbzxnCq/lBbTzLOs2AL3thmfAKxbDYmGEGa/Yp7KlDDum/TTw83N1/8eQ1JggDj9+1ifLjNfA8rzPCGWqK0pxs1knKxkroZ0mVUieMAxTwGWzZ9w== p384 key",
    fingerprint: "SHA256:dwKL9JTKleqiE+7s57CbiC2R7tsWZ5TJxUuHp8K7QKk",
    bits: 384,
    comment: "p384 key",
  },
  p521: {
    line: "ecdsa-sha2-nistp521 AAAAE2VjZHNhLXNoYTItbmlzdHA1MjEAAAAIbmlzdHA1MjEAAACFBAC2ymPPG/rHyqd2GefTh8aPMQmmUBezGsGuF/vERxXgsiDFPgFlO0DS+Emd0XmJY5rQXI0vvRlbFfv/rwEnZd5dnwGOxgw76LJaPwB32LPtaUw+DKwn40DDfkoETqAkNPAm9+TMWnToYoua/BzLHKNAc0nlcDkyZGw2D6Mbj2PpD1qpZg==",
    fingerprint: "SHA256:u7h2Mmcejtwq8EiyZORoer4S7e9pCW2LhdWYmomsE48",
    bits: 521,
    comment: "",
  },
  rsa2048: {
    line: "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCENZFpq/0f8ZoPiB3dsPNUBqst3Zc0CXI/CuuEmzU0QwqwU/VV2qQtJw7xAP2p+tXcezzzkTVPe07xDXHQw6507/Sdk6wscx4kYwL81Idn3l0wxs3prHPXVvfCD+cfL13cHFBoBFpkkp0h1kfsXp1DytZ0VFZZfwa10f0kV5BPWB5cbhvceddayDOJstOpg1iCrEp/WpP/gQru7kHMD6Mr68Z/PGMBdD7op2VTj4XP9/fgMWeKzInc3NHlF/MZpNPgB4Bd5csgPXUuUXeUOpfdFxCrjbH0YafLU5Pedktf91QABJdAfl8xknhTrWAzecVJoUuA4C9o0eGBUIz+OQo5 rsa2048",
    fingerprint: "SHA256:kEMCPuaVwLQXT9mtyNoPUWYML4o8FoDxfNb5wxUfF2U",
    bits: 2048,
    comment: "rsa2048",
  },
};

const RSA_1024 =
  "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC6LB+kUQhFaMo4W/xz5z5IrAaYBoH2p+erfN0Qy1IfYEwVACfmYTpfGajlmSD1HucLQ18KfTobBbiqF0fzvUImhkoNdFoMjA6ofBhXcwyrj+0WTeoDuwZO2VPxJh9OpFNXk069eeiANWLXMR1fOzg+xjhqldUc5RPzAnIyRO/xfw== rsa1024";
const DSA =
  "ssh-dss AAAAB3NzaC1kc3MAAACBAMxh2/7e1M8izPJBOzvHaKz0S9ntcvUn01xbnPyCpEOCIpucGFwd25ehBG8Wx+yARrbGCbaUdz/5ecVjDxCEPjZzLkNuJqOVLfqYQpQsHT1lFehEs6yu1jVbz0EWorboIfzAzz6S7SyC3d7Q0Eba1N3nc5n8Nbsvn0dwUm22nSLjAAAAFQCkdPjykCvNRMqBBslgzyAIBX8xQQAAAIANgtIai/wuuqpnrQgvqmKBqZ9M5HwZCYL2ohOcLZaNBlwnjrFtVJNtr3CkkvkiHUSFNXZqLZZgK4CkrYMZUerC3opWdMiOFdPdZrsid0yFUavM9fTqizmcCjr7a42yMceQMiSw1X8wCM2zRXm7A/VFTJauKXW86194qAaFuMpfbAAAAIEAvhDMVkBgQ6ot6tAUwv6np9oyDJfg6dgJgnKL2LTI3J8HUImfg9I8qos8hIf2nlJkfETDSihsITTYtjd3PpFGtuV7COVDvXmuuoUuP6RGsdCZPDgbWTiEwyXD49p5Zg1237q0IuKdEV/RTV5HmXefxNag4sRCAj7nMVBFqjIQNfI= dsa";

function parsed(line: string): ParsedSshKey {
  const result = parseSshPublicKey(line);
  if (!result.ok) throw new Error(`expected ${line.slice(0, 30)}… to parse: ${result.error}`);
  return result.key;
}

function refusal(line: string): string {
  const result = parseSshPublicKey(line);
  if (result.ok) throw new Error(`expected ${line.slice(0, 30)}… to be refused`);
  return result.error;
}

// Re-encodes a key blob after changing its fields, to build malformed keys.
function blobFields(line: string): Buffer[] {
  const blob = Buffer.from(line.split(" ")[1]!, "base64");
  const fields: Buffer[] = [];
  for (let offset = 0; offset < blob.length; ) {
    const length = blob.readUInt32BE(offset);
    fields.push(blob.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  return fields;
}

function lineOf(type: string, fields: Buffer[], extra: Buffer = Buffer.alloc(0)): string {
  const parts = fields.flatMap((field) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(field.length);
    return [length, field];
  });
  return `${type} ${Buffer.concat([...parts, extra]).toString("base64")}`;
}

describe("parseSshPublicKey", () => {
  it.each(Object.entries(KEYS))("accepts %s with ssh-keygen's fingerprint", (_, key) => {
    const result = parsed(key.line);
    expect(result.fingerprint).toBe(key.fingerprint);
    expect(result.bits).toBe(key.bits);
    expect(result.comment).toBe(key.comment);
    expect(result.publicKey).toBe(key.line.split(" ").slice(0, 2).join(" "));
    expect(result.type).toBe(key.line.split(" ")[0]);
  });

  it("tolerates surrounding whitespace and keeps a comment with spaces", () => {
    const result = parsed(`\n  ${KEYS.ed25519.line.replace("ada@laptop", "Ada's  work laptop")}  \n`);
    expect(result.comment).toBe("Ada's work laptop");
    expect(result.fingerprint).toBe(KEYS.ed25519.fingerprint);
  });

  it("refuses RSA keys under 2048 bits, saying how many bits they have", () => {
    expect(refusal(RSA_1024)).toMatch(/1024 bits; at least 2048/);
  });

  it("refuses other key types by name", () => {
    expect(refusal(DSA)).toMatch(/ssh-dss are not accepted/);
    expect(refusal("sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29t")).toMatch(/not accepted/);
  });

  it("refuses a blob whose type differs from the line's", () => {
    const data = KEYS.p256.line.split(" ")[1];
    expect(refusal(`ecdsa-sha2-nistp384 ${data}`)).toMatch(/of type ecdsa-sha2-nistp256, not ecdsa-sha2-nistp384/);
    expect(refusal(`ssh-rsa ${KEYS.ed25519.line.split(" ")[1]}`)).toMatch(/of type ssh-ed25519/);
  });

  it("refuses an ECDSA key whose curve does not match its type", () => {
    const [type, , point] = blobFields(KEYS.p256.line);
    expect(refusal(lineOf("ecdsa-sha2-nistp256", [type!, Buffer.from("nistp384"), point!]))).toMatch(/damaged/);
  });

  it("refuses an ECDSA point that is not on the curve", () => {
    const [type, curve, point] = blobFields(KEYS.p256.line);
    const bent = Buffer.from(point!);
    bent[bent.length - 1] ^= 0x01;
    expect(refusal(lineOf("ecdsa-sha2-nistp256", [type!, curve!, bent]))).toMatch(/damaged/);
  });

  it("refuses truncated keys and keys with trailing data", () => {
    const [type, key] = blobFields(KEYS.ed25519.line);
    expect(refusal(lineOf("ssh-ed25519", [type!, key!.subarray(0, 31)]))).toMatch(/damaged/);
    expect(refusal(lineOf("ssh-ed25519", [type!, key!], Buffer.from([0, 0, 0, 0])))).toMatch(/damaged/);
    const data = KEYS.rsa2048.line.split(" ")[1]!;
    expect(refusal(`ssh-rsa ${data.slice(0, 200)}`)).toMatch(/damaged|base64/);
  });

  it.each([
    ["", /Paste a public key/],
    ["hello world", /does not look like an OpenSSH public key/],
    ["ssh-ed25519", /not valid base64/],
    ["ssh-ed25519 !!!!", /not valid base64/],
    ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILInuwlmoxBj5sLU5EfQ+ft4W/9Hceum8ULCuVThfwi", /not valid base64/],
    ["-----BEGIN OPENSSH PRIVATE KEY-----", /private key/],
    [`${KEYS.ed25519.line}\n${KEYS.p256.line}`, /one key at a time/],
    [`ssh-ed25519 ${"A".repeat(20_000)}`, /too long/],
  ])("refuses garbage %#", (line, message) => {
    expect(refusal(line)).toMatch(message);
  });
});
