// kwok's PortForward objects (one per pod, named as the pod) that send a pod's ports to where
// the runner's process listens: the pod's loopback address, the same port. kwok serves the
// kubelet's port-forward with them, so `kubectl port-forward` and the panel reach the process.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { V1CustomResourceDefinition } from "@kubernetes/client-node";
import { parse } from "yaml";
import { isConflict, isNotFound, type Kube } from "../standins/kube";

const GROUP = "kwok.x-k8s.io";
const VERSION = "v1alpha1";
const PLURAL = "portforwards";
const CRD_NAME = `${PLURAL}.${GROUP}`;

/** Installs kwok's PortForward CRD (kwok watches it with `--enable-crds=PortForward`, but does not install it) and waits until it is served. */
export async function installPortForwardCrd(kube: Kube, kwokKustomizeDir: string): Promise<void> {
  const crd = parse(readFileSync(join(kwokKustomizeDir, "crd/bases/kwok.x-k8s.io_portforwards.yaml"), "utf8")) as V1CustomResourceDefinition;
  try {
    await kube.crds.createCustomResourceDefinition({ body: crd });
  } catch (error) {
    if (!isConflict(error)) throw error;
  }
  const deadline = Date.now() + 30_000;
  for (;;) {
    const current = await kube.crds.readCustomResourceDefinition({ name: CRD_NAME });
    if (current.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")) return;
    if (Date.now() > deadline) throw new Error(`${CRD_NAME} was not established within 30 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Makes (or replaces) the pod's PortForward: each port to `address`:port. */
export async function publishPortForward(kube: Kube, namespace: string, podName: string, address: string, ports: number[]): Promise<void> {
  const body = {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: "PortForward",
    metadata: { name: podName, namespace, labels: { "app.kubernetes.io/managed-by": "minicloud-pod-runner" } },
    spec: { forwards: ports.map((port) => ({ ports: [port], target: { address, port } })) },
  };
  try {
    await kube.custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, body });
  } catch (error) {
    if (!isConflict(error)) throw error;
    const current = (await kube.custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name: podName })) as { metadata: { resourceVersion: string } };
    await kube.custom.replaceNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural: PLURAL,
      name: podName,
      body: { ...body, metadata: { ...body.metadata, resourceVersion: current.metadata.resourceVersion } },
    });
  }
}

/** Removes the pod's PortForward (gone already is fine). */
export async function removePortForward(kube: Kube, namespace: string, podName: string): Promise<void> {
  try {
    await kube.custom.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name: podName });
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}
