// Environment parsing: defaults, derived values, and a clear message naming each bad variable.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "@/lib/env";

const dataDir = () => mkdtempSync(path.join(tmpdir(), "minicloud-env-"));
const SECRET = "s".repeat(40);
const KEY = Buffer.alloc(32, 7);

describe("parseEnv", () => {
  it("fills in defaults for a bare environment and creates a secret in the data dir", () => {
    const dir = dataDir();
    const env = parseEnv({ MINICLOUD_DATA_DIR: dir });
    expect(env).toMatchObject({
      nodeEnv: "development",
      host: "127.0.0.1",
      port: 3000,
      publicUrl: "http://localhost:3000",
      databaseUrl: undefined,
      dataDir: dir,
      sessionMaxAgeSeconds: 8 * 3600,
      trustProxy: false,
      oidc: null,
    });
    expect(env.secret.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(path.join(dir, "secret"), "utf8")).toBe(env.secret);
    // The same secret on the next start, so sessions survive a restart.
    expect(parseEnv({ MINICLOUD_DATA_DIR: dir }).secret).toBe(env.secret);
  });

  it("creates an encryption key in the data dir outside production and keeps it across starts", () => {
    const dir = dataDir();
    const env = parseEnv({ MINICLOUD_DATA_DIR: dir });
    expect(env.encryptionKey).toHaveLength(32);
    expect(env.encryptionKeySource).toBe("generated");
    expect(parseEnv({ MINICLOUD_DATA_DIR: dir }).encryptionKey.equals(env.encryptionKey)).toBe(true);
  });

  it("refuses to start in production without an encryption key", () => {
    expect(() => parseEnv({ NODE_ENV: "production", MINICLOUD_DATA_DIR: dataDir() })).toThrow(/MINICLOUD_ENCRYPTION_KEY is required in production/);
    const env = parseEnv({ NODE_ENV: "production", MINICLOUD_DATA_DIR: dataDir(), MINICLOUD_ENCRYPTION_KEY: KEY.toString("hex") });
    expect(env.encryptionKey.equals(KEY)).toBe(true);
  });

  it("refuses an encryption key that is not 32 bytes", () => {
    expect(() => parseEnv({ MINICLOUD_DATA_DIR: dataDir(), MINICLOUD_ENCRYPTION_KEY: Buffer.alloc(16).toString("base64") })).toThrow(/MINICLOUD_ENCRYPTION_KEY: .*32 bytes/);
  });

  it("reads explicit values", () => {
    const env = parseEnv({
      PORT: "8080",
      HOST: "0.0.0.0",
      MINICLOUD_PUBLIC_URL: "https://cloud.example.test/",
      DATABASE_URL: "postgres://mc:pw@db:5432/minicloud",
      MINICLOUD_SECRET: SECRET,
      MINICLOUD_ENCRYPTION_KEY: KEY.toString("base64"),
      TRUST_PROXY: "true",
      OIDC_ISSUER: "https://id.example.test/realms/x/",
      OIDC_CLIENT_ID: "minicloud",
      OIDC_CLIENT_SECRET: "shh",
    });
    expect(env.port).toBe(8080);
    expect(env.publicUrl).toBe("https://cloud.example.test");
    expect(env.databaseUrl).toBe("postgres://mc:pw@db:5432/minicloud");
    expect(env.secret).toBe(SECRET);
    expect(env.trustProxy).toBe(true);
    expect(env.encryptionKey.equals(KEY)).toBe(true);
    expect(env.encryptionKeySource).toBe("environment");
    expect(env.oidc).toEqual({ issuer: "https://id.example.test/realms/x", clientId: "minicloud", clientSecret: "shh", displayName: "Single sign-on" });
  });

  it("treats empty strings as unset", () => {
    const env = parseEnv({ DATABASE_URL: "", PORT: "", MINICLOUD_SECRET: SECRET, MINICLOUD_DATA_DIR: dataDir() });
    expect(env.databaseUrl).toBeUndefined();
    expect(env.port).toBe(3000);
  });

  it.each([
    [{ PORT: "70000" }, "PORT"],
    [{ PORT: "abc" }, "PORT"],
    [{ DATABASE_URL: "mysql://x@y/z" }, "DATABASE_URL must be a postgres:// or postgresql:// URL"],
    [{ MINICLOUD_SECRET: "short" }, "MINICLOUD_SECRET must be at least 32 characters"],
    [{ SESSION_MAX_AGE_SECONDS: "10" }, "SESSION_MAX_AGE_SECONDS must be at least 300"],
    [{ OIDC_ISSUER: "https://id.example.test" }, "OIDC needs all of OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET"],
    [{ NODE_ENV: "staging" }, "NODE_ENV"],
    [{ TRUST_PROXY: "yes" }, "TRUST_PROXY"],
  ])("refuses %o with a message naming it", (source, message) => {
    expect(() => parseEnv({ MINICLOUD_SECRET: SECRET, ...source })).toThrow(EnvError);
    expect(() => parseEnv({ MINICLOUD_SECRET: SECRET, ...source })).toThrow(message);
  });

  it("lists every bad variable at once", () => {
    try {
      parseEnv({ PORT: "0", DATABASE_URL: "nope", MINICLOUD_SECRET: SECRET });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toMatch(/PORT/);
      expect((error as Error).message).toMatch(/DATABASE_URL/);
    }
  });
});
