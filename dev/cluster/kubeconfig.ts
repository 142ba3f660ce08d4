// Kubeconfig files for the control plane's clients.
import { readFileSync, writeFileSync } from "node:fs";
import type { CertFiles } from "./pki";

/**
 * Writes a kubeconfig with one cluster, one client-certificate user and a current context.
 * Certificates are embedded (not file paths) so the content stays valid when a test stores
 * it elsewhere, the way the panel keeps registered clusters' kubeconfigs.
 */
export function writeKubeconfig(target: string, options: { server: string; caFile: string; user: string; client: CertFiles }): void {
  const base64 = (file: string) => readFileSync(file).toString("base64");
  // JSON is valid YAML; client-go and client-node both read it.
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "minicloud-local", cluster: { server: options.server, "certificate-authority-data": base64(options.caFile) } }],
    users: [
      {
        name: options.user,
        user: { "client-certificate-data": base64(options.client.cert), "client-key-data": base64(options.client.key) },
      },
    ],
    contexts: [{ name: "minicloud-local", context: { cluster: "minicloud-local", user: options.user } }],
    "current-context": "minicloud-local",
    preferences: {},
  };
  writeFileSync(target, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}
