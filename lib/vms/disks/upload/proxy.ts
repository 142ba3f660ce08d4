// Where and how to reach CDI's upload proxy: its address from CDIConfig `config`
// (`status.uploadProxyURL`, often a bare host name: https:// is added), its CA from the signer
// bundle CDI publishes, and a short-lived token for one DataVolume from an UploadTokenRequest.
// The proxy's address and CA are read with the panel's own credentials (cluster-wide objects a
// team may not read); the token is asked for as the team (it may upload into its own claims).
import { CustomObjectsApi, CoreV1Api } from "@kubernetes/client-node";
import { UnavailableError } from "@/lib/errors";
import type { ClusterConnection } from "@/lib/kube/clients";
import { kube, kubeOrNull } from "@/lib/kube/transport";
import type { TeamClusterContext } from "@/lib/workloads/cluster-context";
import { CDI, CDI_UPLOAD, UPLOAD_PROXY_CA, type CdiConfig } from "@/lib/vms/disks/cdi";

/** The upload proxy's base URL and the CA its certificate must chain to. */
export interface UploadProxyAddress {
  url: string;
  caPem: string;
}

const NOT_PUBLISHED = "CDI has not published its upload proxy yet (CDIConfig has no uploadProxyURL), so uploads are not possible right now. Try again in a moment, or ask an admin to check CDI.";

/** `uploadProxyURL` as a base URL: https:// added to a bare host, only https, no path, user info, query or fragment. Null when unusable. */
export function uploadProxyBaseUrl(raw: string | undefined): string | null {
  const text = raw?.trim();
  if (!text) return null;
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" || url.username || url.password || url.search || url.hash || (url.pathname !== "/" && url.pathname !== "")) return null;
  return url.origin;
}

/** Reads where the upload proxy is and its CA; UnavailableError (in plain words) when CDI has not published them. */
export async function readUploadProxy(connection: ClusterConnection): Promise<UploadProxyAddress> {
  const [config, bundle] = await Promise.all([
    kubeOrNull(connection, "read CDI's configuration", () =>
      connection.kc.makeApiClient(CustomObjectsApi).getClusterCustomObject({ group: CDI.group, version: CDI.version, plural: CDI.cdiConfigs, name: "config" }),
    ) as Promise<CdiConfig | null>,
    kubeOrNull(connection, "read CDI's upload proxy CA", () => connection.kc.makeApiClient(CoreV1Api).readNamespacedConfigMap({ namespace: UPLOAD_PROXY_CA.namespace, name: UPLOAD_PROXY_CA.name })),
  ]);
  const url = uploadProxyBaseUrl(config?.status?.uploadProxyURL);
  if (!url) throw new UnavailableError(NOT_PUBLISHED);
  const caPem = bundle?.data?.[UPLOAD_PROXY_CA.key];
  if (!caPem?.includes("-----BEGIN CERTIFICATE-----")) throw new UnavailableError("CDI has not published the CA of its upload proxy yet (ConfigMap cdi/cdi-uploadproxy-signer-bundle), so the panel cannot check the proxy. Try again in a moment.");
  return { url, caPem };
}

/** A token for uploading into `claimName` (CDI's tokens live five minutes: ask right before the upload). */
export async function requestUploadToken(ctx: Pick<TeamClusterContext, "connection" | "kc" | "namespace">, claimName: string): Promise<string> {
  const answer = (await kube(ctx.connection, `ask for an upload token for ${claimName}`, () =>
    ctx.kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      group: CDI_UPLOAD.group,
      version: CDI_UPLOAD.version,
      namespace: ctx.namespace,
      plural: CDI_UPLOAD.tokenRequests,
      body: { apiVersion: `${CDI_UPLOAD.group}/${CDI_UPLOAD.version}`, kind: "UploadTokenRequest", metadata: { name: claimName, namespace: ctx.namespace }, spec: { pvcName: claimName } },
    }),
  )) as { status?: { token?: unknown } };
  const token = answer.status?.token;
  if (typeof token !== "string" || token.length === 0 || token.length > 16_384) throw new UnavailableError("CDI did not issue an upload token. Try again in a moment.");
  return token;
}
