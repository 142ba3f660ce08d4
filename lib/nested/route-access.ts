// The signed-in caller of a nested cluster's route (download, progress), authorized like its
// actions: `nested:manage` on the owning team's organization; refusals audited, "not found"
// for callers who may not see the organization.
import { authorize } from "@/lib/access/deny";
import { getCurrentUser } from "@/lib/auth/session";
import type { Db } from "@/lib/db/client";
import { UnauthenticatedError } from "@/lib/errors";
import { nestedClusterOrgScope } from "@/lib/nested/scope";
import type { Actor } from "@/lib/audit/service";

/** The actor allowed to act on nested cluster `clusterId` for `action`; throws the refusal otherwise. */
export async function authorizeNestedRoute(db: Db, clusterId: string, action: string): Promise<Actor> {
  const current = await getCurrentUser();
  if (!current) throw new UnauthenticatedError();
  const actor = { userId: current.user.id, label: current.user.email };
  const scope = await nestedClusterOrgScope(db, { clusterId });
  await authorize(db, { principal: current.principal, actor }, { action, permission: "nested:manage", scope });
  return actor;
}
