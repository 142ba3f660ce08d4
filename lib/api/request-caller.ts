// Who is calling a REST route handler: a personal API token (`Authorization: Bearer …`) or,
// without one, the browser's session cookie. Either way the principal is loaded fresh from
// the database, so a disabled user or a revoked token is refused on the next request.
import type { IncomingMessage } from "node:http";
import type { Caller } from "@/lib/access/deny";
import { authenticateApiToken } from "@/lib/api-tokens/service";
import { getCurrentUser } from "@/lib/auth/session";
import { currentUserOfHeaders } from "@/lib/auth/session-user";
import type { Db } from "@/lib/db/client";
import { UnauthenticatedError } from "@/lib/errors";
import { loadPrincipal } from "@/lib/tenancy/principal";

/** The caller of `request`; UnauthenticatedError when neither a valid token nor a session is present. */
export async function callerFromRequest(request: Request, db: Db): Promise<Caller> {
  return callerOf(db, request.headers.get("authorization"), getCurrentUser);
}

/** The same for a request server.ts answers itself, before Next.js (lib/api/vm-disk-upload.ts). */
export async function callerFromNodeRequest(req: IncomingMessage, db: Db): Promise<Caller> {
  return callerOf(db, req.headers.authorization ?? null, () => currentUserOfHeaders(req.headers));
}

type CurrentUser = Awaited<ReturnType<typeof currentUserOfHeaders>>;

async function callerOf(db: Db, header: string | null, currentUser: () => Promise<CurrentUser>): Promise<Caller> {
  if (header !== null) {
    // A request that presents a token is judged by the token alone, never by a cookie beside it.
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const user = match ? await authenticateApiToken(db, match[1]!) : null;
    const principal = user ? await loadPrincipal(db, user.userId) : null;
    if (!user || !principal) throw new UnauthenticatedError("Invalid or expired API token.");
    return { principal, actor: { userId: user.userId, label: user.email } };
  }
  const current = await currentUser();
  if (!current) throw new UnauthenticatedError();
  return { principal: current.principal, actor: { userId: current.user.id, label: current.user.email } };
}
