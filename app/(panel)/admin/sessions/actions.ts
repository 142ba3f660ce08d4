"use server";
// Admin actions on terminal sessions (the open-sessions lists use them): end a session, and
// turn an organization's recording on or off. Both authorize and audit inside their services
// against the session's or organization's admins, so the action only needs a signed-in caller.
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { endOpenSession } from "@/lib/console/session/session-admin";
import { setTerminalRecording } from "@/lib/console/session/session-store";

/** `{ sessionId }`: ends an open session on whichever replica holds it (platform admins, the session org's owners and admins). */
export const endTerminalSessionAction = defineAction({
  name: "terminal.end",
  input: z.object({ sessionId: z.uuid({ error: "No such live session." }) }),
  signedIn: true,
  run: ({ db, principal, actor, input }) => endOpenSession(db, principal, actor, input.sessionId),
});

/** `{ orgId, enabled }`: records (or stops recording) the org's terminal output from the next session on. */
export const setTerminalRecordingAction = defineAction({
  name: "org.terminal-recording",
  input: z.object({ orgId: z.uuid({ error: "No such organization." }), enabled: z.preprocess((v) => v === true || v === "true" || v === "on", z.boolean()) }),
  signedIn: true,
  run: ({ db, principal, actor, input }) => setTerminalRecording(db, principal, actor, input.orgId, input.enabled),
});
