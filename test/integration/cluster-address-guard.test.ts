// A registered cluster's host name is vetted again at every connection the panel opens to it
// (lib/clusters/server-address.ts `guardedLookup`, installed by lib/kube/clients.ts): here a
// name first resolves to a fair address (a loopback stand-in for an API server, loopback allowed)
// and then to the metadata address, as a DNS server rebinding it would answer — for API calls
// (client-node's fetch) and for the https requests that streams and probes make.
import https, { createServer as createHttpsServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { ADDRESS_REFUSED, guardedLookup, type AddressPolicy } from "@/lib/clusters/server-address";
import { sealSecret } from "@/lib/crypto/secret-box";
import { getEnv } from "@/lib/env";
import { CancellableKubeConfig } from "@/lib/kube/call-deadline";
import { buildConnection, kubeconfigSealContext } from "@/lib/kube/clients";
import { kube } from "@/lib/kube/transport";
import { createCa, issueLeaf } from "@/lib/pki/certificates";

const HOST = "api.rebinding.example";
const LOOPBACK_ALLOWED: AddressPolicy = { allowLoopback: true, panel: { host: "127.0.0.1", port: 3000, publicUrl: "http://127.0.0.1:3000" } };
const EMPTY_LIST = JSON.stringify({ kind: "NamespaceList", apiVersion: "v1", metadata: {}, items: [] });

describe("connections to a registered cluster vet its address again", () => {
  let server: Server;
  let port: number;
  let caPem: string;
  let requests = 0;
  /** What the (stand-in) DNS answers for HOST now. */
  let resolvesTo = "127.0.0.1";

  beforeAll(async () => {
    const ca = await createCa("rebinding test CA", { validDays: 1, algorithm: "ecdsa-p256" });
    const leaf = await issueLeaf(ca, { commonName: HOST, usage: "server", altNames: [HOST], validDays: 1 }, { algorithm: "ecdsa-p256" });
    caPem = ca.certPem;
    server = createHttpsServer({ cert: leaf.certPem, key: leaf.keyPem }, (_req, res) => {
      requests++;
      res.writeHead(200, { "Content-Type": "application/json" }).end(EMPTY_LIST);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => server?.close());

  /** The client config of a cluster registered as https://HOST:port, resolving HOST as the stand-in DNS says. */
  function registered(): CancellableKubeConfig {
    const kc = new CancellableKubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "rebinding", server: `https://${HOST}:${port}`, caData: Buffer.from(caPem).toString("base64"), skipTLSVerify: false }],
      users: [{ name: "panel", token: "panel-token" }],
      contexts: [{ name: "rebinding", cluster: "rebinding", user: "panel" }],
      currentContext: "rebinding",
    });
    kc.connectLookup = guardedLookup(port, LOOPBACK_ALLOWED, (_hostname, callback) => callback(null, [{ address: resolvesTo, family: 4 }]));
    return kc;
  }

  it("API calls go while the name resolves to a fair address, and stop, in words and before sending anything, once it resolves to the metadata address", async () => {
    const kc = registered();
    const list = () => kube({ id: "rebinding", name: "rebinding" }, "list namespaces", () => kc.makeApiClient(CoreV1Api).listNamespace());
    resolvesTo = "127.0.0.1";
    expect((await list()).items).toEqual([]);
    const before = requests;
    resolvesTo = "169.254.169.254";
    await expect(list()).rejects.toThrow(/now resolves to an address the panel does not connect to/);
    expect(requests).toBe(before);
  });

  it("so do the https requests of streams and probes", async () => {
    const kc = registered();
    const get = async () => {
      const options: https.RequestOptions = {};
      await kc.applyToHTTPSOptions(options);
      return new Promise<number | string>((resolve) =>
        https
          .get(`https://${HOST}:${port}/api/v1/namespaces`, options, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          })
          .on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "no code")),
      );
    };
    resolvesTo = "127.0.0.1";
    expect(await get()).toBe(200);
    const before = requests;
    resolvesTo = "169.254.169.254";
    expect(await get()).toBe(ADDRESS_REFUSED);
    expect(requests).toBe(before);
  });

  it("every cluster registered with a kubeconfig gets the guard (its team configs too); the built-in and in-cluster ones do not", () => {
    const kubeconfig = stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "c", cluster: { server: `https://${HOST}:${port}`, "certificate-authority-data": Buffer.from(caPem).toString("base64") } }],
      users: [{ name: "u", user: { token: "panel-token" } }],
      contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
      "current-context": "x",
    });
    const row = (id: string, builtIn: boolean) => ({
      id,
      name: id,
      inCluster: false,
      builtIn,
      kubeconfigEncrypted: sealSecret(getEnv().encryptionKey, kubeconfigSealContext(id), kubeconfig),
      settings: { impersonation: true },
    });
    const registeredConnection = buildConnection(row("00000000-0000-4000-8000-000000000001", false));
    expect((registeredConnection.kc as CancellableKubeConfig).connectLookup).toBeTypeOf("function");
    expect((registeredConnection.forTeam("team") as CancellableKubeConfig).connectLookup).toBe((registeredConnection.kc as CancellableKubeConfig).connectLookup);
    expect((buildConnection(row("00000000-0000-4000-8000-000000000002", true)).kc as CancellableKubeConfig).connectLookup).toBeUndefined();
  });
});
