// Where a registered cluster's API server may be. A kubeconfig names any address, and the
// panel then connects there with its own network position: to its own port, to services
// bound to loopback on its host, or to a cloud's metadata service (which hands out
// credentials). So the address is vetted before the panel sends anything:
//   - the panel's own listen address and public address are always refused;
//   - link-local addresses (cloud metadata services among them) and other non-unicast
//     addresses are always refused;
//   - loopback is refused unless the setting allows it (MINICLOUD_ALLOW_LOOPBACK_CLUSTERS:
//     on for the local control plane in development and tests, off by default in production);
//   - plain http:// only when the admin chose to connect without verifying TLS.
// Host names are resolved and every address they resolve to is vetted — at registration, and
// again at every connection afterwards (`guardedLookup`), so a name cannot be re-pointed later.
import { lookup as lookupCallback, type LookupAddress } from "node:dns";
import { lookup } from "node:dns/promises";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { networkInterfaces } from "node:os";
import { getEnv } from "@/lib/env";
import { UnavailableError, ValidationError } from "@/lib/errors";

/** What the vetting needs to know about the panel itself. */
export interface AddressPolicy {
  allowLoopback: boolean;
  /** The panel's listen address (HOST, PORT) and the address users reach it at. */
  panel: { host: string; port: number; publicUrl: string };
}

/** Where registered clusters may be, from the environment. */
export function addressPolicy(): AddressPolicy {
  const env = getEnv();
  return { allowLoopback: env.allowLoopbackClusters, panel: { host: env.host, port: env.port, publicUrl: env.publicUrl } };
}

const FIELD = "kubeconfig";
const refuse = (message: string): never => {
  throw new ValidationError(message, { [FIELD]: message });
};

const neverAllowed = new BlockList();
// Link-local (169.254.169.254 is the metadata service of most clouds), and other clouds'
// metadata and host services at fixed addresses.
neverAllowed.addSubnet("169.254.0.0", 16, "ipv4");
neverAllowed.addAddress("100.100.100.200", "ipv4"); // Alibaba Cloud metadata
neverAllowed.addAddress("168.63.129.16", "ipv4"); // Azure host services
neverAllowed.addSubnet("fe80::", 10, "ipv6");
neverAllowed.addAddress("fd00:ec2::254", "ipv6"); // AWS metadata over IPv6
// Not one host: multicast and broadcast.
neverAllowed.addSubnet("224.0.0.0", 4, "ipv4");
neverAllowed.addAddress("255.255.255.255", "ipv4");
neverAllowed.addSubnet("ff00::", 8, "ipv6");

const loopback = new BlockList();
loopback.addSubnet("127.0.0.0", 8, "ipv4");
// "This network": a connection to 0.0.0.0 reaches the local host on Linux.
loopback.addSubnet("0.0.0.0", 8, "ipv4");
loopback.addAddress("::1", "ipv6");
loopback.addAddress("::", "ipv6");

/** An address as a plain IPv4 or IPv6 string (IPv4-mapped IPv6 becomes IPv4). */
function normalize(address: string): { address: string; family: "ipv4" | "ipv6" } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1]!, family: "ipv4" };
  // The same in hex, as URLs write it: ::ffff:a9fe:a9fe is 169.254.169.254.
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (hex) {
    const [high, low] = [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16)];
    return { address: [high >> 8, high & 255, low >> 8, low & 255].join("."), family: "ipv4" };
  }
  return { address, family: isIP(address) === 6 ? "ipv6" : "ipv4" };
}

/** How an address is classed for the policy. */
export function classifyAddress(raw: string): "never" | "loopback" | "other" {
  const { address, family } = normalize(raw);
  if (neverAllowed.check(address, family)) return "never";
  if (loopback.check(address, family)) return "loopback";
  return "other";
}

function localAddresses(): Set<string> {
  const found = new Set<string>();
  for (const list of Object.values(networkInterfaces())) for (const entry of list ?? []) found.add(normalize(entry.address).address);
  return found;
}

function defaultPort(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === "http:" ? 80 : 443;
}

/** Whether `address:port` is where the panel itself listens. */
function isPanelAddress(address: string, port: number, policy: AddressPolicy): boolean {
  if (port !== policy.panel.port) return false;
  const host = normalize(policy.panel.host).address;
  const wildcard = host === "0.0.0.0" || host === "::";
  return address === host || classifyAddress(address) === "loopback" || (wildcard && localAddresses().has(address));
}

async function resolve(hostname: string): Promise<string[]> {
  if (isIP(hostname)) return [hostname];
  try {
    const answers = await Promise.race([
      lookup(hostname, { all: true, verbatim: true }),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), 5000).unref()),
    ]);
    return answers.map((a) => a.address);
  } catch {
    throw new UnavailableError(`The server's host name “${hostname}” could not be resolved.`);
  }
}

/**
 * Vets a server URL of a kubeconfig against the policy; `insecureChosen` is the admin's
 * explicit choice to connect without verifying TLS. Throws ValidationError (field
 * `kubeconfig`) for an address the panel will not connect to, UnavailableError when the host
 * name does not resolve.
 */
export async function vetServerAddress(server: string, insecureChosen: boolean, policy: AddressPolicy): Promise<URL> {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    return refuse("The server address is not a URL.");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") refuse("The server must be an https:// address.");
  if (url.protocol === "http:" && !insecureChosen) {
    refuse("The server is a plain http:// address: requests and credentials would travel unencrypted. Use https://, or choose to connect without verifying TLS.");
  }
  if (url.username || url.password) refuse("The server address must not carry a user name or password.");
  if (url.search || url.hash) refuse("The server address must not have a query (?…) or fragment (#…).");
  const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (!hostname) refuse("The server address has no host.");

  const port = defaultPort(url);
  const publicUrl = new URL(policy.panel.publicUrl);
  if (url.hostname === publicUrl.hostname && port === defaultPort(publicUrl)) refuse("The server address is the panel's own address.");

  for (const address of await resolve(hostname)) {
    const refusal = refusalOf(url.hostname, address, port, policy);
    if (refusal) refuse(refusal);
  }
  return url;
}

/** Why the panel does not connect to `address` (what `hostname` resolved to) on `port`; null when it may. */
function refusalOf(hostname: string, address: string, port: number, policy: AddressPolicy): string | null {
  const { address: plain } = normalize(address);
  if (isPanelAddress(plain, port, policy)) return "The server address is the panel's own address.";
  const kind = classifyAddress(plain);
  if (kind === "never") return `The server address ${hostname === plain ? "" : `(${hostname} → ${plain}) `}is a link-local or metadata address, which the panel never connects to.`;
  if (kind === "loopback" && !policy.allowLoopback) return "The server address is a loopback address (this machine). The panel refuses those unless MINICLOUD_ALLOW_LOOPBACK_CLUSTERS is set.";
  return null;
}

/** The error code of a connection `guardedLookup` stopped (lib/kube/transport.ts words it). */
export const ADDRESS_REFUSED = "EMINICLOUD_ADDRESS_REFUSED";

/** Resolves every address of a host name (node:dns `lookup` with `all`). */
export type ResolveAll = (hostname: string, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

const resolveAll: ResolveAll = (hostname, callback) => lookupCallback(hostname, { all: true, verbatim: true }, callback);

/**
 * The `lookup` of every connection to a registered cluster's API server (port `port`): the host
 * name is resolved at each connection and vetted as at registration, and a connection to an
 * address the panel refuses ends before it is made. Without it, a name that resolved to a fair
 * address when the cluster was registered could be re-pointed afterwards (DNS rebinding) at a
 * metadata service, this host, or the panel itself — with the panel's credentials for it on the
 * way. An IP address in the kubeconfig is never looked up: it was vetted as it stands.
 */
export function guardedLookup(port: number, policy: AddressPolicy, resolveName: ResolveAll = resolveAll): LookupFunction {
  return (hostname, options, callback) => {
    resolveName(hostname, (error, addresses) => {
      if (error) return callback(error, "");
      for (const { address } of addresses) {
        const refusal = refusalOf(hostname, address, port, policy);
        if (refusal) return callback(Object.assign(new Error(`${hostname} resolved to ${address}. ${refusal}`), { code: ADDRESS_REFUSED }), "");
      }
      const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
      if (wanted.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }), "");
      if (options.all) callback(null, wanted);
      else callback(null, wanted[0]!.address, wanted[0]!.family);
    });
  };
}
