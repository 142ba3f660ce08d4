// The one path every mutation takes: parse the input (zod) → resolve the resource's owning
// org/team from the database → check the permission → run the service → revalidate.
// Server actions (forms) and route handlers (REST with personal tokens) share it.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import type { z } from "zod";
import { authorize, scopeTarget, type Caller } from "@/lib/access/deny";
import type { Permission, Scope } from "@/lib/auth/policy";
import { getCurrentUser } from "@/lib/auth/session";
import { recordAuditEvent, wasAudited } from "@/lib/audit/service";
import { getDb, type Db } from "@/lib/db";
import { AppError, UnauthenticatedError, toUserError, type UserError } from "@/lib/errors";
import { metrics, secondsSince } from "@/lib/observe/metrics";
import { parseInput } from "@/lib/parse-input";

/** What a server action returns to its form. */
export type ActionResult<T> = { ok: true; data: T } | { ok: false; error: UserError };

export type { Caller };

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
  /** Where the browser goes after success; undefined stays on the page (its form's onSuccess takes over). Server actions only. */
  redirectTo?: (result: R, input: z.output<S>) => string | undefined;
} & Authorization<z.output<S>>;

function formDataToObject(data: FormData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of data.entries()) {
    if (!key.startsWith("$ACTION")) out[key] = value; // skip React's own hidden fields
  }
  return out;
}

/** Runs an action for a known caller; throws AppErrors. Used by route handlers and by `defineAction`. */
export async function executeAction<S extends z.ZodType, R>(
  def: ActionDefinition<S, R>,
  caller: Caller | null,
  raw: unknown,
  db: Db,
): Promise<{ result: R; input: z.output<S> }> {
  const started = process.hrtime.bigint();
  let outcome = "error";
  try {
    const done = await runAction(def, caller, raw, db);
    outcome = "ok";
    return done;
  } catch (error) {
    if (error instanceof AppError) outcome = "refused";
    throw error;
  } finally {
    metrics().serverActionDuration.observe({ action: def.name, outcome }, secondsSince(started));
  }
}

/** The action itself: parse, authorize, run; an unexpected failure leaves an audit row. */
async function runAction<S extends z.ZodType, R>(
  def: ActionDefinition<S, R>,
  caller: Caller | null,
  raw: unknown,
  db: Db,
): Promise<{ result: R; input: z.output<S> }> {
  if (!caller) throw new UnauthenticatedError();
  const input = parseInput(def.input, raw);
  let scope: Scope | null = null;
  if ("permission" in def) {
    scope = await def.scope(db, input);
    await authorize(db, caller, { action: def.name, permission: def.permission, scope });
  }
  try {
    const result = await def.run({ db, input, scope, ...caller });
    return { result, input };
  } catch (error) {
    // Expected refusals change nothing and need no row; anything else is recorded as failed,
    // once (a service may have recorded it already, with more about the target).
    if (!(error instanceof AppError) && !wasAudited(error)) {
      await recordAuditEvent(db, {
        actorId: caller.actor.userId,
        actorLabel: caller.actor.label,
        action: def.name,
        ...scopeTarget(scope),
        outcome: "error",
        detail: { error: "unexpected error (details in the server log)" },
      }).catch(() => {});
    }
    throw error;
  }
}

/**
 * Turns a definition into a server action for `useActionState(action, null)` or a direct call.
 * The definition stays reachable as `.definition` for route handlers and tests.
 */
export function defineAction<S extends z.ZodType, R>(def: ActionDefinition<S, R>) {
  const action = async function action(_previous: unknown, payload: FormData | z.input<S>): Promise<ActionResult<R>> {
    const raw = payload instanceof FormData ? formDataToObject(payload) : payload;
    let outcome: { result: R; input: z.output<S> };
    try {
      const current = await getCurrentUser();
      const caller = current && { principal: current.principal, actor: { userId: current.user.id, label: current.user.email } };
      outcome = await executeAction(def, caller, raw, await getDb());
    } catch (error) {
      return { ok: false, error: toUserError(error) };
    }
    revalidatePath("/", "layout");
    const to = def.redirectTo?.(outcome.result, outcome.input);
    if (to) redirect(to);
    return { ok: true, data: outcome.result };
  };
  return Object.assign(action, { definition: def });
}
