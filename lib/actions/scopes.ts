// Scope resolvers for action definitions: the owner comes from the database row, never the form.
// A workload's scope is lib/workloads/scope.ts's.
import type { Db } from "@/lib/db";
import { resolveOrgScope, resolveTeamScope } from "@/lib/tenancy/principal";
import type { Scope } from "@/lib/auth/policy";

export const platformScope = async (): Promise<Scope> => ({ kind: "platform" });
export const teamScopeOf = (db: Db, input: { teamId: string }) => resolveTeamScope(db, input.teamId);
export const orgScopeOf = (db: Db, input: { orgId: string }) => resolveOrgScope(db, input.orgId);
