// How a container becomes a local command line, as a kubelet with a container runtime would
// start it, within what one machine can give: the image's binary in place of the image, the
// container's command and args with `$(VAR)` expanded, its environment (values and the
// downward API's pod fields), its volume mount paths rewritten to the directories that hold
// the volumes' files, and "all addresses" (0.0.0.0) rewritten to the pod's own loopback
// address, so that pods listening on the same port do not collide. Pure: the runner hands in what it found in the cluster.
import type { V1Container } from "@kubernetes/client-node";

/** Where one pod runs on this machine. */
export interface PodPlacement {
  /** The pod's own loopback address (127.x.y.z, from its pod IP): every port it opens is bound there. */
  address: string;
  /** The pod IP the cluster gave it (from kwok's range; nothing routes it). */
  podIp: string;
  podName: string;
  namespace: string;
  nodeName: string;
  serviceAccountName: string;
}

/** A volume mount resolved to a local path (a directory, or a file for a subPath of one). */
export interface ResolvedMount {
  mountPath: string;
  localPath: string;
}

/** A command line ready to run. */
export interface Invocation {
  argv: string[];
  env: Record<string, string>;
  /** Environment entries that could not be resolved here (secretKeyRef, …), for the log. */
  unresolved: string[];
}

const FIELD_VALUES: Record<string, (p: PodPlacement) => string> = {
  // The pod IP itself: advertised (an apiserver's endpoint), never bound — listening is on the loopback address.
  "status.podIP": (p) => p.podIp,
  "status.podIPs": (p) => p.podIp,
  "status.hostIP": () => "127.0.0.1",
  "metadata.name": (p) => p.podName,
  "metadata.namespace": (p) => p.namespace,
  "spec.nodeName": (p) => p.nodeName,
  "spec.serviceAccountName": (p) => p.serviceAccountName,
};

/** Kubernetes' `$(VAR)` expansion: known names are replaced, `$$(VAR)` escapes, unknown ones stay as written. */
export function expandVariables(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (match === "$$") return "$";
    return name !== undefined && name in env ? env[name]! : match;
  });
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Replaces each mount path (longest first) where it starts a path inside `text` with its local path. */
export function rewriteMountPaths(text: string, mounts: ResolvedMount[]): string {
  let result = text;
  for (const mount of [...mounts].sort((a, b) => b.mountPath.length - a.mountPath.length)) {
    const path = mount.mountPath.replace(/\/+$/, "");
    if (!path.startsWith("/") || path === "") continue;
    // A mount path counts at the start of the text or after a separator (`--flag=`, `,`, `:`),
    // and only up to a path boundary: /etc/kubernetes/pki must not match /etc/kubernetes/pki-old.
    const pattern = new RegExp(`(^|[=,:;\\s"'])${escapeRegExp(path)}(?=$|[/,:;\\s"'])`, "g");
    result = result.replace(pattern, (_, before: string) => `${before}${mount.localPath}`);
  }
  return result;
}

/** Rewrites "every address" (0.0.0.0) to the pod's loopback address (as host:port, in URLs, or alone): what it binds. */
export function rewriteAddresses(text: string, placement: PodPlacement): string {
  const pattern = /(^|[^0-9.])(0\.0\.0\.0)(?![0-9.]*[0-9])/g;
  return text.replace(pattern, (_, before: string) => `${before}${placement.address}`);
}

/** The command line and environment of `container`, run from `binary`. */
export function containerInvocation(container: V1Container, binary: string, imageName: string, placement: PodPlacement, mounts: ResolvedMount[]): Invocation {
  const env: Record<string, string> = {};
  const unresolved: string[] = [];
  for (const entry of container.env ?? []) {
    if (entry.value !== undefined) env[entry.name] = expandVariables(entry.value, env);
    else if (entry.valueFrom?.fieldRef) {
      const field = FIELD_VALUES[entry.valueFrom.fieldRef.fieldPath];
      if (field) env[entry.name] = field(placement);
      else unresolved.push(entry.name);
    } else unresolved.push(entry.name);
  }
  const rewrite = (text: string) => rewriteAddresses(rewriteMountPaths(expandVariables(text, env), mounts), placement);
  const command = container.command ?? [];
  const args = container.args ?? [];
  // The image's binary replaces the command's program (`kube-apiserver`, `/usr/local/bin/etcd`);
  // with no command, the image's entrypoint is that binary.
  const [program, ...commandArgs] = command;
  const programArgs = program !== undefined && program.split("/").pop() !== imageName ? [program, ...commandArgs] : commandArgs;
  const argv = [binary, ...[...programArgs, ...args].map(rewrite)];
  const rewrittenEnv = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, rewriteAddresses(rewriteMountPaths(v, mounts), placement)]));
  return { argv, env: rewrittenEnv, unresolved };
}

/** The loopback address of a pod IP: 10.244.3.7 → 127.244.3.7 (the pod range's last three octets). */
export function loopbackAddressOf(podIp: string): string {
  const octets = podIp.split(".");
  if (octets.length !== 4 || octets.some((o) => !/^\d{1,3}$/.test(o))) throw new Error(`not an IPv4 pod IP: ${podIp}`);
  return `127.${octets[1]}.${octets[2]}.${octets[3]}`;
}
