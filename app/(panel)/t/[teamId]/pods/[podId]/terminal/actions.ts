"use server";
// The server action a terminal page calls before opening `/ws/terminal`: parse → issue a
// single-use ticket. The ticket service loads the workload, resolves the team that owns it from
// the database and authorizes `terminals:open` there (once per request, audited when refused).
// The websocket URL is `/ws/terminal?ticket=<ticket>`.
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { TERMINAL_MODES } from "@/lib/console/targets";
import { issueTerminalTicket } from "@/lib/console/gateway/tickets";

/** `{ workloadId, mode }` → `{ ticket, expiresAt, target }`; the ticket is good once, for 30 s. */
export const openTerminalTicketAction = defineAction({
  name: "terminal.ticket",
  input: z.object({
    workloadId: z.uuid({ error: "No such pod." }),
    mode: z.enum(TERMINAL_MODES.filter((m) => m !== "tunnel" && m !== "vnc") as ["exec", "ssh", "serial"], { error: "Choose exec, ssh or serial." }),
  }),
  signedIn: true,
  run: ({ db, principal, actor, input }) => issueTerminalTicket(db, principal, input, actor),
});
