// Terminal tickets. A browser cannot put an Authorization header on a websocket, and the
// session cookie alone would let any page the user has open start a terminal on anything;
// so the page first asks (through an authorized server action) for a ticket naming one
// target and one mode, then opens `/ws/terminal?ticket=…`. A ticket is random (256 bits),
// stored only as a SHA-256 hash, bound to the user, valid for 30 seconds and good once.
// Expiry is computed and checked by the database clock, so replicas need not agree on time.
import { createHash, randomBytes } from "node:crypto";
import { and, count, eq, gt, isNull, lt, sql } from "drizzle-orm";
import { authorize } from "@/lib/access/deny";
import type { Principal } from "@/lib/auth/policy";
import type { Actor } from "@/lib/audit/service";
import type { Db } from "@/lib/db/client";
import { consoleTickets } from "@/lib/db/schema";
import { NotFoundError, RateLimitedError, ValidationError } from "@/lib/errors";
import type { WorkloadKind } from "@/lib/workloads/kinds";
import { loadTerminalTarget, mayOpenTerminal, supportsMode, targetScope, type TerminalMode, type TerminalTarget } from "@/lib/console/targets";

/** How long a ticket is good for. */
export const TICKET_TTL_SECONDS = 30;

/** What the browser gets: the ticket for `/ws/terminal?ticket=…` and when it stops working. */
export interface IssuedTicket {
  ticket: string;
  expiresAt: Date;
  target: { workloadId: string; label: string; mode: TerminalMode };
}

const TICKET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

function hashTicket(ticket: string): string {
  return createHash("sha256").update(ticket, "utf8").digest("hex");
}

/** Tickets one person may be issued per minute (every tab, reconnect and laptop tunnel takes one). */
export const TICKETS_PER_MINUTE = 60;

/**
 * Authorizes `principal` for a terminal on workload `workloadId` in `mode` and issues a
 * ticket: the target is loaded and authorized once, here. Someone who may not even see the
 * team gets "not found", like everywhere else; a refusal is audited (`terminal.ticket`).
 */
export async function issueTerminalTicket(
  db: Db,
  principal: Principal,
  input: { workloadId: string; mode: TerminalMode },
  actor?: Actor,
  // A page for one kind asks for that kind: a VM console ticket for a pod's id is "not found".
  kind?: WorkloadKind,
): Promise<IssuedTicket> {
  const noun = kind === "vm" ? "VM" : "pod";
  const target = await loadTerminalTarget(db, input.workloadId).catch((error: unknown) => {
    throw error instanceof NotFoundError ? new NotFoundError(`No such ${noun}.`) : error;
  });
  await authorize(db, { principal, actor }, {
    action: "terminal.ticket",
    permission: "terminals:open",
    scope: targetScope(target),
    target: { type: "workload", id: target.workloadId, label: target.label },
    notFound: `No such ${noun}.`,
    forbidden: kind === "vm" ? "You may not open consoles on this team's VMs." : "You may not open terminals on this team's pods.",
  });
  if (kind && target.kind !== kind) throw new NotFoundError(`No such ${noun}.`);
  if (!supportsMode(target, input.mode)) throw new ValidationError(`A ${input.mode} terminal is not available for this ${target.kind}.`);
  // A person opens a few terminals a minute; a script minting tickets in a loop is stopped here.
  const [recent] = await db
    .select({ n: count() })
    .from(consoleTickets)
    .where(and(eq(consoleTickets.userId, principal.userId), gt(consoleTickets.createdAt, sql`now() - interval '1 minute'`)));
  if ((recent?.n ?? 0) >= TICKETS_PER_MINUTE) {
    throw new RateLimitedError(`You opened ${TICKETS_PER_MINUTE} terminals in the last minute; wait a moment before opening another.`);
  }
  const ticket = randomBytes(32).toString("base64url");
  const [row] = await db
    .insert(consoleTickets)
    .values({
      ticketHash: hashTicket(ticket),
      userId: principal.userId,
      workloadId: target.workloadId,
      mode: input.mode,
      expiresAt: sql`now() + make_interval(secs => ${TICKET_TTL_SECONDS})`,
    })
    .returning({ expiresAt: consoleTickets.expiresAt });
  // Housekeeping on the side: an hour after expiry a ticket is not even needed to explain a refusal.
  await db.delete(consoleTickets).where(lt(consoleTickets.expiresAt, sql`now() - interval '1 hour'`));
  return { ticket, expiresAt: row!.expiresAt, target: { workloadId: target.workloadId, label: target.label, mode: input.mode } };
}

/** Why a ticket was refused: for the server log (the client always gets one generic reason). */
export type TicketRefusal = "malformed" | "unknown" | "expired" | "used" | "other user" | "no longer authorized" | "mode not available";

export type ConsumedTicket =
  | { ok: true; target: TerminalTarget; mode: TerminalMode }
  | { ok: false; reason: TicketRefusal };

/**
 * Uses up a ticket presented by `principal` (loaded fresh for this upgrade). One atomic
 * update both checks and spends it, so two replicas racing on the same ticket cannot both
 * win. A ticket presented by another user is refused and stays unspent. Authorization is
 * checked again: a membership removed since the ticket was issued ends access now.
 */
export async function consumeTerminalTicket(db: Db, principal: Principal, ticket: string): Promise<ConsumedTicket> {
  if (!TICKET_PATTERN.test(ticket)) return { ok: false, reason: "malformed" };
  const hash = hashTicket(ticket);
  const [spent] = await db
    .update(consoleTickets)
    .set({ usedAt: sql`now()` })
    .where(
      and(
        eq(consoleTickets.ticketHash, hash),
        eq(consoleTickets.userId, principal.userId),
        isNull(consoleTickets.usedAt),
        gt(consoleTickets.expiresAt, sql`now()`),
      ),
    )
    .returning({ workloadId: consoleTickets.workloadId, mode: consoleTickets.mode });
  if (!spent) return { ok: false, reason: await whyRefused(db, hash, principal.userId) };
  let target: TerminalTarget;
  try {
    target = await loadTerminalTarget(db, spent.workloadId);
  } catch {
    return { ok: false, reason: "unknown" };
  }
  if (!mayOpenTerminal(principal, target)) return { ok: false, reason: "no longer authorized" };
  if (!supportsMode(target, spent.mode)) return { ok: false, reason: "mode not available" };
  return { ok: true, target, mode: spent.mode };
}

async function whyRefused(db: Db, hash: string, userId: string): Promise<TicketRefusal> {
  const [row] = await db
    .select({ userId: consoleTickets.userId, usedAt: consoleTickets.usedAt, live: sql<boolean>`${consoleTickets.expiresAt} > now()` })
    .from(consoleTickets)
    .where(eq(consoleTickets.ticketHash, hash));
  if (!row) return "unknown";
  if (row.userId !== userId) return "other user";
  if (row.usedAt) return "used";
  return row.live ? "unknown" : "expired";
}
