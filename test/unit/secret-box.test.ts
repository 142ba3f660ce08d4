// Secrets at rest: round trip, fresh IV each time, and refusal on a wrong key, context or tampering.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { openSecret, sealSecret } from "@/lib/crypto/secret-box";

const key = randomBytes(32);

describe("secret box", () => {
  it("opens what it sealed and never repeats a ciphertext", () => {
    const a = sealSecret(key, "cluster:1:kubeconfig", "apiVersion: v1\nkind: Config\n");
    const b = sealSecret(key, "cluster:1:kubeconfig", "apiVersion: v1\nkind: Config\n");
    expect(a).not.toBe(b);
    expect(a).not.toContain("Config");
    expect(openSecret(key, "cluster:1:kubeconfig", a)).toBe("apiVersion: v1\nkind: Config\n");
  });

  it("refuses another key, another context, and a flipped bit", () => {
    const sealed = sealSecret(key, "cluster:1:kubeconfig", "secret");
    expect(() => openSecret(randomBytes(32), "cluster:1:kubeconfig", sealed)).toThrow();
    expect(() => openSecret(key, "cluster:2:kubeconfig", sealed)).toThrow();
    const raw = Buffer.from(sealed.slice(3), "base64");
    raw[raw.length - 1]! ^= 1;
    expect(() => openSecret(key, "cluster:1:kubeconfig", `v1:${raw.toString("base64")}`)).toThrow();
    expect(() => openSecret(key, "cluster:1:kubeconfig", "plain text")).toThrow("not a sealed secret");
  });
});
