// Stand-in CustomResourceDefinitions for KubeVirt and CDI.
// Upstream publishes no standalone CRD YAML (virt-operator and cdi-operator create them at run time),
// so these are written by hand with the real group, version, kind and plural names and open schemas.
import { standinLabels } from "./kube";
import type { V1CustomResourceColumnDefinition, V1CustomResourceDefinition, V1JSONSchemaProps } from "@kubernetes/client-node";

type Scope = "Namespaced" | "Cluster";

interface CrdShape {
  group: string;
  kind: string;
  plural: string;
  singular: string;
  scope: Scope;
  versions: string[];
  /** The version persisted in etcd; the others are served with the same open schema. */
  storageVersion: string;
  shortNames?: string[];
  categories?: string[];
  statusSubresource: boolean;
  columns?: V1CustomResourceColumnDefinition[];
}

// `spec` and `status` keep every field: the stand-ins (and the panel) rely on the API server to
// store objects as written, exactly like the real operators' schemas do for most nested fields.
// (Typed client field name: the serializer writes it as `x-kubernetes-preserve-unknown-fields`.)
const openObject: V1JSONSchemaProps = { type: "object", x_kubernetes_preserve_unknown_fields: true };
const openSchema: V1JSONSchemaProps = {
  type: "object",
  properties: {
    apiVersion: { type: "string" },
    kind: { type: "string" },
    metadata: { type: "object" },
    spec: openObject,
    status: openObject,
  },
};

const age: V1CustomResourceColumnDefinition = { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" };
const readyCondition = (name = "Ready"): V1CustomResourceColumnDefinition => ({
  name,
  type: "string",
  jsonPath: ".status.conditions[?(@.type=='Ready')].status",
});

function toCrd(shape: CrdShape): V1CustomResourceDefinition {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: {
      name: `${shape.plural}.${shape.group}`,
      labels: standinLabels,
    },
    spec: {
      group: shape.group,
      scope: shape.scope,
      names: {
        kind: shape.kind,
        listKind: `${shape.kind}List`,
        plural: shape.plural,
        singular: shape.singular,
        ...(shape.shortNames ? { shortNames: shape.shortNames } : {}),
        ...(shape.categories ? { categories: shape.categories } : {}),
      },
      versions: shape.versions.map((name) => ({
        name,
        served: true,
        storage: name === shape.storageVersion,
        schema: { openAPIV3Schema: openSchema },
        ...(shape.statusSubresource ? { subresources: { status: {} } } : {}),
        ...(shape.columns ? { additionalPrinterColumns: shape.columns } : {}),
      })),
    },
  };
}

const kubevirtVersions = { versions: ["v1", "v1alpha3"], storageVersion: "v1" };
const instancetypeVersions = { versions: ["v1beta1"], storageVersion: "v1beta1" };

/** kubevirt.io VirtualMachine: status subresource, printable status and readiness columns. */
export const virtualMachineCrd = toCrd({
  group: "kubevirt.io",
  kind: "VirtualMachine",
  plural: "virtualmachines",
  singular: "virtualmachine",
  scope: "Namespaced",
  ...kubevirtVersions,
  shortNames: ["vm", "vms"],
  categories: ["all"],
  statusSubresource: true,
  columns: [age, { name: "Status", type: "string", jsonPath: ".status.printableStatus" }, readyCondition()],
});

/** kubevirt.io VirtualMachineInstance: like upstream, no status subresource (status is written with the object). */
export const virtualMachineInstanceCrd = toCrd({
  group: "kubevirt.io",
  kind: "VirtualMachineInstance",
  plural: "virtualmachineinstances",
  singular: "virtualmachineinstance",
  scope: "Namespaced",
  ...kubevirtVersions,
  shortNames: ["vmi", "vmis"],
  categories: ["all"],
  statusSubresource: false,
  columns: [
    age,
    { name: "Phase", type: "string", jsonPath: ".status.phase" },
    { name: "IP", type: "string", jsonPath: ".status.interfaces[0].ipAddress" },
    { name: "NodeName", type: "string", jsonPath: ".status.nodeName" },
    readyCondition(),
  ],
});

/** instancetype.kubevirt.io sizes and preferences, namespaced and cluster-wide. */
export const instancetypeCrds = [
  { kind: "VirtualMachineInstancetype", plural: "virtualmachineinstancetypes", scope: "Namespaced", shortNames: ["vminstancetype", "vminstancetypes", "vmf", "vmfs"] },
  { kind: "VirtualMachineClusterInstancetype", plural: "virtualmachineclusterinstancetypes", scope: "Cluster", shortNames: ["vmclusterinstancetype", "vmclusterinstancetypes", "vmcf", "vmcfs"] },
  { kind: "VirtualMachinePreference", plural: "virtualmachinepreferences", scope: "Namespaced", shortNames: ["vmpref", "vmprefs", "vmp", "vmps"] },
  { kind: "VirtualMachineClusterPreference", plural: "virtualmachineclusterpreferences", scope: "Cluster", shortNames: ["vmcp", "vmcps"] },
].map(({ kind, plural, scope, shortNames }) =>
  toCrd({
    group: "instancetype.kubevirt.io",
    kind,
    plural,
    singular: kind.toLowerCase(),
    scope: scope as Scope,
    ...instancetypeVersions,
    shortNames,
    statusSubresource: false,
  }),
);

/** cdi.kubevirt.io DataVolume: a disk imported, cloned or uploaded into a PVC. */
export const dataVolumeCrd = toCrd({
  group: "cdi.kubevirt.io",
  kind: "DataVolume",
  plural: "datavolumes",
  singular: "datavolume",
  scope: "Namespaced",
  versions: ["v1beta1"],
  storageVersion: "v1beta1",
  shortNames: ["dv", "dvs"],
  categories: ["all"],
  statusSubresource: true,
  columns: [
    { name: "Phase", type: "string", jsonPath: ".status.phase" },
    { name: "Progress", type: "string", jsonPath: ".status.progress" },
    { name: "Restarts", type: "integer", jsonPath: ".status.restartCount" },
    age,
  ],
});

/** cdi.kubevirt.io CDIConfig: the cluster-wide "config" object whose status names the upload proxy URL. */
export const cdiConfigCrd = toCrd({
  group: "cdi.kubevirt.io",
  kind: "CDIConfig",
  plural: "cdiconfigs",
  singular: "cdiconfig",
  scope: "Cluster",
  versions: ["v1beta1"],
  storageVersion: "v1beta1",
  statusSubresource: true,
});

/** Every stand-in CRD, in install order. */
export const standinCrds: V1CustomResourceDefinition[] = [
  virtualMachineCrd,
  virtualMachineInstanceCrd,
  ...instancetypeCrds,
  dataVolumeCrd,
  cdiConfigCrd,
];
