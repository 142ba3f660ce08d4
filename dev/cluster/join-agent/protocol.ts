// What `kubeadm join` does for a worker, step by step, against a real apiserver — the stand-in
// for the kubeadm + kubelet a worker image carries:
//   preflight   token discovery: the untrusted GET of kube-public/cluster-info (anonymous), the
//               JWS signature for our token id (the bootstrapsigner's) checked with the token,
//               the CA in it checked against the pinned hashes, the same object fetched again
//               trusting that CA; then kubeadm-config and kubelet-config read as the bootstrapper;
//   kubelet-start   the kubelet's TLS bootstrap: a CSR for `system:node:<name>` / `system:nodes`
//               created as `system:bootstrap:<id>`, approved by the controller-manager's
//               csrapprover and signed by its signer; the certificate is the node's credential.
// Failures carry kubeadm's own wording and phase, so they read as a real join's would.
import { parse } from "yaml";
import { caCertHash, caMatchesPins } from "@/lib/nested/bootstrap/ca-hash";
import type { JoinCommand } from "@/lib/nested/bootstrap/join-command";
import { detachedSignatureIsValid, jwsKeyFor } from "@/lib/nested/bootstrap/jws";
import { tokenString } from "@/lib/nested/bootstrap/token";
import { privateKeyPem } from "@/lib/pki/keys";
import { x509 } from "@/lib/pki/x509";
import { apiRequest, statusMessage, type Endpoint } from "./http";

/** A join that failed: the phase and kubeadm's words. */
export class JoinFailed extends Error {
  constructor(
    readonly phase: "preflight" | "kubelet-start",
    readonly reason: string,
  ) {
    super(`error execution phase ${phase}: ${reason}`);
  }
}

export interface JoinTimings {
  /** How long discovery retries while cluster-info has no signature for the token (kubeadm: 5 min). */
  discoveryTimeoutMs: number;
  /** How long the TLS bootstrap waits for the signed certificate (kubeadm: 4 min). */
  bootstrapTimeoutMs: number;
  retryMs: number;
}

export const defaultJoinTimings: JoinTimings = { discoveryTimeoutMs: 60_000, bootstrapTimeoutMs: 120_000, retryMs: 1000 };

/** A node's credentials once it joined. */
export interface JoinedNode {
  nodeName: string;
  endpoint: Endpoint;
  caPem: string;
  certPem: string;
  keyPem: string;
}

const CLUSTER_INFO = "/api/v1/namespaces/kube-public/configmaps/cluster-info";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface ClusterInfo {
  data?: Record<string, string>;
}

/** Token discovery: the cluster's CA, trusted because the token signed it and the pin names its key. */
async function discover(join: JoinCommand, endpoint: Endpoint, timings: JoinTimings, log: (line: string) => void): Promise<string> {
  const { id, secret } = join.token;
  const deadline = Date.now() + timings.discoveryTimeoutMs;
  let info: ClusterInfo;
  let signature: string | undefined;
  let said = "";
  for (;;) {
    let problem: string;
    try {
      const answer = await apiRequest(endpoint, { insecure: true }, "GET", CLUSTER_INFO);
      if (answer.status === 200) {
        info = answer.json<ClusterInfo>();
        signature = info.data?.[jwsKeyFor(id)];
        if (signature) break;
        problem = `token id "${id}" is invalid for this cluster or it has expired. Use "kubeadm token create" on the control-plane node to create a new valid token`;
      } else {
        problem = `failed to request the cluster-info ConfigMap: ${statusMessage(answer)}`;
      }
    } catch (error) {
      problem = `failed to request the cluster-info ConfigMap: ${(error as Error).message}`;
    }
    if (Date.now() > deadline) throw new JoinFailed("preflight", `couldn't validate the identity of the API Server: ${problem}`);
    // kubeadm retries until its discovery timeout; say each new problem once.
    if (problem !== said) log(`[discovery] ${problem}; retrying until ${Math.round(timings.discoveryTimeoutMs / 1000)} s have passed`);
    said = problem;
    await sleep(timings.retryMs);
  }
  const kubeconfig = info.data?.kubeconfig ?? "";
  if (!detachedSignatureIsValid(signature, kubeconfig, id, secret)) {
    throw new JoinFailed("preflight", "couldn't validate the identity of the API Server: failed to verify JWS signature of received cluster info object, can't trust this API Server");
  }
  let caPem: string;
  try {
    const parsed = parse(kubeconfig) as { clusters?: { cluster?: { "certificate-authority-data"?: string } }[] };
    caPem = Buffer.from(parsed.clusters?.[0]?.cluster?.["certificate-authority-data"] ?? "", "base64").toString("utf8");
    caCertHash(caPem);
  } catch {
    throw new JoinFailed("preflight", "couldn't validate the identity of the API Server: couldn't parse the kubeconfig file in the cluster-info ConfigMap");
  }
  if (!caMatchesPins(caPem, join.caCertHashes)) {
    throw new JoinFailed("preflight", `couldn't validate the identity of the API Server: cluster CA found in cluster-info ConfigMap is invalid: none of the public keys "${caCertHash(caPem)}" are pinned`);
  }
  // Now that the CA is trusted, the same object again over a verified connection.
  let again: ClusterInfo;
  try {
    const answer = await apiRequest(endpoint, { ca: caPem }, "GET", CLUSTER_INFO);
    if (answer.status !== 200) throw new Error(statusMessage(answer));
    again = answer.json<ClusterInfo>();
  } catch (error) {
    throw new JoinFailed("preflight", `couldn't validate the identity of the API Server: failed to request the cluster-info ConfigMap with the trusted CA: ${(error as Error).message}`);
  }
  if (again.data?.kubeconfig !== kubeconfig) {
    throw new JoinFailed("preflight", "couldn't validate the identity of the API Server: cluster info object changed between the insecure and the secure request");
  }
  log(`[discovery] cluster-info signed for token ${id} and its CA pinned (${caCertHash(caPem)})`);
  return caPem;
}

/** What join reads as the bootstrapper before the kubelet starts. */
async function readConfiguration(endpoint: Endpoint, caPem: string, token: string, nodeName: string): Promise<void> {
  for (const [name, what] of [
    ["kubeadm-config", "the kubeadm-config ConfigMap"],
    ["kubelet-config", "the kubelet-config ConfigMap"],
  ] as const) {
    const answer = await apiRequest(endpoint, { ca: caPem, token }, "GET", `/api/v1/namespaces/kube-system/configmaps/${name}`).catch((error: Error) => {
      throw new JoinFailed("preflight", `unable to fetch ${what}: ${error.message}`);
    });
    if (answer.status !== 200) throw new JoinFailed("preflight", `unable to fetch ${what}: ${statusMessage(answer)}`);
  }
  // join refuses to replace a Ready node of the same name.
  const node = await apiRequest(endpoint, { ca: caPem, token }, "GET", `/api/v1/nodes/${nodeName}`);
  if (node.status === 200) {
    const ready = node.json<{ status?: { conditions?: { type: string; status: string }[] } }>().status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
    if (ready) throw new JoinFailed("kubelet-start", `a Node with name "${nodeName}" and status "Ready" already exists in the cluster. You must delete the existing Node or change the name of this new joining Node`);
  } else if (node.status !== 404) {
    throw new JoinFailed("kubelet-start", `cannot get Node "${nodeName}": ${statusMessage(node)}`);
  }
}

interface Csr {
  metadata?: { name?: string };
  status?: { certificate?: string; conditions?: { type: string; reason?: string; message?: string }[] };
}

/** The kubelet's TLS bootstrap: a node client certificate from the cluster's signer. */
async function tlsBootstrap(endpoint: Endpoint, caPem: string, token: string, nodeName: string, timings: JoinTimings, log: (line: string) => void): Promise<{ certPem: string; keyPem: string }> {
  const keys = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const request = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `O=system:nodes, CN=system:node:${nodeName}`,
    keys,
    signingAlgorithm: { name: "ECDSA", hash: "SHA-256" },
  });
  const body = {
    apiVersion: "certificates.k8s.io/v1",
    kind: "CertificateSigningRequest",
    metadata: { generateName: "node-csr-" },
    spec: {
      request: Buffer.from(request.toString("pem")).toString("base64"),
      signerName: "kubernetes.io/kube-apiserver-client-kubelet",
      usages: ["digital signature", "client auth"],
    },
  };
  const fail = (reason: string) => new JoinFailed("kubelet-start", `error waiting for the kubelet to perform the TLS Bootstrap: ${reason}`);
  const created = await apiRequest(endpoint, { ca: caPem, token }, "POST", "/apis/certificates.k8s.io/v1/certificatesigningrequests", body).catch((error: Error) => {
    throw fail(error.message);
  });
  if (created.status !== 201) throw fail(statusMessage(created));
  const name = created.json<Csr>().metadata!.name!;
  log(`[kubelet-start] CSR ${name} created as system:bootstrap:${token.split(".")[0]}; waiting for approval and the certificate`);
  const deadline = Date.now() + timings.bootstrapTimeoutMs;
  for (;;) {
    const answer = await apiRequest(endpoint, { ca: caPem, token }, "GET", `/apis/certificates.k8s.io/v1/certificatesigningrequests/${name}`).catch(() => null);
    if (answer?.status === 200) {
      const csr = answer.json<Csr>();
      const refused = csr.status?.conditions?.find((c) => c.type === "Denied" || c.type === "Failed");
      if (refused) throw fail(`certificate signing request ${name} is ${refused.type.toLowerCase()}: ${refused.message ?? refused.reason ?? ""}`);
      if (csr.status?.certificate) {
        return { certPem: Buffer.from(csr.status.certificate, "base64").toString("utf8"), keyPem: await privateKeyPem(keys.privateKey) };
      }
    } else if (answer && answer.status !== 200) {
      throw fail(statusMessage(answer));
    }
    if (Date.now() > deadline) throw fail(`timed out waiting for certificate signing request ${name} to be approved and signed`);
    await sleep(timings.retryMs);
  }
}

/** Runs the join; resolves with the node's credentials or rejects with a JoinFailed. */
export async function performJoin(options: { join: JoinCommand; nodeName: string; endpoint: Endpoint; timings?: JoinTimings; log: (line: string) => void }): Promise<JoinedNode> {
  const { join, nodeName, endpoint, log } = options;
  const timings = options.timings ?? defaultJoinTimings;
  const caPem = await discover(join, endpoint, timings, log);
  const token = tokenString(join.token);
  await readConfiguration(endpoint, caPem, token, nodeName);
  const { certPem, keyPem } = await tlsBootstrap(endpoint, caPem, token, nodeName, timings, log);
  log(`[kubelet-start] node client certificate issued for system:node:${nodeName}`);
  return { nodeName, endpoint, caPem, certPem, keyPem };
}
