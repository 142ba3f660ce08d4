// Registers the stand-in aggregated APIs with the kube-apiserver the way virt-operator and cdi-operator do:
// a Service per backend and an APIService per group/version. Endpoints cannot hold loopback addresses, so
// each Service is an ExternalName Service for `localhost`; the aggregator resolves an ExternalName Service
// to `<externalName>:<APIService port>`, i.e. to the stand-in's loopback port.
import type { V1APIService } from "@kubernetes/client-node";
import { uploadGroup, uploadVersion } from "./cdi";
import { subresourcesGroup } from "./discovery";
import { applyObject, standinLabels as labels, standinLabelSelector, type Kube } from "./kube";
import { waitForObjects } from "../watch";
import { hasTrueCondition } from "./conditions";

/** The Services the stand-in backs, named like the real ones; their DNS names go into the serving certificate. */
export const standinServices = [
  { namespace: "kubevirt", name: "virt-api" },
  { namespace: "cdi", name: "cdi-api" },
] as const;

/** DNS names the aggregator checks the backend's certificate against (`<service>.<namespace>.svc`). */
export const standinServiceDnsNames = standinServices.flatMap(({ namespace, name }) => [
  `${name}.${namespace}.svc`,
  `${name}.${namespace}.svc.cluster.local`,
]);


function apiService(group: string, version: string, service: { namespace: string; name: string }, port: number, caPem: string): V1APIService {
  return {
    apiVersion: "apiregistration.k8s.io/v1",
    kind: "APIService",
    metadata: { name: `${version}.${group}`, labels },
    spec: {
      group,
      version,
      service: { namespace: service.namespace, name: service.name, port },
      caBundle: Buffer.from(caPem).toString("base64"),
      groupPriorityMinimum: 1000,
      versionPriority: version === "v1" || version === "v1beta1" ? 15 : 10,
    },
  };
}

/** Applies Namespaces, ExternalName Services and APIServices, then waits until every APIService is Available. */
export async function registerAggregatedApis(kube: Kube, port: number, caPem: string): Promise<void> {
  for (const { namespace, name } of standinServices) {
    await applyObject(kube, { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace, labels } });
    await applyObject(kube, {
      apiVersion: "v1",
      kind: "Service",
      metadata: { namespace, name, labels },
      spec: { type: "ExternalName", externalName: "localhost", ports: [{ name: "https", port, protocol: "TCP" }] },
    });
  }
  const [virtApi, cdiApi] = standinServices;
  const services = [
    ...subresourcesGroup.versions.map((version) => apiService(subresourcesGroup.name, version, virtApi, port, caPem)),
    apiService(uploadGroup, uploadVersion, cdiApi, port, caPem),
  ];
  for (const service of services) await applyObject(kube, service);
  const names = new Set(services.map((service) => service.metadata!.name!));
  await waitForObjects<V1APIService>(
    kube.config,
    { apiVersion: "apiregistration.k8s.io/v1", kind: "APIService", labelSelector: standinLabelSelector },
    (found) => found.filter((s) => names.has(s.metadata!.name!) && hasTrueCondition(s, "Available")).length === names.size,
    { timeoutMs: 30_000, description: `APIServices ${[...names].join(", ")} to become Available` },
  );
}
