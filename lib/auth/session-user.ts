// The signed-in user behind a next-auth session, re-checked against the database every time: a
// disabled user, a deleted user, or a session older than the user's last disable is refused.
// Shared by Next.js requests (session.ts) and the requests server.ts answers itself (their
// headers as Node gives them).
import type { IncomingHttpHeaders } from "node:http";
import { getServerSession, type Session } from "next-auth";
import { getAuthOptions } from "@/lib/auth/options";
import { getDb } from "@/lib/db";
import { loadPrincipal } from "@/lib/tenancy/principal";
import { getUser } from "@/lib/users/service";

/** The principal and user of a session, or null when there is none or it no longer counts. */
export async function userOfSession(session: Session | null) {
  if (!session?.userId) return null;
  const db = await getDb();
  const signedInAt = session.signedInAt ? new Date(session.signedInAt) : new Date(0);
  const principal = await loadPrincipal(db, session.userId, signedInAt);
  if (!principal) return null;
  const user = await getUser(db, session.userId);
  if (!user) return null;
  return { principal, user };
}

/** The `name=value` pairs of a Cookie header (values URI-decoded where they can be). */
export function cookiesOf(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const pair of (header ?? "").split(";")) {
    const at = pair.indexOf("=");
    if (at <= 0) continue;
    const name = pair.slice(0, at).trim();
    const raw = pair.slice(at + 1).trim();
    let value = raw;
    try {
      value = decodeURIComponent(raw);
    } catch {
      // kept as sent
    }
    if (!(name in cookies)) cookies[name] = value;
  }
  return cookies;
}

/**
 * The signed-in user of a request Next.js does not see, from its headers: the session is read as
 * for a page (next-auth's session lookup with the request's cookies; a refreshed cookie is not sent
 * back, as pages do not either).
 */
export async function currentUserOfHeaders(headers: IncomingHttpHeaders) {
  const req = { headers, cookies: cookiesOf(headers.cookie) };
  const res = { getHeader() {}, setCookie() {}, setHeader() {} };
  const session = await getServerSession(req as never, res as never, getAuthOptions());
  return userOfSession(session);
}
