// Structured JSON logs (one object per line on stdout) with the request id of the work that
// wrote them. Secrets never reach a line: the keys below are replaced wherever they appear in
// a logged object, and messages are written by our own code, which never puts one in.
import pino, { type DestinationStream, type Logger } from "pino";
import { currentRequestId } from "@/lib/observe/request-context";

/** Object keys whose values are never logged, at any depth we log (two levels). */
const SECRET_KEYS = [
  "authorization", "cookie", "token", "password", "secret", "kubeconfig", "privateKey", "clientKey", "ticket", "userData",
  "client_secret", "clientSecret", "access_token", "id_token", "refresh_token", "code_verifier",
];

const REDACT_PATHS = [...SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]), 'headers["set-cookie"]', 'headers["x-api-key"]'];

const LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** A logger writing to `destination` (default: stdout) at MINICLOUD_LOG_LEVEL (default info). */
export function createLogger(destination?: DestinationStream): Logger {
  const level = (process.env.MINICLOUD_LOG_LEVEL ?? "info").toLowerCase();
  const options: pino.LoggerOptions = {
    level: (LEVELS as readonly string[]).includes(level) ? level : "info",
    base: { service: "minicloud" },
    messageKey: "msg",
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    // Every line says which request it belongs to, when it belongs to one.
    mixin: () => {
      const requestId = currentRequestId();
      return requestId ? { requestId } : {};
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

const holder = globalThis as { __minicloudLogger?: Logger };

/** The process's logger (one per process, shared with the Next.js bundle). */
export const log: Logger = (holder.__minicloudLogger ??= createLogger());

/** A logger for one part of the panel: its lines carry `module`. */
export function moduleLogger(module: string): Logger {
  return log.child({ module });
}
