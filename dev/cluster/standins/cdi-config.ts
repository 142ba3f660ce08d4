// Publishes the upload proxy the way CDI does: CDIConfig "config" status.uploadProxyURL, and the
// proxy's CA in ConfigMap cdi/cdi-uploadproxy-signer-bundle so clients can verify its certificate.
import { cdiConfigPlural, cdiGroup, cdiVersion } from "./cdi";
import { applyObject, mergePatch, standinLabels as labels, type Kube } from "./kube";

/** Creates CDIConfig "config" and the signer bundle, and points both at the stand-in upload proxy. */
export async function publishUploadProxy(kube: Kube, uploadProxyUrl: string, caPem: string): Promise<void> {
  await applyObject(kube, {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { namespace: "cdi", name: "cdi-uploadproxy-signer-bundle", labels },
    data: { "ca-bundle.crt": caPem },
  });
  await applyObject(kube, { apiVersion: `${cdiGroup}/${cdiVersion}`, kind: "CDIConfig", metadata: { name: "config", labels }, spec: {} });
  await kube.custom.patchClusterCustomObjectStatus(
    {
      group: cdiGroup,
      version: cdiVersion,
      plural: cdiConfigPlural,
      name: "config",
      body: { status: { uploadProxyURL: uploadProxyUrl, scratchSpaceStorageClass: "", filesystemOverhead: { global: "0.055" } } },
    },
    mergePatch,
  );
}
