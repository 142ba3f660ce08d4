// The process environment, read once and validated. Everything else imports `getEnv()`
// instead of touching process.env, so a bad value fails at start with a clear message.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

const booleanFlag = z
  .enum(["true", "false", "1", "0", ""])
  .optional()
  .transform((v) => v === "true" || v === "1");

const envSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    HOST: z.string().trim().min(1).default("127.0.0.1"),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    /** The address users reach the panel at; websocket Origins are checked against it. */
    MINICLOUD_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
    DATABASE_URL: z
      .url({ protocol: /^postgres(ql)?$/, error: "DATABASE_URL must be a postgres:// or postgresql:// URL" })
      .optional(),
    MINICLOUD_DATA_DIR: z.string().trim().min(1).default("./data"),
    /** Signs session cookies and tickets. Generated into the data dir when unset. */
    MINICLOUD_SECRET: z.string().min(32, "MINICLOUD_SECRET must be at least 32 characters").optional(),
    /** 32 bytes (base64 or hex) encrypting stored kubeconfigs and private keys (AES-256-GCM). */
    MINICLOUD_ENCRYPTION_KEY: z
      .string()
      .trim()
      .refine((v) => decodeKey(v) !== null, "MINICLOUD_ENCRYPTION_KEY must be 32 bytes, base64 or hex encoded")
      .optional(),
    SESSION_MAX_AGE_SECONDS: z.coerce
      .number()
      .int()
      .min(300, "SESSION_MAX_AGE_SECONDS must be at least 300")
      .max(30 * 24 * 3600, "SESSION_MAX_AGE_SECONDS must be at most 30 days")
      .default(8 * 3600),
    /** Trust X-Forwarded-For for the client address (only behind a proxy you run). */
    TRUST_PROXY: booleanFlag,
    /** Whether registered clusters may be on loopback addresses (default: yes outside production). */
    MINICLOUD_ALLOW_LOOPBACK_CLUSTERS: z.enum(["true", "false", "1", "0"]).optional(),
    /** When `npm start` began (microseconds since the epoch, set by scripts/start.sh), for the start's timings. */
    MINICLOUD_STARTED_AT: z.coerce.number().int().positive().optional().catch(undefined),
    /** The built-in local cluster (lib/local-cluster): on (start with the panel), off, or unset (offered outside production). */
    MINICLOUD_LOCAL_CLUSTER: z.enum(["on", "off"], { error: "MINICLOUD_LOCAL_CLUSTER must be on or off (or unset)" }).optional(),
    OIDC_ISSUER: z.url({ protocol: /^https?$/, error: "OIDC_ISSUER must be an http(s) URL" }).optional(),
    OIDC_CLIENT_ID: optionalString,
    OIDC_CLIENT_SECRET: optionalString,
    OIDC_DISPLAY_NAME: z.string().trim().min(1).default("Single sign-on"),
    /** Terminal sessions with no input for this many minutes are closed. */
    MINICLOUD_TERMINAL_IDLE_MINUTES: z.coerce
      .number()
      .int("MINICLOUD_TERMINAL_IDLE_MINUTES must be a whole number of minutes")
      .min(1, "MINICLOUD_TERMINAL_IDLE_MINUTES must be at least 1")
      .max(24 * 60, "MINICLOUD_TERMINAL_IDLE_MINUTES must be at most 1440 (a day)")
      .default(30),
    /**
     * The account browser ssh terminals and ssh_config log into on every SSH pod, instead of
     * the owner's login name: for pod images with one fixed account, and for the local control
     * plane, where every pod's port 22 reaches the one sshd on the host.
     */
    /** Guards GET /metrics: a bearer token (at least 16 characters). */
    MINICLOUD_METRICS_TOKEN: z.string().trim().min(16, "MINICLOUD_METRICS_TOKEN must be at least 16 characters").optional(),
    /** `open`: GET /metrics without a token (only where a network policy admits the scraper alone). */
    MINICLOUD_METRICS: z.enum(["open", "off"], { error: "MINICLOUD_METRICS must be open or off (or unset)" }).optional(),
    MINICLOUD_SSH_POD_LOGIN: z
      .string()
      .trim()
      .regex(/^[a-z_][a-z0-9_-]{0,31}$/, "MINICLOUD_SSH_POD_LOGIN must be a login name (a-z, 0-9, _ and -, at most 32)")
      .optional(),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === "production" && !env.MINICLOUD_ENCRYPTION_KEY) {
      ctx.addIssue({
        code: "custom",
        path: ["MINICLOUD_ENCRYPTION_KEY"],
        message: "MINICLOUD_ENCRYPTION_KEY is required in production (32 bytes, base64: `openssl rand -base64 32`)",
      });
    }
    const oidc = [env.OIDC_ISSUER, env.OIDC_CLIENT_ID, env.OIDC_CLIENT_SECRET];
    if (oidc.some(Boolean) && !oidc.every(Boolean)) {
      ctx.addIssue({
        code: "custom",
        path: ["OIDC_ISSUER"],
        message: "OIDC needs all of OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET, or none",
      });
    }
  });

/** The validated environment, with derived values filled in. */
export interface Env {
  nodeEnv: "development" | "production" | "test";
  host: string;
  port: number;
  publicUrl: string;
  databaseUrl: string | undefined;
  dataDir: string;
  secret: string;
  /** AES-256-GCM key for secrets at rest; `generated` means it was created in the data dir (development only). */
  encryptionKey: Buffer;
  encryptionKeySource: "environment" | "generated";
  sessionMaxAgeSeconds: number;
  trustProxy: boolean;
  oidc: { issuer: string; clientId: string; clientSecret: string; displayName: string } | null;
  terminalIdleMinutes: number;
  /** MINICLOUD_SSH_POD_LOGIN: one login for every SSH pod, or null for each owner's own. */
  sshPodLogin: string | null;
  /**
   * MINICLOUD_ALLOW_LOOPBACK_CLUSTERS: whether a cluster's API server may be on a loopback
   * address (the local control plane in development and tests). Off by default in production,
   * where a loopback address can only mean the panel's own host.
   */
  allowLoopbackClusters: boolean;
  /** MINICLOUD_LOCAL_CLUSTER: `on` starts the built-in local cluster with the panel (also in production), `off` never; unset offers it outside production. */
  localCluster: "on" | "off" | "default";
  /** When the launching command began (epoch milliseconds), or null when unknown. */
  launchedAtMs: number | null;
  /** Who may read GET /metrics: nobody (off), holders of the token, or anyone reaching the port. */
  metrics: { kind: "off" } | { kind: "token"; token: string } | { kind: "open" };
}

/** Thrown for an invalid environment; its message lists every bad variable. */
export class EnvError extends Error {}

/**
 * Parses an environment. Pure except for the secret: when MINICLOUD_SECRET is unset it is
 * read from (or created in) `<dataDir>/secret`, so a fresh clone starts with one command.
 */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".") || "environment"}: ${i.message}`);
    throw new EnvError(`Invalid environment:\n${lines.join("\n")}`);
  }
  const e = result.data;
  const dataDir = path.resolve(e.MINICLOUD_DATA_DIR);
  return {
    nodeEnv: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    publicUrl: (e.MINICLOUD_PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ""),
    databaseUrl: e.DATABASE_URL,
    dataDir,
    secret: e.MINICLOUD_SECRET ?? readOrCreateSecret(dataDir),
    encryptionKey: e.MINICLOUD_ENCRYPTION_KEY ? decodeKey(e.MINICLOUD_ENCRYPTION_KEY)! : decodeKey(readOrCreateFile(dataDir, "encryption-key"))!,
    encryptionKeySource: e.MINICLOUD_ENCRYPTION_KEY ? "environment" : "generated",
    sessionMaxAgeSeconds: e.SESSION_MAX_AGE_SECONDS,
    trustProxy: e.TRUST_PROXY,
    allowLoopbackClusters: e.MINICLOUD_ALLOW_LOOPBACK_CLUSTERS ? ["true", "1"].includes(e.MINICLOUD_ALLOW_LOOPBACK_CLUSTERS) : e.NODE_ENV !== "production",
    localCluster: e.MINICLOUD_LOCAL_CLUSTER ?? "default",
    launchedAtMs: e.MINICLOUD_STARTED_AT ? Math.floor(e.MINICLOUD_STARTED_AT / 1000) : null,
    oidc:
      e.OIDC_ISSUER && e.OIDC_CLIENT_ID && e.OIDC_CLIENT_SECRET
        ? {
            issuer: e.OIDC_ISSUER.replace(/\/$/, ""),
            clientId: e.OIDC_CLIENT_ID,
            clientSecret: e.OIDC_CLIENT_SECRET,
            displayName: e.OIDC_DISPLAY_NAME,
          }
        : null,
    terminalIdleMinutes: e.MINICLOUD_TERMINAL_IDLE_MINUTES,
    sshPodLogin: e.MINICLOUD_SSH_POD_LOGIN ?? null,
    metrics: e.MINICLOUD_METRICS_TOKEN ? { kind: "token", token: e.MINICLOUD_METRICS_TOKEN } : e.MINICLOUD_METRICS === "open" ? { kind: "open" } : { kind: "off" },
  };
}

/** A 32-byte key from base64 (standard or url-safe) or hex text, or null. */
function decodeKey(text: string): Buffer | null {
  const trimmed = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, "hex") : Buffer.from(trimmed, "base64");
  return key.length === 32 ? key : null;
}

function readOrCreateSecret(dataDir: string): string {
  return readOrCreateFile(dataDir, "secret");
}

/** Reads `<dataDir>/<name>`, creating it with 32 random bytes (base64url) the first time. */
function readOrCreateFile(dataDir: string, name: string): string {
  const file = path.join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  // wx: two processes starting at once must not overwrite each other's secret.
  try {
    writeFileSync(file, secret, { mode: 0o600, flag: "wx" });
    return secret;
  } catch {
    return readFileSync(file, "utf8").trim();
  }
}

const globalForEnv = globalThis as { __minicloudEnv?: Env };

/** The process's environment, parsed on first use. */
export function getEnv(): Env {
  globalForEnv.__minicloudEnv ??= parseEnv(process.env);
  return globalForEnv.__minicloudEnv;
}
