// Who may open a websocket on /ws/*: a request from an allowed Origin carrying a valid,
// current session. Browsers send cookies on cross-site websocket handshakes, so the Origin
// check is what stops another site from opening a terminal with the user's session.
// CLI endpoints (the laptop ssh tunnel) instead take a personal API token in the
// Authorization header, which no browser page can attach to a websocket.
import type { IncomingMessage } from "node:http";
import { getToken } from "next-auth/jwt";
import { authenticateApiToken } from "@/lib/api-tokens/service";
import type { Principal } from "@/lib/auth/policy";
import type { Db } from "@/lib/db";
import { loadPrincipal } from "@/lib/tenancy/principal";

export type UpgradeDecision =
  | { ok: true; principal: Principal; userId: string }
  | { ok: false; status: 401 | 403; reason: string };

/** Decides whether a websocket upgrade may proceed; never throws for bad input. */
export async function authorizeUpgrade(
  req: IncomingMessage,
  opts: { db: Db; secret: string; allowedOrigins: ReadonlySet<string>; secureCookie: boolean },
): Promise<UpgradeDecision> {
  const origin = req.headers.origin;
  if (!origin || !opts.allowedOrigins.has(origin)) {
    return { ok: false, status: 403, reason: "origin not allowed" };
  }
  // next-auth reads parsed cookies (as Next.js provides them), not the raw header.
  const token = await getToken({
    req: { headers: req.headers, cookies: parseCookies(req.headers.cookie) } as unknown as Parameters<typeof getToken>[0]["req"],
    secret: opts.secret,
    secureCookie: opts.secureCookie,
  }).catch(() => null);
  if (!token?.uid) return { ok: false, status: 401, reason: "no session" };
  const signedInAt = new Date(typeof token.signedInAt === "number" ? token.signedInAt : 0);
  const principal = await loadPrincipal(opts.db, token.uid, signedInAt);
  if (!principal) return { ok: false, status: 401, reason: "session no longer valid" };
  return { ok: true, principal, userId: token.uid };
}

/**
 * Decides a CLI upgrade: `Authorization: Bearer <personal API token>`; no cookie and no Origin
 * (a command-line client has neither). Revoked or expired tokens and disabled users are refused.
 */
export async function authorizeTokenUpgrade(req: IncomingMessage, opts: { db: Db }): Promise<UpgradeDecision> {
  const header = req.headers.authorization ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) return { ok: false, status: 401, reason: "no API token (set MINICLOUD_TOKEN to a personal API token)" };
  const owner = await authenticateApiToken(opts.db, match[1]!);
  if (!owner) return { ok: false, status: 401, reason: "the API token is unknown, revoked or expired" };
  const principal = await loadPrincipal(opts.db, owner.userId);
  if (!principal) return { ok: false, status: 401, reason: "the token's account is disabled" };
  return { ok: true, principal, userId: owner.userId };
}

function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    try {
      cookies[name] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      // a malformed value is simply not a session
    }
  }
  return cookies;
}

/** The Origins a browser may open websockets from: the public URL (and its loopback twin). */
export function allowedOriginsFor(publicUrl: string): Set<string> {
  const url = new URL(publicUrl);
  const origins = new Set([url.origin]);
  if (url.hostname === "localhost") origins.add(`${url.protocol}//127.0.0.1${url.port ? `:${url.port}` : ""}`);
  if (url.hostname === "127.0.0.1") origins.add(`${url.protocol}//localhost${url.port ? `:${url.port}` : ""}`);
  return origins;
}
