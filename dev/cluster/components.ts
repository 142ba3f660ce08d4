// Command lines of the real Kubernetes components, all bound to 127.0.0.1.
import path from "node:path";
import type { ClusterPki } from "./pki";

/** Ranges the API server allocates from; nothing routes them, they only need to be valid. */
export const SERVICE_CIDR = "10.96.0.0/16";
export const POD_CIDR = "10.244.0.0/16";

export function etcdArgs(dataDir: string, ports: { client: number; peer: number }): string[] {
  const client = `http://127.0.0.1:${ports.client}`;
  const peer = `http://127.0.0.1:${ports.peer}`;
  return [
    "--name=minicloud",
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=minicloud=${peer}`,
    // Test data is disposable; skipping fsync makes every write (and so every API call) fast.
    "--unsafe-no-fsync",
    "--log-level=warn",
  ];
}

export function apiserverArgs(pki: ClusterPki, ports: { secure: number; etcd: number }): string[] {
  return [
    `--etcd-servers=http://127.0.0.1:${ports.etcd}`,
    "--bind-address=127.0.0.1",
    "--advertise-address=127.0.0.1",
    `--secure-port=${ports.secure}`,
    `--tls-cert-file=${pki.apiserverServing.cert}`,
    `--tls-private-key-file=${pki.apiserverServing.key}`,
    `--client-ca-file=${pki.ca.cert}`,
    "--authorization-mode=Node,RBAC",
    "--allow-privileged=true",
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
    `--service-account-key-file=${pki.serviceAccount.pub}`,
    `--service-account-signing-key-file=${pki.serviceAccount.key}`,
    // The endpoint reconciler would publish 127.0.0.1 as the `kubernetes` Service's endpoint,
    // which Endpoints validation rejects (loopback).
    "--endpoint-reconciler-type=none",
    // Nodes are kwok's: the apiserver reaches "kubelets" (exec, logs, port-forward) on their InternalIP.
    "--kubelet-preferred-address-types=InternalIP,Hostname",
    `--kubelet-client-certificate=${pki.apiserverKubeletClient.cert}`,
    `--kubelet-client-key=${pki.apiserverKubeletClient.key}`,
    // Aggregation layer: the apiserver proxies to APIServices with this client identity,
    // and aggregated servers trust the user headers because the front-proxy CA signed it.
    `--requestheader-client-ca-file=${pki.frontProxyCa.cert}`,
    "--requestheader-allowed-names=front-proxy-client",
    "--requestheader-username-headers=X-Remote-User",
    "--requestheader-group-headers=X-Remote-Group",
    "--requestheader-extra-headers-prefix=X-Remote-Extra-",
    `--proxy-client-cert-file=${pki.frontProxyClient.cert}`,
    `--proxy-client-key-file=${pki.frontProxyClient.key}`,
    "--profiling=false",
  ];
}

export function controllerManagerArgs(pki: ClusterPki, kubeconfig: string, port: number): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    "--bind-address=127.0.0.1",
    `--secure-port=${port}`,
    "--leader-elect=false",
    `--service-account-private-key-file=${pki.serviceAccount.key}`,
    `--root-ca-file=${pki.ca.cert}`,
    `--cluster-signing-cert-file=${pki.ca.cert}`,
    `--cluster-signing-key-file=${pki.ca.key}`,
    `--cluster-cidr=${POD_CIDR}`,
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    "--profiling=false",
  ];
}

export function schedulerArgs(kubeconfig: string, port: number): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    "--bind-address=127.0.0.1",
    `--secure-port=${port}`,
    "--leader-elect=false",
    "--profiling=false",
  ];
}

/** Where each component keeps its kubeconfig inside the run directory. */
export function kubeconfigPathFor(dir: string, component: string): string {
  return path.join(dir, `${component}.kubeconfig`);
}
