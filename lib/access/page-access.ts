// Loading an organization or a team for a page: the resource, the viewer and their permissions
// there — or the not-found page when it does not exist or the viewer may not see it (no leak).
// It stands above the orgs and teams services it loads through, not in lib/auth, which the
// services themselves build on.
import { notFound } from "next/navigation";
import { cache } from "react";
import { z } from "zod";
import { can, type Permission } from "@/lib/auth/policy";
import { requireUserForPage } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import { getOrg } from "@/lib/orgs/service";
import { getTeam } from "@/lib/teams/service";
import { resolveOrgScope, resolveTeamScope } from "@/lib/tenancy/principal";

export const loadTeamForPage = cache(async (teamId: string) => {
  if (!z.uuid().safeParse(teamId).success) notFound();
  const current = await requireUserForPage();
  const db = await getDb();
  const scope = await resolveTeamScope(db, teamId).catch((e: unknown) => {
    if (e instanceof NotFoundError) notFound();
    throw e;
  });
  if (!can(current.principal, "team:read", scope)) notFound();
  const team = await getTeam(db, teamId);
  if (!team) notFound();
  const allowed = (permission: Permission) => can(current.principal, permission, scope);
  return { db, team, scope, allowed, ...current };
});

export const loadOrgForPage = cache(async (orgId: string) => {
  if (!z.uuid().safeParse(orgId).success) notFound();
  const current = await requireUserForPage();
  const db = await getDb();
  const scope = await resolveOrgScope(db, orgId).catch((e: unknown) => {
    if (e instanceof NotFoundError) notFound();
    throw e;
  });
  if (!can(current.principal, "org:read", scope)) notFound();
  const org = await getOrg(db, orgId);
  if (!org) notFound();
  const allowed = (permission: Permission) => can(current.principal, permission, scope);
  return { db, org, scope, allowed, ...current };
});
