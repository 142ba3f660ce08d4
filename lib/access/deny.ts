// "Forbidden or not found", the one rule every door applies (server actions, REST routes,
// terminal tickets and the laptop tunnel): a caller without a permission is told "forbidden"
// only when they may see the scope; otherwise "not found", exactly as if the target did not
// exist. Every refusal leaves one `denied` audit row naming the permission.
import { can, maySee, type Permission, type Principal, type Scope } from "@/lib/auth/policy";
import { recordAuditEvent, type Actor } from "@/lib/audit/service";
import type { Db } from "@/lib/db/client";
import { ForbiddenError, NotFoundError } from "@/lib/errors";
import { getUser } from "@/lib/users/service";

/** Who is acting, for services and audit rows. */
export interface Caller {
  principal: Principal;
  actor: Actor;
}

/** What a check is about: the audit action, the permission, where it is checked, and what to say. */
export interface AccessCheck {
  /** The audit action name, e.g. `team.rename`, `terminal.ticket`. */
  action: string;
  permission: Permission;
  scope: Scope;
  /** The resource refused, for the audit row; the scope itself when absent. */
  target?: { type: string; id: string; label?: string };
  /** What a caller who may see the scope is told (ForbiddenError's default otherwise). */
  forbidden?: string;
  /** What a caller who may not see the scope is told (NotFoundError's default otherwise). */
  notFound?: string;
}

/** The audit row's target for a scope (platform, organization or team). */
export function scopeTarget(scope: Scope | null) {
  if (!scope || scope.kind === "platform") return { targetType: "platform", targetId: null, orgId: null, teamId: null };
  if (scope.kind === "org") return { targetType: "organization", targetId: scope.orgId, orgId: scope.orgId, teamId: null };
  return { targetType: "team", targetId: scope.teamId, orgId: scope.orgId, teamId: scope.teamId };
}

function auditTarget(check: AccessCheck) {
  const scoped = scopeTarget(check.scope);
  if (!check.target) return scoped;
  return { ...scoped, targetType: check.target.type, targetId: check.target.id, targetLabel: check.target.label ?? null };
}

/**
 * Records the denial of `check` for `caller` and returns the error to throw: ForbiddenError
 * when the caller may see the scope, NotFoundError otherwise. Without an actor (a service
 * called with a principal only) the row is labelled with the user's e-mail.
 */
export async function deny(db: Db, caller: { principal: Principal; actor?: Actor }, check: AccessCheck): Promise<ForbiddenError | NotFoundError> {
  const actor = caller.actor ?? { userId: caller.principal.userId, label: (await getUser(db, caller.principal.userId))?.email ?? caller.principal.userId };
  await recordAuditEvent(db, {
    actorId: actor.userId,
    actorLabel: actor.label,
    action: check.action,
    ...auditTarget(check),
    outcome: "denied",
    detail: { permission: check.permission },
  });
  return maySee(caller.principal, check.scope) ? new ForbiddenError(check.forbidden) : new NotFoundError(check.notFound);
}

/** Passes when `caller` holds the permission of `check`; otherwise denies (audit row) and throws. */
export async function authorize(db: Db, caller: { principal: Principal; actor?: Actor }, check: AccessCheck): Promise<void> {
  if (can(caller.principal, check.permission, check.scope)) return;
  throw await deny(db, caller, check);
}
