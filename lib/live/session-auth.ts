// Who is opening the live-events stream: the next-auth session of the request, checked like
// every page (lib/auth/session.ts), plus a way to re-check that same session later, since a
// stream outlives the request that opened it.
import { getServerSession } from "next-auth";
import { getAuthOptions } from "@/lib/auth/options";
import { getDb } from "@/lib/db";
import type { AuthenticateRequest } from "@/lib/live/event-stream";
import { loadPrincipal } from "@/lib/tenancy/principal";

/** The signed-in principal of the current request, or null (signed out, disabled, session revoked). */
export const authenticateSession: AuthenticateRequest = async () => {
  const session = await getServerSession(getAuthOptions());
  const userId = session?.userId;
  if (!userId) return null;
  const db = await getDb();
  const signedInAt = session.signedInAt ? new Date(session.signedInAt) : new Date(0);
  const principal = await loadPrincipal(db, userId, signedInAt);
  if (!principal) return null;
  return { principal, refresh: () => loadPrincipal(db, userId, signedInAt) };
};
