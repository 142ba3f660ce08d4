// Who may open a websocket on /ws/*: a request from an allowed Origin carrying a valid,
// current session. Browsers send cookies on cross-site websocket handshakes, so the Origin
// check is what stops another site from opening a terminal with the user's session.
import type { IncomingMessage } from "node:http";
import { getToken } from "next-auth/jwt";
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
