// The names a pod of the runner resolves, in place of cluster DNS: an /etc/hosts of its own
// (bind-mounted over /etc/hosts in the process's mount namespace) that maps each Service of
// its namespace, by every DNS form, to the loopback address of a pod behind it, and each pod
// with a hostname and subdomain (a StatefulSet member) to its own address.
import type { V1Pod, V1Service } from "@kubernetes/client-node";

/** A pod the runner has placed: its address and whether it is ready. */
export interface PlacedPod {
  pod: V1Pod;
  address: string;
  ready: boolean;
}

const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

/** The hosts file of one namespace (as every pod of the runner there sees it). */
export function hostsFileFor(namespace: string, services: readonly V1Service[], placed: PlacedPod[], clusterDomain = "cluster.local"): string {
  const lines = ["127.0.0.1 localhost", "::1 localhost"];
  const here = placed.filter((p) => p.pod.metadata?.namespace === namespace);
  for (const { pod, address } of here) {
    const { hostname, subdomain } = pod.spec ?? {};
    if (hostname && subdomain) lines.push(`${address} ${hostname}.${subdomain}.${namespace}.svc ${hostname}.${subdomain}.${namespace}.svc.${clusterDomain} ${hostname}`);
  }
  for (const service of services) {
    if (service.metadata?.namespace !== namespace) continue;
    const name = service.metadata.name!;
    const backends = here.filter((p) => matches(service.spec?.selector ?? {}, p.pod.metadata?.labels));
    // A ready backend if there is one, else any (it may become ready; a name that resolves nowhere helps nobody).
    const backend = backends.find((b) => b.ready) ?? backends[0];
    if (backend) lines.push(`${backend.address} ${name} ${name}.${namespace} ${name}.${namespace}.svc ${name}.${namespace}.svc.${clusterDomain}`);
  }
  return `${lines.join("\n")}\n`;
}
