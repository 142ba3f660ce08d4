// kwok plays the kubelets: it makes fake nodes Ready, moves scheduled pods through their
// phases, and answers the kubelet API (exec, port-forward, logs) on loopback.
//
// Since v0.8.0 kwok ships no built-in stages, so the config we hand it holds kwok's own
// "fast" stages (copied from its module zip at build time) plus our kubelet-API wiring.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { CertFiles } from "./pki";
import { POD_CIDR } from "./components";

/** kwok's stages we run: nodes become Ready and keep a Lease; pods run, Jobs' pods complete, deletions finish. */
const STAGE_FILES = [
  "stage/node/fast/node-initialize.yaml",
  "stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
  "stage/pod/fast/pod-ready.yaml",
  "stage/pod/fast/pod-complete.yaml",
  "stage/pod/fast/pod-delete.yaml",
];

/** Annotation that hands a Node to kwok (the same one kwokctl uses). */
export const KWOK_NODE_ANNOTATION = { key: "kwok.x-k8s.io/node", value: "fake" } as const;

export interface KwokFiles {
  configPath: string;
  /** Working directory of every command run through exec. */
  execDir: string;
  /** What `kubectl logs` returns for any container. */
  logsPath: string;
  /** Stands in for kwok's home, so a developer's ~/.kwok/kwok.yaml never leaks into a run. */
  homeDir: string;
}

/** Writes kwok's config (stages + exec/port-forward/logs for every pod) under `dir`. */
export function writeKwokConfig(dir: string, kustomizeDir: string, forwards: { sshdPort: number; spare: { podPort: number; localPort: number } }): KwokFiles {
  const files: KwokFiles = {
    configPath: path.join(dir, "kwok.yaml"),
    execDir: path.join(dir, "exec"),
    logsPath: path.join(dir, "container.log"),
    homeDir: path.join(dir, "home"),
  };
  for (const folder of [dir, files.execDir, files.homeDir]) mkdirSync(folder, { recursive: true });
  // kwok serves the file as a kubelet would: it must be in the CRI log format
  // ("<RFC 3339 time> <stream> <F|P> <text>"), and only the text reaches the client.
  writeFileSync(files.logsPath, `${new Date().toISOString()} stdout F minicloud local control plane: container started\n`);

  const kubeletApi = [
    // No selector: applies to every pod in every namespace.
    { apiVersion: "kwok.x-k8s.io/v1alpha1", kind: "ClusterExec", metadata: { name: "run-locally" }, spec: { execs: [{ local: { workDir: files.execDir } }] } },
    {
      apiVersion: "kwok.x-k8s.io/v1alpha1",
      kind: "ClusterPortForward",
      metadata: { name: "ssh-to-local-sshd" },
      spec: {
        forwards: [
          { ports: [22], target: { address: "127.0.0.1", port: forwards.sshdPort } },
          { ports: [forwards.spare.podPort], target: { address: "127.0.0.1", port: forwards.spare.localPort } },
        ],
      },
    },
    { apiVersion: "kwok.x-k8s.io/v1alpha1", kind: "ClusterLogs", metadata: { name: "fixed-log" }, spec: { logs: [{ logsFile: files.logsPath, follow: true }] } },
  ];
  const documents = [
    ...STAGE_FILES.map((file) => readFileSync(path.join(kustomizeDir, file), "utf8").trim()),
    ...kubeletApi.map((object) => JSON.stringify(object)),
  ];
  writeFileSync(files.configPath, `${documents.join("\n---\n")}\n`);
  return files;
}

export function kwokArgs(options: { kubeconfig: string; files: KwokFiles; port: number; serving: CertFiles }): string[] {
  return [
    `--config=${options.files.configPath}`,
    `--kubeconfig=${options.kubeconfig}`,
    `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION.key}=${KWOK_NODE_ANNOTATION.value}`,
    `--cidr=${POD_CIDR}`,
    "--node-ip=127.0.0.1",
    // One kwok serves the kubelet API of every node; nodes advertise this port.
    `--server-address=127.0.0.1:${options.port}`,
    `--node-port=${options.port}`,
    `--tls-cert-file=${options.serving.cert}`,
    `--tls-private-key-file=${options.serving.key}`,
    // Per-pod port-forwards of the pod runner (dev/cluster/pod-runner/) come from PortForward objects.
    "--enable-crds=PortForward",
    // Without a lease the node lifecycle controller marks nodes NotReady after 40 s.
    "--node-lease-duration-seconds=40",
  ];
}
