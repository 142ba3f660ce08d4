// One local control plane per test run, shared by every suite in the `cluster` project.
import type { TestProject } from "vitest/node";
import { startLocalCluster } from "../../dev/cluster/index";

/** What tests read with `inject("cluster")`. */
export interface ProvidedCluster {
  kubeconfigPath: string;
  server: string;
  sshd: { port: number; user: string; authorizedKeysPath: string };
}

declare module "vitest" {
  export interface ProvidedContext {
    cluster: ProvidedCluster;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await startLocalCluster({ log: (line) => console.log(`[cluster] ${line}`) });
  project.provide("cluster", { kubeconfigPath: cluster.kubeconfigPath, server: cluster.server, sshd: cluster.sshd });
  return () => cluster.stop();
}
