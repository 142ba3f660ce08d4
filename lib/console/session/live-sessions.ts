// The terminal sessions running in this process. A terminal lives on the replica whose
// websocket it is, so each replica knows its own (live byte counts, how to end it); what
// admins see across replicas comes from the session rows (session-admin.ts).
import type { Principal } from "@/lib/auth/policy";
import type { TerminalMode } from "@/lib/console/targets";

/** Who may list, end and replay a session of organization `orgId`: platform admins, and the org's owners and admins. */
export function isSessionAdmin(principal: Principal, orgId: string): boolean {
  if (principal.isPlatformAdmin) return true;
  const role = principal.orgRoles[orgId];
  return role === "owner" || role === "admin";
}

/** A session running in this process. */
export interface LiveSessionView {
  id: string;
  userId: string;
  userLabel: string;
  orgId: string;
  teamId: string;
  workloadId: string;
  target: string;
  mode: TerminalMode;
  startedAt: Date;
  bytesIn: number;
  bytesOut: number;
  recording: boolean;
}

/** What a running session registers: its view and how to end it (resolves once its rows are written). */
export interface LiveSessionHandle {
  view(): LiveSessionView;
  /** `detail`: the sentence the user reads (a take-over names who took it). */
  end(reason: "ended-by-admin" | "server-shutdown" | "taken-over", detail?: string): Promise<void>;
}

const globalForSessions = globalThis as typeof globalThis & { __minicloudLiveSessions?: Map<string, LiveSessionHandle> };
const live = (globalForSessions.__minicloudLiveSessions ??= new Map());

/** Adds a session to the registry; call the returned function when it ends. */
export function registerLiveSession(id: string, handle: LiveSessionHandle): () => void {
  live.set(id, handle);
  return () => {
    if (live.get(id) === handle) live.delete(id);
  };
}

/** The session `sessionId` if it runs in this process. */
export function localSession(sessionId: string): LiveSessionHandle | undefined {
  return live.get(sessionId);
}

/** The ids of the sessions running in this process. */
export function liveSessionIds(): string[] {
  return [...live.keys()];
}

/** How many sessions are live on this replica. */
export function liveSessionCount(): number {
  return live.size;
}

/**
 * Ends every session on this replica (server shutdown), telling users to reconnect; resolves
 * once their rows are written or after `timeoutMs`, whichever comes first.
 */
export async function endAllLiveSessions(timeoutMs = 3000): Promise<void> {
  const ending = Promise.all([...live.values()].map((handle) => handle.end("server-shutdown")));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([ending, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
}
