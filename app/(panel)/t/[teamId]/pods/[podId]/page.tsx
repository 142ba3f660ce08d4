import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PodLogs } from "@/components/pods/pod-logs";
import { LifecycleNote } from "@/components/workloads/lifecycle-badge";
import { LivePodStatus } from "@/components/pods/live-pod-status";
import { CopyButton } from "@/components/profile/copy-button";
import { ConfirmAction } from "@/components/ui/confirm-action";
import { ConfirmDelete } from "@/components/ui/confirm-delete";
import { Time } from "@/components/ui/time";
import { loadTeamForPage } from "@/lib/access/page-access";
import { mayForgetHostKey } from "@/lib/console/bridges/ssh/host-key-pins";
import { hostKeyPin } from "@/lib/console/bridges/ssh/host-keys";
import { AppError, NotFoundError } from "@/lib/errors";
import { getSshPod, readSshPodLogs } from "@/lib/pods/queries";
import { sshCommand } from "@/lib/pods/ssh-command";
import type { SshPodLogs } from "@/lib/pods/types";
import { deleteSshPodAction, forgetSshPodHostKeyAction, resetSshPodAction } from "../actions";
import { DataTable } from "@/components/ui/data-table";

export const metadata: Metadata = { title: "SSH pod" };

const cores = (m: number) => `${m / 1000} ${m === 1000 ? "core" : "cores"}`;
const mib = (m: number) => (m >= 1024 ? `${m / 1024} GiB` : `${m} MiB`);

// One SSH pod: status, how to connect, its pinned SSH host key, conditions, events and the sshd
// log; reset and delete; org admins may forget the host key. A pod of another team is not
// found (the read is scoped by the team the viewer may see).
export default async function PodPage({ params }: { params: Promise<{ teamId: string; podId: string }> }) {
  const { teamId, podId } = await params;
  const { db, team, scope, allowed, principal } = await loadTeamForPage(teamId);
  const pod = await getSshPod(db, team.id, podId).catch((e: unknown) => {
    if (e instanceof NotFoundError) notFound();
    throw e;
  });
  let logs: SshPodLogs | null = null;
  let logsError: string | null = null;
  try {
    logs = await readSshPodLogs(db, team.id, pod.id);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    logsError = error.message;
  }
  const pin = await hostKeyPin(db, pod.id);
  const command = sshCommand({ name: pod.name, teamSlug: team.slug, orgSlug: team.orgSlug });
  return (
    <>
      <div className="page-head">
        <h1>{pod.displayName}</h1>
        <div className="toolbar">
          {allowed("terminals:open") &&
            (pod.runtime.status === "Running" ? (
              <Link className="button primary" href={`/t/${team.id}/pods/${pod.id}/terminal`}>
                Open terminal
              </Link>
            ) : (
              <span className="muted small">A terminal opens once the pod is Running.</span>
            ))}
          <Link href={`/t/${team.id}/pods`}>Back to SSH pods</Link>
        </div>
      </div>
      {pod.clusterError && (
        <div className="alert error" role="alert">
          {pod.clusterError}
        </div>
      )}

      <LifecycleNote lifecycle={pod.lifecycle} />

      <section className="card">
        <dl className="facts">
          <dt>Status</dt>
          <dd>
            <LivePodStatus teamId={team.id} podId={pod.id} initial={pod.runtime} />
          </dd>
          <dt>Pod</dt>
          <dd className="mono">{pod.runtime.podName ?? "—"}</dd>
          <dt>Node / IP</dt>
          <dd className="mono">
            {pod.runtime.node ?? "—"} / {pod.runtime.ip ?? "—"}
          </dd>
          <dt>Address in the cluster</dt>
          <dd className="mono">{pod.service ? `${pod.service.name}.${pod.namespace}.svc:22 (${pod.service.clusterIP ?? "no cluster IP"})` : "The Service is missing."}</dd>
          <dt>Cluster / namespace</dt>
          <dd>
            {pod.clusterName} / <span className="mono">{pod.namespace}</span>
          </dd>
          <dt>Image</dt>
          <dd className="mono">{pod.image}</dd>
          <dt>Size</dt>
          <dd>
            {cores(pod.cpuMillicores)}, {mib(pod.memoryMib)}
          </dd>
          <dt>Home</dt>
          <dd>{pod.pvc ? `${pod.homeGib} GiB volume ${pod.pvc.name} (${pod.pvc.phase ?? "unknown"}), kept on reset` : "Inside the pod (lost on reset)"}</dd>
          <dt>Owner</dt>
          <dd>
            {pod.owner.name} ({pod.owner.email}), login <span className="mono">{pod.loginName}</span>
          </dd>
          <dt>Created</dt>
          <dd>
            <Time value={new Date(pod.createdAt)} />
          </dd>
          <dt>Expires</dt>
          <dd>{pod.expiresAt ? <Time value={new Date(pod.expiresAt)} /> : "Never (no time-to-live)"}</dd>
        </dl>
      </section>

      <section className="card" aria-labelledby="ssh-title">
        <h2 id="ssh-title">Connect with ssh</h2>
        <div className="command">
          <code data-testid="ssh-command">{command}</code>
          <CopyButton text={command} label="Copy command" />
        </div>
        <p className="muted small">
          The command uses the panel&apos;s ssh configuration, which tunnels through the panel so your laptop needs no route to the cluster:{" "}
          <a href="/api/ssh-config" download>
            download your ssh_config
          </a>{" "}
          (it needs a personal API token from your profile and the small <a href="/api/ssh-config/helper">ProxyCommand helper</a>). Only your SSH keys from your
          profile are accepted.
        </p>
      </section>

      <section className="card" aria-labelledby="host-key-title">
        <h2 id="host-key-title">SSH host key</h2>
        {pin ? (
          <p>
            The panel&apos;s ssh terminal pinned this pod&apos;s host key when it first connected (<Time value={pin.firstSeenAt} />):{" "}
            <code data-testid="host-key-fingerprint">{pin.fingerprint}</code> ({pin.keyType}). A connection presenting another key is refused.
          </p>
        ) : (
          <p className="muted">
            No key pinned yet: the panel&apos;s ssh terminal pins the key the pod presents on its next connection.
          </p>
        )}
        {!pod.pvc && <p className="muted small">This pod has no home volume, so a reset gives it new host keys.</p>}
        {pin && mayForgetHostKey(principal, scope.orgId) && (
          <div className="toolbar">
            <ConfirmAction
              action={forgetSshPodHostKeyAction}
              fields={{ workloadId: pod.id }}
              buttonLabel="Forget host key"
              title={`Forget the SSH host key of “${pod.displayName}”?`}
              confirmLabel="Forget host key"
            >
              <p>
                The pinned key <code>{pin.fingerprint}</code> is removed. The next ssh connection will trust whatever key the pod presents then, and pin that one
                instead. Forget it only once you know why the key changed; otherwise the new key may belong to an sshd that is not the pod&apos;s.
              </p>
            </ConfirmAction>
          </div>
        )}
      </section>

      <section className="card" aria-labelledby="conditions-title">
        <h2 id="conditions-title">Conditions</h2>
        {pod.conditions.length === 0 ? (
          <p className="muted">No conditions reported yet.</p>
        ) : (
          <DataTable
            rows={pod.conditions}
            rowKey={(c) => c.type}
            columns={[
              { text: "Type", cell: (c) => c.type },
              { text: "Status", cell: (c) => c.status },
              { text: "Reason", className: "detail", cell: (c) => [c.reason, c.message].filter(Boolean).join(": ") || "—" },
              { text: "Since", cell: (c) => <Time value={c.lastTransitionTime ? new Date(c.lastTransitionTime) : null} /> },
            ]}
          />
        )}
      </section>

      <section className="card" aria-labelledby="events-title">
        <h2 id="events-title">Events</h2>
        {pod.events.length === 0 ? (
          <p className="muted">No events (Kubernetes keeps them for about an hour).</p>
        ) : (
          <DataTable
            rows={pod.events}
            rowKey={(e, i) => `${e.object}-${e.reason}-${i}`}
            columns={[
              { text: "Type", cell: (e) => (e.type === "Warning" ? <span className="badge warn">Warning</span> : e.type) },
              { text: "Reason", cell: (e) => e.reason },
              { text: "Object", className: "mono small", cell: (e) => e.object },
              {
                text: "Message",
                className: "detail",
                cell: (e) => (
                  <>
                    {e.message}
                    {e.count > 1 ? ` (×${e.count})` : ""}
                  </>
                ),
              },
              { text: "Last seen", cell: (e) => <Time value={e.lastSeen ? new Date(e.lastSeen) : null} /> },
            ]}
          />
        )}
      </section>

      <PodLogs teamId={team.id} podId={pod.id} initial={logs} initialError={logsError} />

      {(allowed("workloads:operate") || allowed("workloads:delete")) && (
        <section className="card danger-zone" aria-labelledby="manage-title">
          <h2 id="manage-title">Reset or delete</h2>
          <p>
            Reset replaces the pod with a fresh one from the same image{pod.pvc ? "; the home volume is kept" : "; everything in the pod is lost"}. Delete removes the pod,
            its address, keys{pod.pvc ? " and home volume" : ""}.
          </p>
          <div className="toolbar">
            {allowed("workloads:operate") && (
              <ConfirmAction action={resetSshPodAction} fields={{ workloadId: pod.id }} buttonLabel="Reset" title={`Reset SSH pod “${pod.displayName}”?`} confirmLabel="Reset pod">
                <p>The running pod is stopped and a new one starts{pod.pvc ? " with the same home volume" : ""}. Open sessions are closed.</p>
              </ConfirmAction>
            )}
            {allowed("workloads:delete") && (
              <ConfirmDelete
                action={deleteSshPodAction}
                id={pod.id}
                name={pod.displayName}
                what="SSH pod"
                consequence={`The pod, its Service and key Secret${pod.pvc ? " and its home volume" : ""} are deleted. This cannot be undone.`}
              />
            )}
          </div>
        </section>
      )}
    </>
  );
}
