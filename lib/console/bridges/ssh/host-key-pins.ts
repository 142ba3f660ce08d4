// Forgetting a pod's pinned SSH host key: the way out the ssh terminal's refusal promises
// ("An administrator of the organization can forget the pinned key on the pod's page…"). The pin itself
// lives in host-keys.ts; this module decides who may remove it and leaves the audit row.
import { can, type Principal } from "@/lib/auth/policy";
import { auditSuccess, type Actor } from "@/lib/audit/service";
import type { Db } from "@/lib/db/client";
import { ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { clearPinnedHostKey, type HostKeyPin } from "@/lib/console/bridges/ssh/host-keys";
import { isSessionAdmin } from "@/lib/console/session/live-sessions";
import { loadTerminalTarget, targetScope } from "@/lib/console/targets";

/**
 * Whether `principal` may forget the pinned host keys of the pods of organization `orgId`.
 * The same people who administer its terminal sessions (platform admins, the org's owners
 * and admins): forgetting a pin decides which sshd the next terminal trusts, so it is not
 * left to whoever happens to be refused.
 */
export function mayForgetHostKey(principal: Principal, orgId: string): boolean {
  return isSessionAdmin(principal, orgId);
}

/**
 * Removes the pinned SSH host key of workload `workloadId`, so the next ssh connection pins
 * whatever key the pod presents, and writes one `pod.host-key.forget` audit row naming the
 * forgotten fingerprint (in the same transaction). Someone who may not see the pod's team
 * gets "not found"; someone who sees it but does not administer its organization gets
 * "forbidden"; a pod with no pin is refused with a message and nothing is written.
 */
export async function forgetPinnedHostKey(db: Db, principal: Principal, actor: Actor, workloadId: string): Promise<HostKeyPin> {
  const target = await loadTerminalTarget(db, workloadId);
  if (!mayForgetHostKey(principal, target.orgId)) {
    if (!can(principal, "team:read", targetScope(target))) throw new NotFoundError("No such pod.");
    throw new ForbiddenError("Only an administrator of this organization can forget a pod's SSH host key.");
  }
  return db.transaction(async (tx) => {
    const removed = await clearPinnedHostKey(tx, target.workloadId);
    if (!removed) {
      throw new ValidationError(`No SSH host key is pinned for ${target.label}; the next ssh connection will pin the key the pod presents.`);
    }
    await auditSuccess(tx, actor, {
      action: "pod.host-key.forget",
      targetType: "ssh_pod",
      targetId: target.workloadId,
      targetLabel: target.name,
      orgId: target.orgId,
      teamId: target.teamId,
      detail: { fingerprint: removed.fingerprint, keyType: removed.keyType, pinnedSince: removed.firstSeenAt.toISOString() },
    });
    return removed;
  });
}
