// How a laptop reaches an SSH pod: `ssh -F ~/.ssh/minicloud_config <host>`, where the
// downloaded ssh_config maps each host alias to a ProxyCommand tunnelling through the panel.
// The alias must be unique across clusters, so it is `<pod>.<namespace>.<cluster>`: the
// database guarantees (cluster, namespace, name) unique. No imports: the browser uses it too.

/** Where the panel's ssh_config is saved on the laptop. */
export const SSH_CONFIG_PATH = "~/.ssh/minicloud_config";

/** The pod's host alias in the panel's ssh_config. */
export function sshHostAlias(pod: { name: string; namespace: string; clusterSlug: string }): string {
  return `${pod.name}.${pod.namespace}.${pod.clusterSlug}`;
}

/** The command to paste into a terminal. */
export function sshCommand(pod: { name: string; namespace: string; clusterSlug: string; loginName: string }): string {
  return `ssh -F ${SSH_CONFIG_PATH} ${pod.loginName}@${sshHostAlias(pod)}`;
}
