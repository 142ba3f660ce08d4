// The URL a VM disk is imported from, vetted in its raw form before CDI sees it. CDI's importer
// fetches it from inside the cluster, so the address must not reach what a user should not:
//   - http:// or https:// only, no user name or password in it, no fragment, at most 2,000
//     printable ASCII characters (a URL from a browser is already percent-encoded);
//   - a host written plainly: a DNS name, four decimal numbers, or a bracketed IPv6 address —
//     never the numeric forms that resolvers read differently (0x7f.1, 2130706433, 127.1);
//   - not the panel itself, not a link-local or cloud metadata address (also after resolving
//     the name), and not loopback unless MINICLOUD_ALLOW_LOOPBACK_CLUSTERS is on (the local
//     control plane's importer runs on this machine);
//   - a name the panel cannot resolve is accepted only when it is a cluster Service name
//     (`….svc`, `….svc.cluster.local`), which only the cluster's DNS answers.
// The exact text vetted is what CDI gets; nothing is rebuilt from a parser's view of it.
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { classifyAddress, type AddressPolicy } from "@/lib/clusters/server-address";
import { ValidationError } from "@/lib/errors";

export const DISK_URL_MAX_LENGTH = 2000;

const FIELD = "diskUrl";
const refuse = (message: string): never => {
  throw new ValidationError(message, { [FIELD]: message });
};

// scheme://host[:port][/path][?query] — the authority has no user info by construction.
const URL_SHAPE = /^(https?):\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?([/?][A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*)?$/;
const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const METADATA_NAMES = new Set(["metadata", "metadata.google.internal", "instance-data", "instance-data.ec2.internal", "metadata.azure.com"]);

/** What the vetted URL is made of. */
export interface VettedDiskUrl {
  url: string;
  host: string;
  port: number;
}

/** Checks the shape of a disk URL without looking the host up (the form's first check; throws ValidationError on field `diskUrl`). */
export function vetDiskUrlShape(raw: string): VettedDiskUrl {
  if (raw.length === 0) refuse("Enter the URL of the disk image.");
  if (raw.length > DISK_URL_MAX_LENGTH) refuse(`The URL is longer than ${DISK_URL_MAX_LENGTH} characters.`);
  if (/[^\x21-\x7e]/.test(raw)) refuse("The URL may hold only printable ASCII characters without spaces (percent-encode the rest).");
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(raw)?.[1]?.toLowerCase();
  if (scheme !== "http" && scheme !== "https") refuse("The URL must start with http:// or https://.");
  if (raw.includes("#")) refuse("The URL must not have a fragment (#…).");
  const authority = /^[A-Za-z]+:\/\/([^/?]*)/.exec(raw)?.[1] ?? "";
  if (authority.includes("@")) refuse("The URL must not carry a user name or password.");
  const match = URL_SHAPE.exec(raw);
  if (!match) refuse("That is not a URL the panel accepts: write http(s)://host[:port]/path with a plain host name or address.");
  const [, , rawHost, rawPort] = match!;
  const host = rawHost!.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  const port = rawPort ? Number(rawPort) : scheme === "http" ? 80 : 443;
  if (port < 1 || port > 65535) refuse("The URL's port must be between 1 and 65535.");
  if (rawHost!.startsWith("[")) {
    if (isIP(host) !== 6) refuse("The URL's host is not an IPv6 address.");
  } else if (/^[0-9.]+$/.test(host)) {
    const parts = host.split(".");
    if (parts.length !== 4 || parts.some((p) => !/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255)) refuse("Write an IPv4 address as four decimal numbers (such as 192.0.2.10).");
  } else {
    const labels = host.replace(/\.$/, "").split(".");
    if (host.length > 253 || labels.some((l) => !LABEL.test(l))) refuse("The URL's host is not a valid host name.");
    // Resolvers read 0x7f.1 or 1.0x1 as addresses; a real name never ends in a number.
    if (labels.some((l) => /^0x[0-9a-f]*$/.test(l)) || /^\d+$/.test(labels[labels.length - 1]!)) refuse("The URL's host is not a valid host name.");
    if (METADATA_NAMES.has(host.replace(/\.$/, ""))) refuse("The URL names a cloud metadata service, which disks are never imported from.");
  }
  return { url: raw, host, port };
}

async function resolveHost(host: string): Promise<string[] | null> {
  if (isIP(host)) return [host];
  try {
    const answers = await Promise.race([
      lookup(host, { all: true, verbatim: true }),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), 5000).unref()),
    ]);
    return answers.map((a) => a.address);
  } catch {
    return null;
  }
}

/**
 * Vets a disk URL (see the top of this file) against the panel's own address policy; resolves
 * with the URL exactly as given. Throws ValidationError on field `diskUrl`.
 */
export async function vetDiskUrl(raw: string, policy: AddressPolicy): Promise<string> {
  const { url, host, port } = vetDiskUrlShape(raw);
  const panel = new URL(policy.panel.publicUrl);
  const panelPort = panel.port ? Number(panel.port) : panel.protocol === "http:" ? 80 : 443;
  if (host === panel.hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase() && port === panelPort) refuse("The URL is the panel's own address.");
  const addresses = await resolveHost(host);
  if (!addresses) {
    if (/\.svc(\.[a-z0-9-.]+)?\.?$/.test(host)) return url;
    refuse(`The URL's host “${host}” could not be resolved.`);
  }
  for (const address of addresses!) {
    const kind = classifyAddress(address);
    if (kind === "never") refuse("The URL points at a link-local or metadata address, which disks are never imported from.");
    if (kind === "loopback") {
      if (port === policy.panel.port) refuse("The URL is the panel's own address.");
      if (!policy.allowLoopback) refuse("The URL points at a loopback address, which disks are never imported from.");
    }
  }
  return url;
}
