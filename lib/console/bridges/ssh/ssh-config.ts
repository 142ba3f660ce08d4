// The per-user `ssh_config` download: one `Host` per SSH pod and VM the user may open terminals
// on, each reaching it (port 22: a pod's port-forward, a VMI's `portforward`) through the panel's `/ws/tunnel` with the ProxyCommand helper
// (bin/minicloud-ssh-proxy.mjs). `ssh -F <file> <host>` and `scp -F <file> …` then work with
// stock OpenSSH; the user's own key authenticates against the pod's sshd.
import type { Principal } from "@/lib/auth/policy";
import type { Db } from "@/lib/db/client";
import { listReachableTargets, type TerminalTarget } from "@/lib/console/targets";
import { sshHostAlias } from "@/lib/pods/ssh-command";

/** Where the helper lives on the user's machine by default (the download page says how to fetch it). */
export const DEFAULT_HELPER_COMMAND = "node ~/.minicloud/minicloud-ssh-proxy.mjs";

export interface SshConfigOptions {
  /** The panel's public URL (http or https). */
  panelUrl: string;
  /** The command that runs the helper, e.g. `node ~/.minicloud/minicloud-ssh-proxy.mjs`. */
  helperCommand?: string;
}

/** The `Host` alias of each target: `<pod name in the cluster, with its suffix>.<team>.<org>`, as the pod page shows it (lib/pods/ssh-command.ts). */
export function hostAliases(targets: readonly TerminalTarget[]): Map<string, string> {
  return new Map(targets.map((t) => [t.workloadId, sshHostAlias(t)]));
}

// ProxyCommand runs through the user's shell and expands `%` tokens: allow only characters
// that mean nothing to either, so nothing from a URL can turn into a command.
const SAFE = /^[A-Za-z0-9._~:/@+=,-]+$/;

/** Renders the file for `targets`. */
export function renderSshConfig(targets: readonly TerminalTarget[], options: SshConfigOptions): string {
  const panelUrl = options.panelUrl.replace(/\/$/, "");
  if (!SAFE.test(panelUrl)) throw new Error(`the panel URL ${panelUrl} has characters that cannot go into a ProxyCommand`);
  const helper = options.helperCommand ?? DEFAULT_HELPER_COMMAND;
  const aliases = hostAliases(targets);
  const lines = [
    "# minicloud ssh_config: your SSH pods and VMs, reached through the panel.",
    `# Panel: ${panelUrl}`,
    "# Needs Node.js and the helper: mkdir -p ~/.minicloud && curl -fsSL -o ~/.minicloud/minicloud-ssh-proxy.mjs " + `${panelUrl}/api/ssh-config/helper`,
    "# and a personal API token (Profile → API tokens) in $MINICLOUD_TOKEN or ~/.minicloud/token.",
    "# Use: ssh -F <this file> <host>   (or Include it from ~/.ssh/config)",
    "",
  ];
  for (const target of targets) {
    const alias = aliases.get(target.workloadId)!;
    lines.push(
      `# ${target.orgSlug}/${target.label}${target.kind === "vm" ? " (VM)" : ""}`,
      `Host ${alias}`,
      `  User ${target.loginUser}`,
      `  ProxyCommand ${helper} --url ${panelUrl} --target ${target.workloadId}`,
      // Known-hosts entries follow the pod, not whatever name the alias resolves to.
      `  HostKeyAlias minicloud-${target.workloadId}`,
      "  ServerAliveInterval 30",
      "",
    );
  }
  if (targets.length === 0) lines.push("# You have no SSH pods or VMs you can reach yet.", "");
  return lines.join("\n");
}

/** The ssh_config for `principal`: only pods and VMs they may open terminals on. */
export async function sshConfigFor(db: Db, principal: Principal, options: SshConfigOptions): Promise<string> {
  return renderSshConfig(await listReachableTargets(db, principal), options);
}
