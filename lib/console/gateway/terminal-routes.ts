// The terminal endpoints of the websocket gateway:
// - `/ws/terminal?ticket=…&cols=…&rows=…` — browsers (Origin + session), admitted by a
//   single-use ticket from `openTerminalTicketAction` (pods) or `openVmConsoleTicketAction` (VMs:
//   serial, VNC, ssh; `takeOver=1`, `preserveSession=1`); protocol in lib/console/protocol.ts.
// - `/ws/tunnel?target=…` — the laptop ssh ProxyCommand (personal API token), a raw byte pipe
//   to port 22 of a pod or VM. `target` is a workload id or `<org-slug>/<team-slug>/<name>`.
//   Refusals (bad token, unknown or foreign pod, pod not running) are HTTP errors whose
//   one-line reason is in `x-minicloud-error`, which the helper prints on stderr.
import { hostname } from "node:os";
import { deny } from "@/lib/access/deny";
import type { Admission, RouteContext, WebSocketEndpoint } from "@/lib/console/gateway/gateway";
import { openExecBridge } from "@/lib/console/bridges/pod/exec-bridge";
import { openSerialBridge, openVncBridge } from "@/lib/console/bridges/vm/console-bridge";
import { clampSize } from "@/lib/console/protocol";
import { openSshBridge } from "@/lib/console/bridges/ssh/ssh-bridge";
import type { LocatedTarget } from "@/lib/console/bridges/bridge";
import { locateTarget } from "@/lib/console/bridges/locator";
import {
  findTerminalTargetByName,
  loadTerminalTarget,
  mayOpenTerminal,
  supportsMode,
  targetScope,
  type TerminalMode,
  type TerminalTarget,
} from "@/lib/console/targets";
import { runTerminalSession, type TerminalServiceOptions } from "@/lib/console/session/terminal-session";
import { consumeTerminalTicket } from "@/lib/console/gateway/tickets";
import { openTunnelBridge } from "@/lib/console/bridges/ssh/tunnel-bridge";
import { AppError, ForbiddenError, NotFoundError } from "@/lib/errors";
import { getClusterConnection } from "@/lib/kube/clients";
import { isUuid } from "@/lib/db/ids";
import { codePointOf } from "@/lib/characters";

/** The bridges this build ships, by mode. */
export const DEFAULT_OPENERS: TerminalServiceOptions["openers"] = { exec: openExecBridge, ssh: openSshBridge, tunnel: openTunnelBridge, serial: openSerialBridge, vnc: openVncBridge };

/** Defaults for a replica: 25 s keepalive (under the usual 60 s proxy idle cut), this host's name. */
export function terminalServiceDefaults(): Pick<TerminalServiceOptions, "keepaliveMs" | "hostId" | "openers"> {
  return { keepaliveMs: 25_000, hostId: hostname(), openers: DEFAULT_OPENERS };
}

function sizeFrom(url: URL) {
  return clampSize(Number(url.searchParams.get("cols") ?? 80), Number(url.searchParams.get("rows") ?? 24));
}

/** `/ws/terminal`: the browser terminal. */
export function terminalEndpoint(opts: TerminalServiceOptions): WebSocketEndpoint<{ target: TerminalTarget; mode: TerminalMode }> {
  const log = opts.log ?? (() => {});
  return {
    auth: "session",
    async admit({ url, principal, userId }) {
      const consumed = await consumeTerminalTicket(opts.db, principal, url.searchParams.get("ticket") ?? "");
      if (!consumed.ok) {
        // The exact reason stays in the log; the client learns only that this ticket is no good.
        log(`terminal ticket refused for user ${userId}: ${consumed.reason}`);
        return { ok: false, status: 403, reason: "The terminal ticket is invalid, expired or already used." };
      }
      return { ok: true, state: { target: consumed.target, mode: consumed.mode } };
    },
    open(socket, { principal, userId, url, admitted }) {
      const flag = (name: string) => url.searchParams.get(name) === "1";
      void runTerminalSession(
        socket,
        {
          principal,
          userId,
          target: admitted.target,
          mode: admitted.mode,
          size: sizeFrom(url),
          // VNC is RFB bytes for noVNC: no control frames in the stream.
          raw: admitted.mode === "vnc",
          takeOver: flag("takeOver"),
          preserveSession: flag("preserveSession"),
        },
        opts,
      );
    },
  };
}

// A refused target as the reason header shows it: printable ASCII as typed, anything else by
// code point in brackets (the header is ASCII only, and an invisible character must not vanish), cut short.
function shownTarget(named: string): string {
  const chars = [...named];
  const shown = chars.slice(0, 80).map((c) => (/^[\x21-\x7e]$/.test(c) ? c : `<${codePointOf(c)}>`)).join("");
  return chars.length > 80 ? `${shown}...` : shown;
}

async function resolveTunnelTarget(opts: TerminalServiceOptions, ctx: RouteContext): Promise<Admission<{ target: TerminalTarget; located: LocatedTarget }>> {
  const { db } = opts;
  const named: string = ctx.url.searchParams.get("target")?.trim() ?? "";
  if (!named) return { ok: false, status: 400, reason: "No target: pass ?target=<workload id> or <org>/<team>/<pod>." };
  let target: TerminalTarget;
  try {
    if (isUuid(named as unknown)) target = await loadTerminalTarget(db, named);
    else {
      const parts = named.split("/");
      if (parts.length !== 3 || parts.some((p) => !p)) throw new NotFoundError();
      target = await findTerminalTargetByName(db, parts[0]!, parts[1]!, parts[2]!);
    }
  } catch (error) {
    if (error instanceof NotFoundError) return { ok: false, status: 404, reason: `No such pod: ${shownTarget(named)}.` };
    throw error;
  }
  if (!mayOpenTerminal(ctx.principal, target)) {
    const denial = await deny(db, { principal: ctx.principal }, {
      action: "terminal.tunnel",
      permission: "terminals:open",
      scope: targetScope(target),
      target: { type: "workload", id: target.workloadId, label: target.label },
    });
    // Someone outside the team learns nothing about the pod, not even that it exists.
    return denial instanceof ForbiddenError
      ? { ok: false, status: 403, reason: `You may not open terminals on ${target.label}.` }
      : { ok: false, status: 404, reason: `No such pod: ${shownTarget(named)}.` };
  }
  if (!supportsMode(target, "tunnel")) return { ok: false, status: 400, reason: `The pod ${target.label} does not accept ssh tunnels.` };
  try {
    const connection = await getClusterConnection(db, target.clusterId);
    const located = await locateTarget({ db, target, cluster: connection, kc: connection.forTeam(target.teamId) });
    return { ok: true, state: { target, located } };
  } catch (error) {
    if (error instanceof NotFoundError) return { ok: false, status: 404, reason: `The pod ${target.label} does not exist in the cluster (deleted?).` };
    if (error instanceof AppError) return { ok: false, status: 503, reason: error.message };
    throw error;
  }
}

/** `/ws/tunnel`: the laptop ssh tunnel. */
export function tunnelEndpoint(opts: TerminalServiceOptions): WebSocketEndpoint<{ target: TerminalTarget; located: LocatedTarget }> {
  return {
    auth: "token",
    admit: (ctx) => resolveTunnelTarget(opts, ctx),
    open(socket, { principal, userId, admitted }) {
      void runTerminalSession(socket, { principal, userId, target: admitted.target, mode: "tunnel", located: admitted.located, size: clampSize(80, 24), raw: true }, opts);
    },
  };
}

/** Both endpoints, keyed by path, for the gateway's `routes`. */
export function terminalRoutes(opts: TerminalServiceOptions) {
  return { "/ws/terminal": terminalEndpoint(opts), "/ws/tunnel": tunnelEndpoint(opts) };
}
