"use client";
// The team's SSH pods: name, status and reason, node, IP, age, owner and time-to-live left,
// with an All / Mine switch. Data comes from React Query (refetched, and patched live).
import { LifecycleBadge } from "@/components/pods/lifecycle-badge";
import Link from "next/link";
import { useState } from "react";
import { age, timeLeft } from "@/components/pods/durations";
import { useTeamPods } from "@/components/pods/pods-query";
import { PodStatus } from "@/components/pods/status-badge";
import { useNow } from "@/components/pods/use-now";
import type { SshPodView } from "@/lib/pods/types";

// The row's test id: the name as typed, lower-cased with dashes for spaces (lib/names' slugify,
// which the browser bundle cannot import: it pulls in node:crypto).
const rowId = (displayName: string) => `pod-row-${displayName.trim().toLowerCase().replace(/\s+/g, "-")}`;

export function PodsTable({
  teamId,
  initialPods,
  renderedAt,
  currentUserId,
  canOpenTerminals = false,
}: {
  teamId: string;
  initialPods: SshPodView[];
  renderedAt: number;
  currentUserId: string;
  /** Whether the viewer holds `terminals:open` here (the ticket action checks it again). */
  canOpenTerminals?: boolean;
}) {
  const [show, setShow] = useState<"all" | "mine">("all");
  const { data: pods, error, isFetching } = useTeamPods(teamId, initialPods, renderedAt);
  const now = useNow(renderedAt);
  const shown = show === "mine" ? pods.filter((p) => p.owner.id === currentUserId) : pods;
  return (
    <>
      <div className="toolbar" role="group" aria-label="Show pods">
        {(["all", "mine"] as const).map((value) => (
          <button key={value} type="button" className={show === value ? "primary" : undefined} aria-pressed={show === value} onClick={() => setShow(value)}>
            {value === "all" ? "All" : "Mine"}
          </button>
        ))}
        {isFetching && <span className="muted small">Refreshing…</span>}
      </div>
      {error && (
        <div className="alert error" role="alert">
          {error.message}
        </div>
      )}
      {shown.length === 0 ? (
        <p className="empty">{show === "mine" ? "You have no SSH pods in this team." : "No SSH pods in this team yet. SSH pods give you a shell in the browser within seconds."}</p>
      ) : (
        <table className="table" aria-label="SSH pods">
          <thead>
            <tr>
              <th>Name</th>
              <th>Status</th>
              <th>Node</th>
              <th>IP</th>
              <th>Age</th>
              <th>Owner</th>
              <th>TTL left</th>
              {canOpenTerminals && <th aria-label="Actions" />}
            </tr>
          </thead>
          <tbody>
            {shown.map((pod) => (
              <tr key={pod.id} data-testid={rowId(pod.displayName)} data-pod-name={pod.name}>
                <td>
                  <Link href={`/t/${teamId}/pods/${pod.id}`}>{pod.displayName}</Link>
                  <div className="muted small mono">
                    {pod.name} · {pod.clusterName}
                  </div>
                </td>
                <td>
                  <PodStatus runtime={pod.runtime} /> <LifecycleBadge lifecycle={pod.lifecycle} />
                </td>
                <td className="mono">{pod.runtime.node ?? "—"}</td>
                <td className="mono">{pod.runtime.ip ?? "—"}</td>
                <td className="nowrap" title={pod.createdAt}>
                  {age(pod.createdAt, now)}
                </td>
                <td title={pod.owner.email}>{pod.owner.name}</td>
                <td className="nowrap" title={pod.expiresAt ?? "No time-to-live"}>
                  {timeLeft(pod.expiresAt, now)}
                </td>
                {canOpenTerminals && (
                  <td className="actions">
                    {pod.runtime.status === "Running" ? (
                      <Link href={`/t/${teamId}/pods/${pod.id}/terminal`} aria-label={`Open a terminal on ${pod.displayName}`}>
                        Terminal
                      </Link>
                    ) : (
                      <span className="muted small" title="A terminal opens once the pod is Running.">
                        not running
                      </span>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
