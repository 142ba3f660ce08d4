// The panel's websocket gateway with its terminal routes, set up as a replica runs it: the
// environment's secret, public URL (allowed Origin, secure cookie), idle timeout and recordings
// directory, and the replica defaults (keepalive, host id, the bridges this build ships); and
// the watcher that ends this replica's sessions when an admin asks through another replica.
// server.ts serves it; bench:terminal runs the very same gateway in a process of its own.
import path from "node:path";
import type { Db } from "@/lib/db/client";
import type { Env } from "@/lib/env";
import { createWebSocketGateway } from "@/lib/console/gateway/gateway";
import { watchReplica } from "@/lib/console/session/session-admin";
import { terminalRoutes, terminalServiceDefaults } from "@/lib/console/gateway/terminal-routes";
import type { TerminalServiceOptions } from "@/lib/console/session/terminal-session";
import { allowedOriginsFor } from "@/lib/console/gateway/upgrade-auth";

export interface PanelGatewayOptions extends Partial<Pick<TerminalServiceOptions, "openers" | "onEnded">> {
  /** Gateway lines (refused upgrades). */
  log?: (line: string) => void;
  /** Terminal session lines (opened, ended, failures); defaults to `log`. */
  sessionLog?: (line: string) => void;
}

/** Where a replica spools its sessions' recordings. */
export function recordingsDirOf(env: Env): string {
  return path.join(env.dataDir, "recordings");
}

/** The gateway, watching for end requests admins make through other replicas; `close()` stops both. */
export function createPanelGateway(db: Db, env: Env, options: PanelGatewayOptions = {}) {
  const { log, sessionLog = log, ...overrides } = options;
  const service: TerminalServiceOptions = {
    db,
    idleTimeoutMs: env.terminalIdleMinutes * 60_000,
    recordingsDir: recordingsDirOf(env),
    ...terminalServiceDefaults(),
    ...overrides,
    log: sessionLog,
  };
  const gateway = createWebSocketGateway({
    db,
    secret: env.secret,
    allowedOrigins: allowedOriginsFor(env.publicUrl),
    secureCookie: env.publicUrl.startsWith("https://"),
    routes: terminalRoutes(service),
    log,
  });
  const stopWatching = watchReplica(db, service.hostId, { log: sessionLog });
  return {
    handleUpgrade: gateway.handleUpgrade,
    close() {
      stopWatching();
      gateway.close();
    },
  };
}
