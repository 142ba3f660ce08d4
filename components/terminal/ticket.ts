// The server action a terminal asks for its tickets (app/(panel)/t/[teamId]/pods/[podId]/terminal/actions.ts), as the
// pages hand it to client components, and how its answer becomes a TicketOutcome.
import type { TicketOutcome } from "@/components/terminal/terminal-connection";
import type { ActionResult } from "@/lib/actions/define-action";

/** How a terminal reaches its workload. */
export type LiveTerminalMode = "exec" | "ssh" | "serial";

/**
 * `openTerminalTicketAction` (pods) or `openVmConsoleTicketAction` (VMs), passed down from a server
 * component. Each takes its own modes; the page passes one that the action accepts.
 */
export type TicketAction = (previous: unknown, payload: { workloadId: string; mode: never }) => Promise<ActionResult<{ ticket: string }>>;

// Not found, forbidden or signed out will not change by asking again; anything else might.
const FINAL_CODES = new Set(["not_found", "forbidden", "unauthenticated", "invalid"]);

/** Asks `action` for a ticket; throws (retry later) when the panel cannot be reached. */
export async function requestTicket(action: TicketAction, workloadId: string, mode: LiveTerminalMode | "vnc"): Promise<TicketOutcome> {
  const result = await action(null, { workloadId, mode: mode as never });
  if (result.ok) return { ok: true, ticket: result.data.ticket };
  return { ok: false, message: result.error.message, final: FINAL_CODES.has(result.error.code) };
}
