import { describe, expect, it } from "vitest";
import { API_TOKEN_PREFIX, apiTokenDisplayPrefix, generateApiToken, hashApiToken, isApiTokenFormat } from "@/lib/api-tokens/token";

describe("API tokens", () => {
  it("are mc_ + 32 random bytes in base64url, hashed with SHA-256", () => {
    const token = generateApiToken();
    expect(token.plaintext).toMatch(/^mc_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token.plaintext.slice(API_TOKEN_PREFIX.length), "base64url")).toHaveLength(32);
    expect(token.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(token.hash).toBe(hashApiToken(token.plaintext));
    expect(token.hash).not.toContain(token.plaintext.slice(3, 12));
    expect(generateApiToken().plaintext).not.toBe(token.plaintext);
  });

  it("display a short prefix that does not reveal the secret", () => {
    const token = generateApiToken();
    expect(token.prefix).toBe(apiTokenDisplayPrefix(token.plaintext));
    expect(token.prefix).toHaveLength(11);
    expect(token.plaintext.startsWith(token.prefix)).toBe(true);
  });

  it("are recognised by format before any lookup", () => {
    expect(isApiTokenFormat(generateApiToken().plaintext)).toBe(true);
    expect(isApiTokenFormat("mc_short")).toBe(false);
    expect(isApiTokenFormat("xx_" + "a".repeat(43))).toBe(false);
    expect(isApiTokenFormat(generateApiToken().plaintext + " ")).toBe(false);
    expect(isApiTokenFormat("mc_" + "a".repeat(42) + "=")).toBe(false);
  });
});
