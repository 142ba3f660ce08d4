"use server";
// Admin actions on terminal sessions (the live-sessions list and the audit page use them):
// end a live session, and turn an organization's recording on or off. Both authorize inside
// their services against the session's or organization's admins, so the action only needs a
// signed-in caller; ending is audited with who did it (the session's own row says how it ended).
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { auditSuccess } from "@/lib/audit/service";
import { endLiveSession } from "@/lib/console/live-sessions";
import { setTerminalRecording } from "@/lib/console/session-store";

/** `{ sessionId }`: ends a live session on this replica (platform admins, the session org's owners and admins). */
export const endTerminalSessionAction = defineAction({
  name: "terminal.end",
  input: z.object({ sessionId: z.uuid({ error: "No such live session." }) }),
  signedIn: true,
  run: async ({ db, principal, actor, input }) => {
    const ended = endLiveSession(principal, input.sessionId);
    await auditSuccess(db, actor, {
      action: "terminal.end",
      targetType: "workload",
      targetId: ended.workloadId,
      targetLabel: ended.target,
      orgId: ended.orgId,
      teamId: ended.teamId,
      detail: { sessionId: ended.id, user: ended.userLabel, mode: ended.mode },
    });
    return { sessionId: ended.id };
  },
});

/** `{ orgId, enabled }`: records (or stops recording) the org's terminal output from the next session on. */
export const setTerminalRecordingAction = defineAction({
  name: "org.terminal-recording",
  input: z.object({ orgId: z.uuid({ error: "No such organization." }), enabled: z.preprocess((v) => v === true || v === "true" || v === "on", z.boolean()) }),
  signedIn: true,
  run: ({ db, principal, actor, input }) => setTerminalRecording(db, principal, actor, input.orgId, input.enabled),
});
