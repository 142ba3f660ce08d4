// Where a stand-in VMI "runs": a schedulable node of the cluster and a guest address.
import type { CoreV1Api, V1Node } from "@kubernetes/client-node";

/** Guest addresses come from their own range so they never collide with kwok's pod IPs. */
const guestNetwork = [10, 200];

/** Hands out guest IPs and MACs, and picks nodes round-robin. */
export class Placement {
  private nextAddress = 2;
  private nextNode = 0;

  constructor(private readonly core: CoreV1Api) {}

  /** A Ready, schedulable node whose labels match `nodeSelector`, or undefined when none fits. */
  async pickNode(nodeSelector: Record<string, string> = {}): Promise<string | undefined> {
    const nodes = (await this.core.listNode()).items.filter((node) => isSchedulable(node) && matches(node, nodeSelector));
    if (nodes.length === 0) return undefined;
    const names = nodes.map((n) => n.metadata!.name!).sort();
    return names[this.nextNode++ % names.length];
  }

  /** A fresh guest IP and a locally administered MAC derived from it. */
  nextGuestAddress(): { ipAddress: string; mac: string } {
    const n = this.nextAddress++;
    const octets = [...guestNetwork, (n >> 8) & 0xff, n & 0xff];
    const mac = ["02", "00", ...octets.map((o) => o.toString(16).padStart(2, "0"))].join(":");
    return { ipAddress: octets.join("."), mac };
  }
}

function isSchedulable(node: V1Node): boolean {
  const ready = node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
  return ready && !node.spec?.unschedulable;
}

function matches(node: V1Node, selector: Record<string, string>): boolean {
  const labels = node.metadata?.labels ?? {};
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}
