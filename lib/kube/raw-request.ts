// A request to an API path no typed client covers — KubeVirt's aggregated subresources
// (`PUT …/virtualmachines/<name>/start`) — sent the way typed clients send theirs: the
// config's credentials, its impersonation headers and the deadline of the surrounding
// `kube()` call all apply. Call it inside `kube()` so the answer is mapped to the panel's
// error vocabulary.
import { ApiException, createConfiguration, HttpMethod, ServerConfiguration, type KubeConfig } from "@kubernetes/client-node";

/** Sends `method` to `path` (absolute, from `/apis/…`) with an optional JSON body; resolves on 2xx, throws ApiException otherwise. */
export async function kubeRawRequest(kc: KubeConfig, method: "GET" | "PUT", path: string, body?: unknown): Promise<void> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error("No active cluster!");
  const config = createConfiguration({ baseServer: new ServerConfiguration(cluster.server, {}), authMethods: { default: kc } });
  const request = config.baseServer.makeRequestContext(path, method === "PUT" ? HttpMethod.PUT : HttpMethod.GET);
  request.setHeaderParam("Accept", "application/json");
  if (body !== undefined) {
    request.setHeaderParam("Content-Type", "application/json");
    request.setBody(JSON.stringify(body));
  }
  await kc.applySecurityAuthentication(request);
  const response = await config.httpApi.send(request).toPromise();
  if (response.httpStatusCode >= 200 && response.httpStatusCode <= 299) return;
  const text = await response.getBodyAsAny();
  throw new ApiException(response.httpStatusCode, "Unsuccessful HTTP Request", typeof text === "string" ? text : text?.toString("utf8"), response.headers);
}
