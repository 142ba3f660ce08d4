"use server";
// The server action a terminal page calls before opening `/ws/terminal`: parse → authorize
// `terminals:open` on the team that owns the workload (resolved from the database) → issue a
// single-use ticket. The websocket URL is `/ws/terminal?ticket=<ticket>`.
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { loadTerminalTarget, targetScope, TERMINAL_MODES } from "@/lib/console/targets";
import { issueTerminalTicket } from "@/lib/console/gateway/tickets";

/** `{ workloadId, mode }` → `{ ticket, expiresAt, target }`; the ticket is good once, for 30 s. */
export const openTerminalTicketAction = defineAction({
  name: "terminal.ticket",
  input: z.object({
    workloadId: z.uuid({ error: "No such pod." }),
    mode: z.enum(TERMINAL_MODES.filter((m) => m !== "tunnel") as ["exec", "ssh", "serial"], { error: "Choose exec, ssh or serial." }),
  }),
  permission: "terminals:open",
  scope: async (db, input) => targetScope(await loadTerminalTarget(db, input.workloadId)),
  run: ({ db, principal, input }) => issueTerminalTicket(db, principal, input),
});
