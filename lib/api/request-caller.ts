// Who is calling a REST route handler: a personal API token (`Authorization: Bearer …`) or,
// without one, the browser's session cookie. Either way the principal is loaded fresh from
// the database, so a disabled user or a revoked token is refused on the next request.
import type { Caller } from "@/lib/access/deny";
import { authenticateApiToken } from "@/lib/api-tokens/service";
import { getCurrentUser } from "@/lib/auth/session";
import type { Db } from "@/lib/db/client";
import { UnauthenticatedError } from "@/lib/errors";
import { loadPrincipal } from "@/lib/tenancy/principal";

/** The caller of `request`; UnauthenticatedError when neither a valid token nor a session is present. */
export async function callerFromRequest(request: Request, db: Db): Promise<Caller> {
  const header = request.headers.get("authorization");
  if (header !== null) {
    // A request that presents a token is judged by the token alone, never by a cookie beside it.
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const user = match ? await authenticateApiToken(db, match[1]!) : null;
    const principal = user ? await loadPrincipal(db, user.userId) : null;
    if (!user || !principal) throw new UnauthenticatedError("Invalid or expired API token.");
    return { principal, actor: { userId: user.userId, label: user.email } };
  }
  const current = await getCurrentUser();
  if (!current) throw new UnauthenticatedError();
  return { principal: current.principal, actor: { userId: current.user.id, label: current.user.email } };
}
