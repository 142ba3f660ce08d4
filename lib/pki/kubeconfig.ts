// Kubeconfigs for a control plane's clients (admin, controller-manager, scheduler, a team),
// written with the `yaml` package from values we made: inline data only, no file references.
import { stringify } from "yaml";
import type { KeyedCertificate } from "@/lib/pki/certificates";

export interface KubeconfigParams {
  /** The cluster's and context's name. */
  clusterName: string;
  /** The apiserver's URL as this client reaches it. */
  server: string;
  /** The CA that signed the apiserver's serving certificate. */
  caPem: string;
  /** The name to verify the serving certificate against when `server` is an address it does not name (a tunnel). */
  tlsServerName?: string;
  /** The user's name in the kubeconfig. */
  userName: string;
  /** A client certificate, or a bearer token. */
  credentials: { certificate: KeyedCertificate } | { token: string };
  /** The context's default namespace. */
  namespace?: string;
}

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

/** A kubeconfig (YAML text) with one cluster, one user and one current context. */
export function kubeconfigYaml(p: KubeconfigParams): string {
  const user =
    "certificate" in p.credentials
      ? { "client-certificate-data": b64(p.credentials.certificate.certPem), "client-key-data": b64(p.credentials.certificate.keyPem) }
      : { token: p.credentials.token };
  const context = `${p.userName}@${p.clusterName}`;
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: p.clusterName, cluster: { server: p.server, "certificate-authority-data": b64(p.caPem), ...(p.tlsServerName && { "tls-server-name": p.tlsServerName }) } }],
    users: [{ name: p.userName, user }],
    contexts: [{ name: context, context: { cluster: p.clusterName, user: p.userName, ...(p.namespace && { namespace: p.namespace }) } }],
    "current-context": context,
  });
}
