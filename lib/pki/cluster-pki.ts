// The certificate set kubeadm makes for a control plane (`kubeadm init phase certs`), for a
// hosted control plane whose components run as pods behind Services of a host namespace:
// cluster CA, apiserver serving, apiserver-kubelet-client, front-proxy CA and client,
// service-account key pair, etcd CA, server, peer, healthcheck client, apiserver-etcd-client,
// and the client certificates behind the admin, controller-manager and scheduler kubeconfigs.
// Pure: everything in, PEM out; nothing is written anywhere.
import { createCa, issueLeaf, readCertificate, type KeyedCertificate, type LeafRequest } from "@/lib/pki/certificates";
import { generateKeyPair, privateKeyPem, publicKeyPem, type KeyAlgorithm } from "@/lib/pki/keys";

/** Where the control plane's components are reached, which the serving certificates must name. */
export interface ControlPlaneEndpoints {
  /** The host namespace the control plane runs in. */
  namespace: string;
  /** The apiserver's Service in that namespace. */
  apiserverService: string;
  /** Its cluster IP on the host, once known. */
  apiserverClusterIp: string | null;
  /** etcd's client Service and its headless (peer) Service; the StatefulSet's name and replicas. */
  etcdClientService: string;
  etcdPeerService: string;
  etcdStatefulSet: string;
  etcdReplicas: number;
  /** The host cluster's DNS domain (cluster.local). */
  hostClusterDomain: string;
  /** The nested cluster's DNS domain and Service range (its first address is the `kubernetes` Service). */
  clusterDomain: string;
  serviceCidr: string;
  /** Addresses the apiserver is exposed on beyond the host cluster (node or load-balancer address, a host name). */
  externalAddresses: string[];
}

export interface PkiOptions {
  algorithm?: KeyAlgorithm;
  caValidDays?: number;
  leafValidDays?: number;
  now?: Date;
}

/** The names of the leaf certificates, as kubeadm names their files. */
export const LEAF_NAMES = [
  "apiserver",
  "apiserver-kubelet-client",
  "front-proxy-client",
  "etcd-server",
  "etcd-peer",
  "etcd-healthcheck-client",
  "apiserver-etcd-client",
  "admin",
  "controller-manager",
  "scheduler",
] as const;
export type LeafName = (typeof LEAF_NAMES)[number];

/** The CAs, as kubeadm names their files. */
export const CA_NAMES = ["ca", "front-proxy-ca", "etcd-ca"] as const;
export type CaName = (typeof CA_NAMES)[number];

/** A control plane's PKI: three CAs, the leaves, and the service-account signing key pair. */
export interface ClusterPki {
  algorithm: KeyAlgorithm;
  cas: Record<CaName, KeyedCertificate>;
  leaves: Record<LeafName, KeyedCertificate>;
  serviceAccount: { keyPem: string; publicKeyPem: string };
}

export const DEFAULT_CA_VALID_DAYS = 3650;
export const DEFAULT_LEAF_VALID_DAYS = 365;

/** The Kubernetes user of the admin kubeconfig and its group (cluster-admin through system:masters). */
export const ADMIN_USER = "kubernetes-admin";
export const ADMIN_GROUP = "system:masters";

/** The first address of an IPv4 range (`10.96.0.0/12` → `10.96.0.1`): the nested `kubernetes` Service's cluster IP. */
export function firstServiceIp(cidr: string): string {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!match) throw new Error(`not an IPv4 range: ${cidr}`);
  const octets = match.slice(1, 5).map(Number);
  const bits = Number(match[5]);
  if (octets.some((o) => o > 255) || bits < 1 || bits > 30) throw new Error(`not an IPv4 range: ${cidr}`);
  const address = octets.reduce((n, o) => n * 256 + o, 0);
  const size = 2 ** (32 - bits);
  const network = address - (address % size);
  const first = network + 1;
  return [24, 16, 8, 0].map((shift) => Math.floor(first / 2 ** shift) % 256).join(".");
}

/** A Service's DNS names within its cluster: `svc`, `svc.ns`, `svc.ns.svc`, `svc.ns.svc.<domain>`. */
export function serviceDnsNames(service: string, namespace: string, domain: string): string[] {
  return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.${domain}`];
}

/** The apiserver serving certificate's SANs: the nested cluster's own names, the host Service's names and addresses, loopback, exposure. */
export function apiserverAltNames(e: ControlPlaneEndpoints): string[] {
  return [
    "kubernetes",
    "kubernetes.default",
    "kubernetes.default.svc",
    `kubernetes.default.svc.${e.clusterDomain}`,
    ...serviceDnsNames(e.apiserverService, e.namespace, e.hostClusterDomain),
    "localhost",
    firstServiceIp(e.serviceCidr),
    "127.0.0.1",
    ...(e.apiserverClusterIp ? [e.apiserverClusterIp] : []),
    ...e.externalAddresses,
  ];
}

/** etcd's server and peer SANs: its Services' names, each member's stable name, loopback. */
export function etcdAltNames(e: ControlPlaneEndpoints): string[] {
  const members = Array.from({ length: e.etcdReplicas }, (_, i) => `${e.etcdStatefulSet}-${i}`);
  return [
    ...serviceDnsNames(e.etcdClientService, e.namespace, e.hostClusterDomain),
    ...serviceDnsNames(e.etcdPeerService, e.namespace, e.hostClusterDomain),
    ...members.flatMap((m) => [m, `${m}.${e.etcdPeerService}.${e.namespace}.svc`, `${m}.${e.etcdPeerService}.${e.namespace}.svc.${e.hostClusterDomain}`]),
    "localhost",
    "127.0.0.1",
  ];
}

// What each leaf is: its issuer, subject and usage (as kubeadm's certs phase defines them).
function leafRequests(e: ControlPlaneEndpoints, validDays: number): Record<LeafName, { ca: CaName; request: LeafRequest }> {
  const leaf = (ca: CaName, request: Omit<LeafRequest, "validDays">) => ({ ca, request: { ...request, validDays } });
  const etcdNames = etcdAltNames(e);
  return {
    apiserver: leaf("ca", { commonName: "kube-apiserver", usage: "server", altNames: apiserverAltNames(e) }),
    "apiserver-kubelet-client": leaf("ca", { commonName: "kube-apiserver-kubelet-client", organizations: ["kubeadm:cluster-admins"], usage: "client" }),
    "front-proxy-client": leaf("front-proxy-ca", { commonName: "front-proxy-client", usage: "client" }),
    "etcd-server": leaf("etcd-ca", { commonName: `${e.etcdStatefulSet}`, usage: "server-client", altNames: etcdNames }),
    "etcd-peer": leaf("etcd-ca", { commonName: `${e.etcdStatefulSet}-peer`, usage: "server-client", altNames: etcdNames }),
    "etcd-healthcheck-client": leaf("etcd-ca", { commonName: "kube-etcd-healthcheck-client", usage: "client" }),
    "apiserver-etcd-client": leaf("etcd-ca", { commonName: "kube-apiserver-etcd-client", usage: "client" }),
    admin: leaf("ca", { commonName: ADMIN_USER, organizations: [ADMIN_GROUP], usage: "client" }),
    "controller-manager": leaf("ca", { commonName: "system:kube-controller-manager", usage: "client" }),
    scheduler: leaf("ca", { commonName: "system:kube-scheduler", usage: "client" }),
  };
}

async function issueLeaves(cas: Record<CaName, KeyedCertificate>, e: ControlPlaneEndpoints, options: Required<Omit<PkiOptions, "now">> & { now?: Date }) {
  const requests = leafRequests(e, options.leafValidDays);
  const issued = await Promise.all(
    LEAF_NAMES.map(async (name) => [name, await issueLeaf(cas[requests[name].ca], requests[name].request, { algorithm: options.algorithm, now: options.now })] as const),
  );
  return Object.fromEntries(issued) as Record<LeafName, KeyedCertificate>;
}

function withDefaults(options: PkiOptions) {
  return {
    algorithm: options.algorithm ?? ("ecdsa-p256" as const),
    caValidDays: options.caValidDays ?? DEFAULT_CA_VALID_DAYS,
    leafValidDays: options.leafValidDays ?? DEFAULT_LEAF_VALID_DAYS,
    now: options.now,
  };
}

/** Makes a control plane's whole PKI. */
export async function createClusterPki(endpoints: ControlPlaneEndpoints, options: PkiOptions = {}): Promise<ClusterPki> {
  const o = withDefaults(options);
  const [ca, frontProxyCa, etcdCa, saKeys] = await Promise.all([
    createCa("kubernetes", { validDays: o.caValidDays, algorithm: o.algorithm, now: o.now }),
    createCa("front-proxy-ca", { validDays: o.caValidDays, algorithm: o.algorithm, now: o.now }),
    createCa("etcd-ca", { validDays: o.caValidDays, algorithm: o.algorithm, now: o.now }),
    generateKeyPair(o.algorithm),
  ]);
  const cas = { ca, "front-proxy-ca": frontProxyCa, "etcd-ca": etcdCa };
  return {
    algorithm: o.algorithm,
    cas,
    leaves: await issueLeaves(cas, endpoints, o),
    serviceAccount: { keyPem: await privateKeyPem(saKeys.privateKey), publicKeyPem: await publicKeyPem(saKeys.publicKey) },
  };
}

/**
 * Renews every leaf certificate (new keys, new validity) under the same CAs, as
 * `kubeadm certs renew all` does: clients that trust the CA keep trusting the control plane,
 * and the service-account key stays, so issued tokens stay valid.
 */
export async function rotateLeaves(pki: ClusterPki, endpoints: ControlPlaneEndpoints, options: Omit<PkiOptions, "algorithm" | "caValidDays"> = {}): Promise<ClusterPki> {
  const o = withDefaults({ ...options, algorithm: pki.algorithm });
  return { ...pki, leaves: await issueLeaves(pki.cas, endpoints, o) };
}

/** One certificate's expiry, for the UI. */
export interface CertificateExpiry {
  name: CaName | LeafName;
  isCa: boolean;
  notAfter: Date;
}

/** When each certificate of the PKI expires, soonest first. */
export function certificateExpiries(pki: ClusterPki): CertificateExpiry[] {
  const entries: CertificateExpiry[] = [
    ...CA_NAMES.map((name) => ({ name, isCa: true, notAfter: readCertificate(pki.cas[name].certPem).notAfter })),
    ...LEAF_NAMES.map((name) => ({ name, isCa: false, notAfter: readCertificate(pki.leaves[name].certPem).notAfter })),
  ];
  return entries.sort((a, b) => a.notAfter.getTime() - b.notAfter.getTime());
}
