// Installs the stand-in CRDs and waits until the API server serves them.
import type { V1CustomResourceDefinition } from "@kubernetes/client-node";
import { standinCrds } from "./crds";
import { applyObject, standinLabelSelector, type Kube } from "./kube";
import { waitForObjects } from "../watch";
import { hasTrueCondition } from "./conditions";

/** Applies every stand-in CRD, then waits for each to be Established. */
export async function installStandinCrds(kube: Kube): Promise<void> {
  await Promise.all(standinCrds.map((crd) => applyObject(kube, crd)));
  const names = new Set(standinCrds.map((crd) => crd.metadata!.name!));
  await waitForObjects<V1CustomResourceDefinition>(
    kube.config,
    { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", labelSelector: standinLabelSelector },
    (crds) => crds.filter((crd) => names.has(crd.metadata!.name!) && hasTrueCondition(crd, "Established")).length === names.size,
    { timeoutMs: 30_000, description: "the stand-in CRDs to be Established" },
  );
}
