// Who may watch a cluster's status: for a nested cluster, those who manage it (`nested:manage`
// on its owning team's organization); for a host cluster, platform admins. Refusals audited;
// a cluster the caller may not see is "not found".
import { eq } from "drizzle-orm";
import { authorize } from "@/lib/access/deny";
import { getCurrentUser } from "@/lib/auth/session";
import type { Db } from "@/lib/db/client";
import { isUuid } from "@/lib/db/ids";
import { clusters } from "@/lib/db/schema";
import { NotFoundError, UnauthenticatedError } from "@/lib/errors";
import { authorizeNestedRoute } from "@/lib/nested/route-access";

export async function authorizeStatusRoute(db: Db, clusterId: string): Promise<void> {
  const current = await getCurrentUser();
  if (!current) throw new UnauthenticatedError();
  const [row] = isUuid(clusterId) ? await db.select({ kind: clusters.kind }).from(clusters).where(eq(clusters.id, clusterId)) : [];
  if (!row) throw new NotFoundError("No such cluster.");
  if (row.kind === "nested") {
    await authorizeNestedRoute(db, clusterId, "cluster.status.read");
    return;
  }
  await authorize(db, { principal: current.principal, actor: { userId: current.user.id, label: current.user.email } }, { action: "cluster.status.read", permission: "clusters:register", scope: { kind: "platform" } });
}
