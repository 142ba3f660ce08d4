// The browser ↔ panel terminal wire protocol on `/ws/terminal`.
//
// 1. The page calls the server action `openTerminalTicketAction({ workloadId, mode })`
//    (mode: "exec" | "ssh" | "serial") and gets `{ ticket, expiresAt, target }`.
// 2. Within 30 s it opens `wss://<panel>/ws/terminal?ticket=<ticket>&cols=<n>&rows=<n>`
//    (cols/rows optional: the terminal's initial size, default 80×24). A VM console (serial, VNC)
//    takes `takeOver=1` to take it from whoever holds it (otherwise a `busy` message answers), and
//    VNC `preserveSession=1` ("shared": never disconnect a viewer the panel does not know of).
//    VNC is a raw RFB byte stream (for noVNC): no control frames; `busy` and the end come in the
//    close frame's reason as `<reason>: <text>` (busy: `busy: {"user":…,"since":…,"you":…}`). A refused upgrade is an
//    HTTP error (401 no session, 403 wrong Origin or bad/expired/used ticket, 503 target not
//    reachable) with the reason in the `x-minicloud-error` header — browsers only see a
//    failed connection, so the page should fetch a fresh ticket once and then report failure.
// 3. Frames:
//    - binary, browser → panel: keystrokes / pasted bytes, sent to the target as they are.
//    - binary, panel → browser: terminal output (UTF-8 bytes that may split a character;
//      feed them to xterm.js `write(Uint8Array)`, which copes).
//    - text, both ways: one JSON object per frame, the control messages below.
//    The panel also sends websocket pings every 25 s (browsers answer by themselves) so idle
//    terminals survive proxies; `{type:"ping"}` is for pages that want a round trip of their own.
// 4. The session ends with an `exit` message, then a close frame (code 1000, or 1011 on an
//    internal error). `exit.reason` says why; `exit.message` is a sentence to show the user
//    (it is also written into the terminal output before the exit message).
import { z } from "zod";

/** Why a session ended (also stored on the session row and in the audit row). */
export const END_REASONS = ["client-closed", "exited", "idle-timeout", "pod-gone", "vm-gone", "taken-over", "ended-by-admin", "error", "server-shutdown", "panel-restarted", "replica-gone"] as const;
export type EndReason = (typeof END_REASONS)[number];

/** Terminal size in character cells. */
export interface TerminalSize {
  cols: number;
  rows: number;
}

/** Clamps a requested size to what a PTY can sensibly be. */
export function clampSize(cols: number, rows: number): TerminalSize {
  const clamp = (v: number, max: number, fallback: number) => (Number.isInteger(v) && v > 0 ? Math.min(v, max) : fallback);
  return { cols: clamp(cols, 1000, 80), rows: clamp(rows, 500, 24) };
}

const dimension = z.number().int().min(1).max(10_000);

/** Control messages the browser sends (text frames). */
export const clientMessageSchema = z.discriminatedUnion("type", [
  /** The terminal was resized (xterm.js `onResize`). */
  z.object({ type: z.literal("resize"), cols: dimension, rows: dimension }),
  /** Asks for a `pong`. */
  z.object({ type: z.literal("ping") }),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

/** Control messages the panel sends (text frames). */
export type ServerMessage =
  /** The bridge is up; output follows. `recording` tells the page to show that the session is recorded. */
  | { type: "ready"; sessionId: string; mode: "exec" | "ssh" | "serial" | "vnc"; target: string; recording: boolean; idleTimeoutSeconds: number }
  /**
   * A console (serial, VNC) is held by someone else: nothing was opened. `holder.you` means the
   * viewer's own other window. Open again with `takeOver=1` to take it; a close frame follows.
   */
  | { type: "busy"; holder: { user: string; since: string; you: boolean } }
  /** Something the user should know that is not terminal output (e.g. a pinned ssh host key). */
  | { type: "notice"; message: string }
  | { type: "pong" }
  /** The session is over; a close frame follows. */
  | { type: "exit"; reason: EndReason; message: string; exitCode?: number };

/** Parses a text frame from the browser; null for anything malformed (ignored, never fatal). */
export function parseClientMessage(text: string): ClientMessage | null {
  try {
    const parsed = clientMessageSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The sentence shown to the user for each way a session can end. */
export function endMessage(reason: EndReason, detail?: string): string {
  switch (reason) {
    case "client-closed":
      return "The terminal was closed.";
    case "exited":
      return detail ?? "The shell exited.";
    case "idle-timeout":
      return detail ?? "The session was idle for too long and has been closed.";
    case "pod-gone":
      return detail ?? "The pod went away; the session has ended.";
    case "vm-gone":
      return detail ?? "The VM stopped; the console has ended.";
    case "taken-over":
      return detail ?? "Someone else took over this console.";
    case "ended-by-admin":
      return "An administrator ended this session.";
    case "server-shutdown":
      return "The panel is restarting; reconnect in a moment.";
    case "panel-restarted":
      // Never shown in a terminal: written on the rows of sessions whose panel process died.
      return "The panel stopped without ending this session; it was marked ended when the panel started again.";
    case "replica-gone":
      // Never shown in a terminal either: an admin closed the row of a session whose panel server went quiet.
      return "The panel server holding this session stopped answering; an administrator closed its record.";
    case "error":
      return detail ?? "The connection to the target failed.";
  }
}
