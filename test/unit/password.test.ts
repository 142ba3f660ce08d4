import { describe, expect, it } from "vitest";
import { CURRENT_PARAMS, hashPassword, needsRehash, verifyAgainstDummy, verifyPasswordHash } from "@/lib/users/password";

// Cheap parameters keep most cases fast; one case uses the real ones.
const FAST = { N: 1024, r: 8, p: 1 };

describe("password hashing", () => {
  it("hashes with the current parameters and verifies", async () => {
    const hash = await hashPassword("correct horse battery staple");
    expect(hash).toMatch(/^scrypt\$N=32768,r=8,p=1\$[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2}$/);
    expect(await verifyPasswordHash(hash, "correct horse battery staple")).toBe(true);
    expect(await verifyPasswordHash(hash, "correct horse battery stapl")).toBe(false);
    expect(needsRehash(hash)).toBe(false);
  });

  it("salts every hash", async () => {
    const [a, b] = await Promise.all([hashPassword("same", FAST), hashPassword("same", FAST)]);
    expect(a).not.toBe(b);
    expect(await verifyPasswordHash(a, "same")).toBe(true);
    expect(await verifyPasswordHash(b, "same")).toBe(true);
  });

  it("verifies with the parameters stored in the hash and asks for a rehash when they differ", async () => {
    const old = await hashPassword("pässwörd", FAST);
    expect(old.startsWith("scrypt$N=1024,r=8,p=1$")).toBe(true);
    expect(await verifyPasswordHash(old, "pässwörd")).toBe(true);
    expect(needsRehash(old)).toBe(true);
    expect(needsRehash(old, FAST)).toBe(false);
    expect(needsRehash(await hashPassword("x", CURRENT_PARAMS))).toBe(false);
  });

  it("normalises Unicode so the same password typed differently matches", async () => {
    const hash = await hashPassword("caf\u00e9", FAST);
    expect(await verifyPasswordHash(hash, "cafe\u0301")).toBe(true);
  });

  it.each([
    "",
    "plaintext",
    "scrypt$N=1024,r=8,p=1$c2FsdA$a2V5",
    "scrypt$N=1000,r=8,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5",
    "scrypt$N=4294967296,r=8,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5",
    "bcrypt$2b$10$abcdefghijklmnopqrstuv",
  ])("never matches a malformed or absurd stored hash %j", async (stored) => {
    expect(await verifyPasswordHash(stored, "anything")).toBe(false);
    expect(needsRehash(stored)).toBe(true);
  });

  it("spends the time of a real check when there is no account", async () => {
    expect(await verifyAgainstDummy("whatever")).toBe(false);
  });
});
