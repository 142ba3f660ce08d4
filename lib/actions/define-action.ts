// The one path every mutation takes: parse the input (zod) → resolve the resource's owning
// org/team from the database → check the permission → run the service → revalidate.
// Server actions (forms) and route handlers (REST with personal tokens) share it.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import type { z } from "zod";
import { can, type Permission, type Principal, type Scope } from "@/lib/auth/policy";
import { getCurrentUser } from "@/lib/auth/session";
import { recordAuditEvent } from "@/lib/audit/service";
import { getDb, type Db } from "@/lib/db";
import { ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError, toUserError, type UserError } from "@/lib/errors";

/** What a server action returns to its form. */
export type ActionResult<T> = { ok: true; data: T } | { ok: false; error: UserError };

/** The initial state for `useActionState`. */
export const IDLE: ActionResult<never> | null = null;

/** Who is acting, for services and audit rows. */
export interface Caller {
  principal: Principal;
  actor: { userId: string; label: string };
}

export interface ActionContext<I> extends Caller {
  db: Db;
  input: I;
  scope: Scope | null;
}

/** How an action is authorized: a permission on a scope resolved from the database, or only "signed in" (the caller's own things). */
type Authorization<I> =
  | { permission: Permission; scope: (db: Db, input: I) => Promise<Scope> }
  | { signedIn: true };

export type ActionDefinition<S extends z.ZodType, R> = {
  /** The audit action name, e.g. `team.rename`. */
  name: string;
  input: S;
  run: (ctx: ActionContext<z.output<S>>) => Promise<R>;
  /** Where to go after success (server actions only). */
  redirectTo?: (result: R, input: z.output<S>) => string;
} & Authorization<z.output<S>>;

/** The read permission whose absence turns a denial into "not found", so nothing leaks. */
const READ_PERMISSION: Record<Scope["kind"], Permission | null> = {
  platform: null,
  org: "org:read",
  team: "team:read",
};

function fieldErrorsOf(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? "form");
    fields[key] ??= issue.message;
  }
  return fields;
}

function formDataToObject(data: FormData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of data.entries()) {
    if (key.startsWith("$ACTION")) continue; // React's own hidden fields
    out[key] = typeof value === "string" ? value : value;
  }
  return out;
}

/** Runs an action for a known caller; throws AppErrors. Used by route handlers and by `defineAction`. */
export async function executeAction<S extends z.ZodType, R>(
  def: ActionDefinition<S, R>,
  caller: Caller | null,
  raw: unknown,
): Promise<{ result: R; input: z.output<S> }> {
  if (!caller) throw new UnauthenticatedError();
  const parsed = def.input.safeParse(raw);
  if (!parsed.success) {
    throw new ValidationError("Please correct the highlighted fields.", fieldErrorsOf(parsed.error));
  }
  const input = parsed.data;
  const db = await getDb();
  let scope: Scope | null = null;
  if ("permission" in def) {
    scope = await def.scope(db, input);
    if (!can(caller.principal, def.permission, scope)) {
      const readPermission = READ_PERMISSION[scope.kind];
      const canSee = readPermission === null || can(caller.principal, readPermission, scope);
      await recordAuditEvent(db, {
        actorId: caller.actor.userId,
        actorLabel: caller.actor.label,
        action: def.name,
        targetType: scope.kind,
        targetId: scope.kind === "team" ? scope.teamId : scope.kind === "org" ? scope.orgId : null,
        orgId: scope.kind === "platform" ? null : scope.orgId,
        teamId: scope.kind === "team" ? scope.teamId : null,
        outcome: "denied",
        detail: { permission: def.permission },
      });
      throw canSee ? new ForbiddenError() : new NotFoundError();
    }
  }
  const result = await def.run({ db, input, scope, ...caller });
  return { result, input };
}

/** Turns a definition into a server action for `useActionState(action, IDLE)` or a direct call. */
export function defineAction<S extends z.ZodType, R>(def: ActionDefinition<S, R>) {
  return async function action(_previous: unknown, payload: FormData | z.input<S>): Promise<ActionResult<R>> {
    const raw = payload instanceof FormData ? formDataToObject(payload) : payload;
    let outcome: { result: R; input: z.output<S> };
    try {
      const current = await getCurrentUser();
      const caller = current && { principal: current.principal, actor: { userId: current.user.id, label: current.user.email } };
      outcome = await executeAction(def, caller, raw);
    } catch (error) {
      return { ok: false, error: toUserError(error) };
    }
    revalidatePath("/", "layout");
    if (def.redirectTo) redirect(def.redirectTo(outcome.result, outcome.input));
    return { ok: true, data: outcome.result };
  };
}
