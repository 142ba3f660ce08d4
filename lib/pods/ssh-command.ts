// How a laptop reaches an SSH pod: `ssh -F ~/.ssh/minicloud_config <host>`, where the
// downloaded ssh_config (lib/console/bridges/ssh/ssh-config.ts) maps each host alias to a ProxyCommand
// tunnelling through the panel and sets the login user. The alias is `<pod>.<team>.<org>`:
// pod names are unique within a team's namespace and team slugs within an org, so the alias
// is unique for everything one user can reach. No imports: the browser uses it too.

/** Where the panel's ssh_config is saved on the laptop. */
export const SSH_CONFIG_PATH = "~/.ssh/minicloud_config";

/** The pod's host alias in the panel's ssh_config. */
export function sshHostAlias(pod: { name: string; teamSlug: string; orgSlug: string }): string {
  return `${pod.name}.${pod.teamSlug}.${pod.orgSlug}`;
}

/** The command to paste into a terminal. */
export function sshCommand(pod: { name: string; teamSlug: string; orgSlug: string }): string {
  return `ssh -F ${SSH_CONFIG_PATH} ${sshHostAlias(pod)}`;
}
