// Installs the stand-in CRDs and waits until the API server serves them.
import type { V1CustomResourceDefinition } from "@kubernetes/client-node";
import { standinCrds } from "./crds";
import { applyObject, type Kube } from "./kube";
import { hasTrueCondition, waitForObject } from "./wait";

const crdPath = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

/** Applies every stand-in CRD, then waits for each to be Established. */
export async function installStandinCrds(kube: Kube): Promise<void> {
  await Promise.all(standinCrds.map((crd) => applyObject(kube, crd)));
  await Promise.all(
    standinCrds.map((crd) =>
      waitForObject<V1CustomResourceDefinition>(kube.config, {
        path: crdPath,
        name: crd.metadata!.name!,
        predicate: (obj) => hasTrueCondition(obj, "Established"),
        timeoutMs: 30_000,
        what: `CRD ${crd.metadata!.name} to be Established`,
      }),
    ),
  );
}
