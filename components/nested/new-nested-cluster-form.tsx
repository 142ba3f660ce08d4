"use client";
// The nested cluster form: owning team, host cluster (one assigned to that team), Kubernetes
// version, etcd members and storage, API server replicas, exposure, and image overrides for an
// internal registry. The server checks everything again.
import { useState } from "react";
import { ActionForm } from "@/components/ui/action-form";
import { Field } from "@/components/ui/field";
import type { ActionResult } from "@/lib/actions/define-action";

type ServerAction = (previous: unknown, data: FormData) => Promise<ActionResult<unknown>>;

/** A host cluster a team may use. */
export interface HostChoice {
  clusterId: string;
  clusterName: string;
  teamId: string;
}

const EXPOSURE_LABELS: Record<string, string> = {
  ClusterIP: "ClusterIP — reached through the panel",
  NodePort: "NodePort — on every node's address",
  LoadBalancer: "LoadBalancer — the cloud's balancer",
};

export function NewNestedClusterForm({
  action,
  teams,
  hosts,
  versions,
  exposures,
}: {
  action: ServerAction;
  teams: { id: string; name: string }[];
  hosts: HostChoice[];
  versions: { version: string; images: Record<string, string> }[];
  exposures: readonly string[];
}) {
  const [teamId, setTeamId] = useState(teams.find((t) => hosts.some((h) => h.teamId === t.id))?.id ?? teams[0]?.id ?? "");
  const [version, setVersion] = useState(versions[0]?.version ?? "");
  const teamHosts = hosts.filter((h) => h.teamId === teamId);
  const upstream = versions.find((v) => v.version === version)?.images ?? {};
  return (
    <ActionForm action={action} submitLabel="Create nested cluster" resetOnSuccess={false}>
      <Field name="name" label="Name" placeholder="staging" autoComplete="off" data-testid="nested-name" hint="Start with a letter; letters, digits, spaces and dashes, at most 51." />
      <div className="field">
        <label htmlFor="nested-team">Owning team</label>
        <select id="nested-team" name="teamId" value={teamId} onChange={(e) => setTeamId(e.target.value)}>
          {teams.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </div>
      <Field
        key={`host-${teamId}`}
        name="hostClusterId"
        label="Host cluster"
        options={teamHosts.length ? teamHosts.map((h) => ({ value: h.clusterId, label: h.clusterName })) : [{ value: "", label: "No cluster is assigned to this team" }]}
        hint="The control plane runs as pods in a namespace of its own there."
      />
      <div className="field">
        <label htmlFor="nested-version">Kubernetes version</label>
        <select id="nested-version" name="version" value={version} onChange={(e) => setVersion(e.target.value)}>
          {versions.map((v) => (
            <option key={v.version} value={v.version}>
              {v.version}
            </option>
          ))}
        </select>
      </div>
      <Field name="etcdReplicas" label="etcd members" defaultValue="1" options={[{ value: "1", label: "1 (no redundancy, lightest)" }, { value: "3", label: "3 (survives one member lost)" }]} />
      <Field name="etcdStorageGib" label="etcd storage (GiB)" defaultValue="1" inputMode="numeric" />
      <Field name="apiserverReplicas" label="API server replicas" defaultValue="1" options={[1, 2, 3].map((n) => ({ value: String(n), label: String(n) }))} />
      <Field name="exposure" label="API server exposure" defaultValue="ClusterIP" options={exposures.map((e) => ({ value: e, label: EXPOSURE_LABELS[e] ?? e }))} />
      <details>
        <summary>Images (for an internal registry)</summary>
        <Field key={`etcd-${version}`} name="imageEtcd" label="etcd" placeholder={upstream.etcd} autoComplete="off" />
        <Field key={`apiserver-${version}`} name="imageApiserver" label="kube-apiserver" placeholder={upstream.apiserver} autoComplete="off" />
        <Field key={`cm-${version}`} name="imageControllerManager" label="kube-controller-manager" placeholder={upstream.controllerManager} autoComplete="off" />
        <Field key={`scheduler-${version}`} name="imageScheduler" label="kube-scheduler" placeholder={upstream.scheduler} autoComplete="off" />
        <p className="hint">Empty: the upstream image shown.</p>
      </details>
    </ActionForm>
  );
}
