// What the panel's own credentials must be allowed to do in a host cluster, as data: the
// connection check asks the cluster about each entry (SelfSubjectAccessReview) and tells the
// admin what is missing in plain words; deploy/rbac.yaml grants exactly this list (a unit
// test keeps the two in step).

/** When an entry matters: always, or only if the cluster has impersonation on / serves that API. */
export type AccessCondition = "always" | "impersonation" | "kubevirt" | "cdi" | "metrics";

/** One group of verbs on one resource (cluster-wide), and why the panel needs it. */
export interface RequiredAccess {
  /** API group; "" is the core group. */
  group: string;
  resource: string;
  subresource?: string;
  verbs: readonly string[];
  /** Plain words for the admin: what stops working without it. */
  why: string;
  when: AccessCondition;
}

const CORE = "";
const RBAC = "rbac.authorization.k8s.io";

/** Everything the panel needs, cluster-wide. */
export const REQUIRED_ACCESS: readonly RequiredAccess[] = [
  // Team namespaces and what fences them in.
  { group: CORE, resource: "namespaces", verbs: ["get", "list", "create", "update", "delete"], why: "create and remove team namespaces", when: "always" },
  { group: CORE, resource: "resourcequotas", verbs: ["get", "list", "watch", "create", "update", "delete"], why: "enforce team quotas", when: "always" },
  { group: CORE, resource: "limitranges", verbs: ["get", "create", "update", "delete"], why: "give team containers default sizes", when: "always" },
  { group: "networking.k8s.io", resource: "networkpolicies", verbs: ["get", "create", "update", "delete"], why: "isolate team namespaces from each other", when: "always" },
  { group: RBAC, resource: "roles", verbs: ["get", "create", "update", "delete"], why: "limit what a team may do in its namespace", when: "always" },
  { group: RBAC, resource: "rolebindings", verbs: ["get", "create", "update", "delete"], why: "bind a team's group to its namespace", when: "always" },
  { group: CORE, resource: "users", verbs: ["impersonate"], why: "act as a team's identity (impersonation)", when: "impersonation" },
  { group: CORE, resource: "groups", verbs: ["impersonate"], why: "act as a team's group (impersonation)", when: "impersonation" },
  // Health.
  { group: CORE, resource: "nodes", verbs: ["get", "list", "watch"], why: "show nodes and their capacity", when: "always" },
  { group: CORE, resource: "persistentvolumes", verbs: ["get", "list", "watch"], why: "show the cluster's volumes in its status view", when: "always" },
  // SSH pods and what comes with them.
  { group: CORE, resource: "pods", verbs: ["get", "list", "watch", "create", "delete"], why: "run SSH pods and show their live status", when: "always" },
  { group: CORE, resource: "pods", subresource: "log", verbs: ["get"], why: "show pod logs", when: "always" },
  { group: CORE, resource: "pods", subresource: "exec", verbs: ["get", "create"], why: "open browser terminals in pods", when: "always" },
  { group: CORE, resource: "pods", subresource: "portforward", verbs: ["get", "create"], why: "reach pods over ssh through the panel", when: "always" },
  { group: CORE, resource: "services", verbs: ["get", "list", "watch", "create", "delete"], why: "give each pod a stable address", when: "always" },
  { group: CORE, resource: "secrets", verbs: ["get", "list", "create", "update", "patch", "delete"], why: "hand ssh keys to pods and cloud-init to VMs", when: "always" },
  { group: CORE, resource: "persistentvolumeclaims", verbs: ["get", "list", "watch", "create", "delete"], why: "keep home directories and VM disks", when: "always" },
  { group: CORE, resource: "events", verbs: ["get", "list", "watch"], why: "explain why a pod or VM is stuck", when: "always" },
  // Nested clusters: their control planes run as an etcd StatefulSet and component Deployments.
  { group: "apps", resource: "statefulsets", verbs: ["get", "create", "patch"], why: "run nested clusters' etcd", when: "always" },
  { group: "apps", resource: "deployments", verbs: ["get", "create", "patch"], why: "run nested clusters' control planes", when: "always" },
  { group: CORE, resource: "configmaps", verbs: ["get", "create", "update"], why: "record nested clusters' worker pools", when: "always" },
  // VMs (only where KubeVirt / CDI are installed).
  { group: "kubevirt.io", resource: "virtualmachines", verbs: ["get", "list", "watch", "create", "update", "patch", "delete"], why: "run VMs", when: "kubevirt" },
  { group: "kubevirt.io", resource: "virtualmachineinstances", verbs: ["get", "list", "watch"], why: "show VM status", when: "kubevirt" },
  { group: "subresources.kubevirt.io", resource: "virtualmachines", subresource: "start", verbs: ["update"], why: "start VMs", when: "kubevirt" },
  { group: "subresources.kubevirt.io", resource: "virtualmachines", subresource: "stop", verbs: ["update"], why: "stop VMs", when: "kubevirt" },
  { group: "subresources.kubevirt.io", resource: "virtualmachines", subresource: "restart", verbs: ["update"], why: "restart VMs", when: "kubevirt" },
  { group: "subresources.kubevirt.io", resource: "virtualmachineinstances", subresource: "pause", verbs: ["update"], why: "pause VMs", when: "kubevirt" },
  { group: "subresources.kubevirt.io", resource: "virtualmachineinstances", subresource: "unpause", verbs: ["update"], why: "unpause VMs", when: "kubevirt" },
  { group: "subresources.kubevirt.io", resource: "virtualmachineinstances", subresource: "console", verbs: ["get"], why: "open VM serial consoles", when: "kubevirt" },
  { group: "subresources.kubevirt.io", resource: "virtualmachineinstances", subresource: "vnc", verbs: ["get"], why: "open VM graphical (VNC) consoles and screenshots", when: "kubevirt" },
  { group: "subresources.kubevirt.io", resource: "virtualmachineinstances", subresource: "portforward", verbs: ["get"], why: "reach VMs over ssh through the panel", when: "kubevirt" },
  { group: "cdi.kubevirt.io", resource: "datavolumes", verbs: ["get", "list", "watch", "create", "patch", "delete"], why: "import, upload and keep VM disks", when: "cdi" },
  { group: "cdi.kubevirt.io", resource: "datavolumes", subresource: "source", verbs: ["create"], why: "clone golden images into VM disks", when: "cdi" },
  { group: "cdi.kubevirt.io", resource: "cdiconfigs", verbs: ["get"], why: "find CDI's upload proxy", when: "cdi" },
  { group: CORE, resource: "configmaps", verbs: ["get"], why: "read the CA of CDI's upload proxy (cdi/cdi-uploadproxy-signer-bundle)", when: "cdi" },
  { group: "upload.cdi.kubevirt.io", resource: "uploadtokenrequests", verbs: ["create"], why: "upload VM disks from the browser", when: "cdi" },
  // Usage figures (only where metrics-server is installed).
  { group: "metrics.k8s.io", resource: "pods", verbs: ["get", "list"], why: "show live CPU and memory use", when: "metrics" },
];

/** "create pods/exec" or "list virtualmachines.kubevirt.io": how an entry's verb reads to an admin. */
export function describeAccess(entry: RequiredAccess, verb: string): string {
  const resource = `${entry.resource}${entry.group ? `.${entry.group}` : ""}${entry.subresource ? `/${entry.subresource}` : ""}`;
  return `${verb} ${resource}`;
}

/** The entries that matter for a cluster with these APIs and settings. */
export function applicableAccess(context: { impersonation: boolean; apis: { kubevirt: boolean; cdi: boolean; metrics: boolean } }): RequiredAccess[] {
  return REQUIRED_ACCESS.filter((entry) => {
    switch (entry.when) {
      case "always":
        return true;
      case "impersonation":
        return context.impersonation;
      default:
        return context.apis[entry.when];
    }
  });
}
