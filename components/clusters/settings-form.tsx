// A cluster's settings: where team workloads run (node selector, tolerations), their storage
// class, the images and VM disks users may pick, and whether team requests impersonate a team group.
import { FieldErrorText } from "@/components/clusters/field-error";
import { ActionForm } from "@/components/ui/action-form";
import { Field, Hidden } from "@/components/ui/field";
import type { ActionResult } from "@/lib/actions/define-action";
import { settingsToForm, type ClusterSettings } from "@/lib/clusters/settings";

type Action = (previous: unknown, data: FormData) => Promise<ActionResult<unknown>>;

/** The settings form, filled with the current settings. */
export function ClusterSettingsForm({ action, clusterId, settings, inCluster }: { action: Action; clusterId: string; settings: ClusterSettings; inCluster: boolean }) {
  const form = settingsToForm(settings);
  return (
    <div data-testid="cluster-settings-form">
      <ActionForm action={action} submitLabel="Save settings" resetOnSuccess={false} successMessage="Settings saved.">
        <Hidden name="clusterId" value={clusterId} />
        <Field name="nodeSelector" label="Node selector" multiline defaultValue={form.nodeSelector} placeholder="pool=dev" hint="One key=value per line; team pods and VMs run only on matching nodes." />
        <Field
          name="tolerations"
          label="Tolerations"
          multiline
          defaultValue={form.tolerations}
          placeholder="dedicated=dev:NoSchedule"
          hint="One per line: key=value:Effect, key:Effect or key (Effect is NoSchedule, PreferNoSchedule or NoExecute)."
        />
        <Field name="storageClass" label="Storage class" defaultValue={form.storageClass} placeholder="cluster default" hint="For home directories and VM disks; empty uses the cluster's default." />
        <Field name="imageCatalog" label="Image catalog" multiline defaultValue={form.imageCatalog} hint="SSH pod images. One per line: Label = image. Users pick from these." />
        <Field
          name="vmImageCatalog"
          label="VM disk catalog"
          multiline
          defaultValue={form.vmImageCatalog}
          hint="Container-disk images VMs boot from (KubeVirt containerDisk). One per line: Label = image."
        />
        <Field
          name="vmGoldenImages"
          label="VM golden images"
          multiline
          defaultValue={form.vmGoldenImages}
          placeholder="Debian 12 = golden-images/debian-12"
          hint="Published disks VMs may boot from a clone of (a CDI clone of the claim). One per line: Label = namespace/claim. CDI must allow cloning from that namespace."
        />
        <Field
          name="sshRoute"
          label="SSH route"
          defaultValue={form.sshRoute}
          options={[
            { value: "auto", label: inCluster ? "Automatic (direct: the panel runs in this cluster)" : "Automatic (port-forward: the panel runs outside this cluster)" },
            { value: "port-forward", label: "Port-forward through the API server" },
            { value: "direct", label: "Direct to the pod's or VM's address" },
          ]}
          hint="How browser ssh terminals and laptop tunnels reach port 22. Direct is faster but needs the panel on the cluster's pod network."
        />
        <label className="check">
          <input type="checkbox" name="impersonation" defaultChecked={form.impersonation} /> Impersonation: team requests run as the team&apos;s group, bound to its own
          namespace, so Kubernetes RBAC enforces the same boundary as the panel
        </label>
        <FieldErrorText name="impersonation" />
        <label className="check">
          <input type="checkbox" name="removeOrphans" defaultChecked={form.removeOrphans} /> Remove drift by itself: objects minicloud labelled whose
          workload no longer exists are deleted by the reconciler (otherwise they are only listed under Admin → Drift)
        </label>
      </ActionForm>
    </div>
  );
}
