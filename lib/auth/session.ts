// The signed-in user for the current request, re-checked against the database every time:
// a disabled user, a deleted user, or a session older than the user's last disable is refused.
import { getServerSession } from "next-auth";
import { cache } from "react";
import { redirect } from "next/navigation";
import { getAuthOptions } from "@/lib/auth/options";
import type { Principal } from "@/lib/auth/policy";
import { userOfSession } from "@/lib/auth/session-user";
import { UnauthenticatedError } from "@/lib/errors";

/** The current request's principal and user, or null when signed out. Cached per request. */
export const getCurrentUser = cache(async () => userOfSession(await getServerSession(getAuthOptions())));

/** For pages: the current user, or a redirect to the sign-in page. */
export async function requireUserForPage() {
  const current = await getCurrentUser();
  if (!current) redirect("/sign-in");
  return current;
}

/** For actions and handlers: the current principal, or an UnauthenticatedError. */
export async function requirePrincipal(): Promise<Principal> {
  const current = await getCurrentUser();
  if (!current) throw new UnauthenticatedError();
  return current.principal;
}
