"use client";
// The team's SSH pods: name, status and reason, node, IP, age, owner and time-to-live left,
// with an All / Mine switch. Data comes from React Query (refetched, and patched live).
import { LifecycleBadge } from "@/components/workloads/lifecycle-badge";
import { TeamWorkloadList } from "@/components/workloads/team-workload-list";
import Link from "next/link";
import { age, timeLeft } from "@/components/pods/durations";
import { useTeamPods } from "@/components/pods/pods-query";
import { PodStatus } from "@/components/pods/status-badge";
import { useNow } from "@/components/pods/use-now";
import { DataTable } from "@/components/ui/data-table";
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
  const { data: pods, error, isFetching } = useTeamPods(teamId, initialPods, renderedAt);
  const now = useNow(renderedAt);
  return (
    <TeamWorkloadList
      label="pods"
      rows={pods}
      currentUserId={currentUserId}
      error={error}
      isFetching={isFetching}
      emptyAll="No SSH pods in this team yet. SSH pods give you a shell in the browser within seconds."
      emptyMine="You have no SSH pods in this team."
    >
      {(shown) => (
        <DataTable
          label="SSH pods"
          rows={shown}
          rowKey={(pod) => pod.id}
          rowAttributes={(pod) => ({ "data-testid": rowId(pod.displayName), "data-pod-name": pod.name })}
          columns={[
            {
              text: "Name",
              cell: (pod) => (
                <>
                  <Link href={`/t/${teamId}/pods/${pod.id}`}>{pod.displayName}</Link>
                  <div className="muted small mono">
                    {pod.name} · {pod.clusterName}
                  </div>
                </>
              ),
            },
            {
              text: "Status",
              cell: (pod) => (
                <>
                  <PodStatus runtime={pod.runtime} /> <LifecycleBadge lifecycle={pod.lifecycle} />
                </>
              ),
            },
            { text: "Node", className: "mono", cell: (pod) => pod.runtime.node ?? "—" },
            { text: "IP", className: "mono", cell: (pod) => pod.runtime.ip ?? "—" },
            { text: "Age", className: "nowrap", title: (pod) => pod.createdAt, cell: (pod) => age(pod.createdAt, now) },
            { text: "Owner", title: (pod) => pod.owner.email, cell: (pod) => pod.owner.name },
            { text: "TTL left", className: "nowrap", title: (pod) => pod.expiresAt ?? "No time-to-live", cell: (pod) => timeLeft(pod.expiresAt, now) },
            canOpenTerminals && {
              label: "Actions",
              className: "actions",
              cell: (pod) =>
                pod.runtime.status === "Running" ? (
                  <Link href={`/t/${teamId}/pods/${pod.id}/terminal`} aria-label={`Open a terminal on ${pod.displayName}`}>
                    Terminal
                  </Link>
                ) : (
                  <span className="muted small" title="A terminal opens once the pod is Running.">
                    not running
                  </span>
                ),
            },
          ]}
        />
      )}
    </TeamWorkloadList>
  );
}
