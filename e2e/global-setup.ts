// Starts the local Kubernetes control plane (dev/cluster) for the end-to-end specs: the
// admin registers it through the UI by uploading its kubeconfig, whose path specs read
// from E2E_KUBECONFIG (workers inherit the environment set here).
import { startLocalCluster } from "../dev/cluster/index";

export default async function globalSetup(): Promise<() => Promise<void>> {
  const cluster = await startLocalCluster({ log: (line) => console.log(`[cluster] ${line}`) });
  process.env.E2E_KUBECONFIG = cluster.kubeconfigPath;
  process.env.E2E_SSHD_AUTHORIZED_KEYS = cluster.sshd.authorizedKeysPath;
  return () => cluster.stop();
}
