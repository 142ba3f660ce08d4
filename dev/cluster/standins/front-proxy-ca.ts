// The CA of the kube-apiserver's front-proxy client certificate, published by the apiserver itself in
// kube-system/extension-apiserver-authentication. Aggregated API servers trust requests signed by it.
import { orNotFound, type Kube } from "./kube";

/** Reads `requestheader-client-ca-file`; fails clearly when the aggregation layer is not configured. */
export async function readFrontProxyCa(kube: Kube): Promise<string> {
  const configMap = await orNotFound(
    kube.core.readNamespacedConfigMap({ namespace: "kube-system", name: "extension-apiserver-authentication" }),
  );
  const caPem = configMap?.data?.["requestheader-client-ca-file"];
  if (!caPem) {
    throw new Error(
      "kube-apiserver publishes no requestheader-client-ca-file: start it with --requestheader-client-ca-file, " +
        "--proxy-client-cert-file and --proxy-client-key-file so aggregated APIs (the KubeVirt/CDI stand-ins) can be reached",
    );
  }
  return caPem;
}
