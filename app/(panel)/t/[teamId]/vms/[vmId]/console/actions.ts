"use server";
// The server action a VM console page (serial, VNC) or the VM's ssh terminal calls before
// opening `/ws/terminal`: parse → issue a single-use ticket for a VM. The ticket service loads the
// workload, resolves its team from the database and authorizes `terminals:open` there (audited
// when refused); a pod's id is "not found" here.
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { issueTerminalTicket } from "@/lib/console/gateway/tickets";
import { VM_CONSOLE_MODES } from "@/lib/console/targets";

/** `{ workloadId, mode }` → `{ ticket, expiresAt, target }`; the ticket is good once, for 30 s. */
export const openVmConsoleTicketAction = defineAction({
  name: "vm.console.ticket",
  input: z.object({
    workloadId: z.uuid({ error: "No such VM." }),
    mode: z.enum(VM_CONSOLE_MODES, { error: "Choose serial, vnc or ssh." }),
  }),
  signedIn: true,
  run: ({ db, principal, actor, input }) => issueTerminalTicket(db, principal, input, actor, "vm"),
});
