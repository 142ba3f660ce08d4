// The kinds of workload minicloud runs for teams: the one list the database enum, the
// `minicloud.io/kind` label and the terminals' targets all take. Data at the bottom of the tree
// (this module imports nothing), so the schema can use it.

/** Every workload kind, in the order the database enum declares them. */
export const WORKLOAD_KINDS = ["ssh-pod", "vm", "nested-cluster"] as const;

/** A workload kind: `ssh-pod`, `vm` or `nested-cluster`. */
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];
