// Registering a cluster never turns the panel against itself. Hostile kubeconfigs (file and
// program references, special files, the panel's own address, metadata addresses) are refused
// before anything is read or sent; hostile servers (HTML pages, JSON messages, endless or
// silent answers, untrusted certificates, 200 with something other than discovery) get our own
// words, never their text and never a server error; TLS switched off is an explicit, audited
// choice; one cluster is registered once; and nothing the panel says or logs meanwhile holds
// one of its secrets.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, vi } from "vitest";
import { listContextsAction, registerClusterAction } from "@/app/(panel)/admin/clusters/actions";
import { executeAction } from "@/lib/actions/define-action";
import { disconnectCluster, getCluster, listClusters, registerCluster } from "@/lib/clusters/service";
import { clusters } from "@/lib/db/schema";
import { getEnv } from "@/lib/env";
import { AppError, ConflictError, UnavailableError, ValidationError } from "@/lib/errors";
import { KUBECONFIG_TOO_LARGE } from "@/lib/kube/kubeconfig-size";
import { createPki } from "@/dev/cluster/pki";
import { auditRows, callerFor, createUser } from "./cluster-fixtures";
import { clusterKubeconfigPath, test, uniqueName, useDatabase } from "./helpers";

type Doc = {
  clusters: { name: string; cluster: Record<string, unknown> }[];
  users: { name: string; user: Record<string, unknown> }[];
  contexts: { name: string; context: Record<string, unknown> }[];
  [key: string]: unknown;
};
const localText = () => readFileSync(clusterKubeconfigPath(), "utf8");
const localDoc = (): Doc => parse(localText()) as Doc;

/** The local kubeconfig with its cluster and user sections changed. */
function variant(cluster: Record<string, unknown> = {}, user: Record<string, unknown> = {}, drop: string[] = []): string {
  const doc = localDoc();
  doc.clusters[0]!.cluster = { ...doc.clusters[0]!.cluster, ...cluster };
  doc.users[0]!.user = { ...doc.users[0]!.user, ...user };
  for (const key of drop) {
    delete doc.clusters[0]!.cluster[key];
    delete doc.users[0]!.user[key];
  }
  return stringify(doc);
}

/** A kubeconfig for a server at `server` with a bearer token and TLS checks off (http needs that). */
const kubeconfigFor = (server: string) =>
  stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "c", cluster: { server, "insecure-skip-tls-verify": true } }],
    users: [{ name: "u", user: { token: "hostile-test-token" } }],
    contexts: [{ name: "c", context: { cluster: "c", user: "u" } }],
    "current-context": "c",
  });

const PEER_TEXT = "PEER-SAYS-SOMETHING-SECRET";

/** A loopback HTTP server that answers every request with `handler`. */
async function hostileServer(handler: (req: IncomingMessage, res: ServerResponse) => void, tls?: { cert: string; key: string }): Promise<{ url: string; server: Server }> {
  const server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, handler) : createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `${tls ? "https" : "http"}://127.0.0.1:${port}`, server };
}

describe("registering a cluster: hostile servers", () => {
  const db = useDatabase();
  const servers: Server[] = [];
  const who = async () => {
    const user = await createUser(db(), { platformAdmin: true });
    return { userId: user.id, label: user.email };
  };
  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
  const serve = async (handler: (req: IncomingMessage, res: ServerResponse) => void, tls?: { cert: string; key: string }) => {
    const { url, server } = await hostileServer(handler, tls);
    servers.push(server);
    return url;
  };

  /** Registers against `server` (TLS off, chosen); returns the refusal, asserting nothing was stored. */
  async function refusalFrom(server: string): Promise<AppError> {
    const before = (await listClusters(db())).length;
    const call = registerCluster(db(), await who(), { name: uniqueName("hostile"), source: { kind: "kubeconfig", kubeconfig: kubeconfigFor(server), allowInsecureTls: true } });
    const error = await call.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError); // never a server error
    expect((await listClusters(db())).length).toBe(before);
    return error as AppError;
  }

  test("what a server answers is never echoed: HTML pages, JSON messages, 401s", async () => {
    const html = await serve((_req, res) => res.writeHead(200, { "Content-Type": "text/html" }).end(`<html><body>${PEER_TEXT}</body></html>`));
    const json500 = await serve((_req, res) => res.writeHead(500, { "Content-Type": "application/json" }).end(JSON.stringify({ kind: "Status", message: PEER_TEXT })));
    const json401 = await serve((_req, res) => res.writeHead(401, { "Content-Type": "application/json" }).end(JSON.stringify({ message: PEER_TEXT })));
    for (const [server, expected] of [
      [html, /does not look like a Kubernetes API server: its \/version answer is not a Kubernetes version/],
      [json500, /does not look like a Kubernetes API server: it answered HTTP 500 when asked to read the server version/],
      [json401, /rejected the panel's credentials \(401 Unauthorized\)/],
    ] as const) {
      const error = await refusalFrom(server);
      expect(error).toBeInstanceOf(UnavailableError);
      expect(error.message).toMatch(expected);
      expect(error.message).not.toContain(PEER_TEXT);
    }
  });

  test("a server that answers 200 with something other than Kubernetes discovery is told so, not crashed on", async () => {
    const versionOnly = await serve((req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(req.url === "/version" ? JSON.stringify({ gitVersion: "v1.35.4" }) : JSON.stringify({ hello: PEER_TEXT }));
    });
    const empty = await serve((_req, res) => res.writeHead(200, { "Content-Type": "application/json" }).end("{}"));
    expect((await refusalFrom(versionOnly)).message).toMatch(/does not look like a Kubernetes API server: its \/apis answer is not a list of API groups/);
    expect((await refusalFrom(empty)).message).toMatch(/does not look like a Kubernetes API server/);
  });

  test("an endless answer is cut at the size bound; a silent server at the time bound", async () => {
    const endless = await serve((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (res.write(chunk));
      };
      res.on("drain", pump);
      pump();
    });
    const silent = await serve(() => {}); // accepts, never answers
    expect((await refusalFrom(endless)).message).toMatch(/was larger than 1024 KiB/);
    const timedOut = await refusalFrom(silent);
    expect(timedOut.message).toMatch(/did not answer within 10 s \(while trying to read the server version\)/);
  }, 90_000);

  test("an untrusted certificate is a TLS failure naming the certificate's subject and fingerprint", async () => {
    const pki = await createPki(mkdtempSync(path.join(tmpdir(), "minicloud-other-pki-")));
    const impostor = await serve((_req, res) => res.end(PEER_TEXT), { cert: readFileSync(pki.apiserverServing.cert, "utf8"), key: readFileSync(pki.apiserverServing.key, "utf8") });
    // The local cluster's own CA and credentials, pointed at a server with another CA's certificate.
    const error = registerCluster(db(), await who(), { name: uniqueName("impostor"), source: { kind: "kubeconfig", kubeconfig: variant({ server: impostor }) } });
    await expect(error).rejects.toBeInstanceOf(UnavailableError);
    await expect(error).rejects.toThrow(/failed the TLS check: its TLS certificate (chain )?is not trusted; it presented a certificate with subject “CN=kube-apiserver”, SHA-256 fingerprint ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
  });

  test("addresses: the panel's own, link-local and metadata addresses are refused before anything is sent", async () => {
    const env = getEnv();
    let contacted = 0;
    const panelLike = await serve((_req, res) => {
      contacted++;
      res.end("{}");
    });
    for (const [server, expected] of [
      [`http://127.0.0.1:${env.port}`, /the panel's own address/],
      [env.publicUrl, /the panel's own address/],
      ["http://169.254.169.254", /link-local or metadata address/],
      ["http://[fe80::1]:6443", /link-local or metadata address/],
      ["http://[::ffff:169.254.169.254]", /link-local or metadata address/],
      ["ftp://10.0.0.1", /must be an https:\/\/ address/],
      [`http://user:pass@${new URL(panelLike).host}`, /must not carry a user name or password/],
    ] as const) {
      const call = registerCluster(db(), await who(), { name: uniqueName("addr"), source: { kind: "kubeconfig", kubeconfig: kubeconfigFor(server), allowInsecureTls: true } });
      await expect(call, server).rejects.toBeInstanceOf(ValidationError);
      await expect(call, server).rejects.toMatchObject({ fieldErrors: { kubeconfig: expect.stringMatching(expected) } });
    }
    expect(contacted).toBe(0);
  });
});

describe("registering a cluster: TLS off, identity, cleanup scope", () => {
  const db = useDatabase();
  const who = async () => {
    const user = await createUser(db(), { platformAdmin: true });
    return { userId: user.id, label: user.email };
  };
  const disconnect = async (id: string, name: string) => disconnectCluster(db(), await who(), { clusterId: id, confirmName: name, deleteObjects: false });

  test("TLS verification switched off is refused unless chosen; chosen, it is audited and shown on the cluster", async () => {
    const insecure = variant({ "insecure-skip-tls-verify": true }, {}, ["certificate-authority-data"]);
    const contexts = await executeAction(listContextsAction.definition, await callerFor(db(), await createUser(db(), { platformAdmin: true })), { kubeconfig: insecure }, db());
    expect(contexts.result).toEqual([{ name: "minicloud-local", server: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/), insecure: true }]);

    const name = uniqueName("insecure");
    const refused = registerCluster(db(), await who(), { name, source: { kind: "kubeconfig", kubeconfig: insecure } });
    await expect(refused).rejects.toMatchObject({ fieldErrors: { allowInsecureTls: expect.stringContaining("connects without verifying TLS") } });
    expect((await listClusters(db())).some((c) => c.name === name)).toBe(false);
    // Plain http:// is TLS off too.
    const http = registerCluster(db(), await who(), { name, source: { kind: "kubeconfig", kubeconfig: variant({ server: "http://10.1.2.3:8080" }) } });
    await expect(http).rejects.toMatchObject({ fieldErrors: { allowInsecureTls: expect.stringContaining("connects without verifying TLS") } });

    const { cluster } = await registerCluster(db(), await who(), { name, source: { kind: "kubeconfig", kubeconfig: insecure, allowInsecureTls: true } });
    expect(cluster.insecureTls).toBe(true);
    expect((await getCluster(db(), cluster.id))?.insecureTls).toBe(true);
    const [audit] = (await auditRows(db(), "cluster.register")).filter((r) => r.targetId === cluster.id);
    expect(audit!.detail).toMatchObject({ insecureTls: true });
    await disconnect(cluster.id, name);
  });

  test("a second registration of the same cluster is refused, naming the first, under any name or credentials", async () => {
    const first = uniqueName("first");
    const { cluster } = await registerCluster(db(), await who(), { name: first, source: { kind: "kubeconfig", kubeconfig: localText() } });
    const [row] = await db().select().from(clusters).where(eq(clusters.id, cluster.id));
    expect(row!.identity).toMatch(/^[0-9a-f-]{36}$/);
    const second = registerCluster(db(), await who(), { name: uniqueName("second"), source: { kind: "kubeconfig", kubeconfig: localText() } });
    await expect(second).rejects.toBeInstanceOf(ConflictError);
    await expect(second).rejects.toThrow(`This cluster is already registered as “${first}”`);
    // The same cluster through another address of it (localhost instead of 127.0.0.1).
    const server = localDoc().clusters[0]!.cluster.server as string;
    const viaLocalhost = registerCluster(db(), await who(), { name: uniqueName("alias"), source: { kind: "kubeconfig", kubeconfig: variant({ server: server.replace("127.0.0.1", "localhost") }) } });
    await expect(viaLocalhost).rejects.toThrow(`This cluster is already registered as “${first}”`);
    expect((await listClusters(db())).map((c) => c.name)).toEqual([first]);
    await disconnect(cluster.id, first);
  });
});

describe("registering a cluster: nothing secret leaks while hostile kubeconfigs are handled", () => {
  const db = useDatabase();
  let fifo = "";
  let secretFile = "";
  beforeAll(() => {
    const dir = mkdtempSync(path.join(tmpdir(), "minicloud-hostile-"));
    fifo = path.join(dir, "fifo");
    execFileSync("mkfifo", [fifo]); // a reader of this blocks until someone writes
    secretFile = path.join(dir, "secret");
    writeFileSync(secretFile, getEnv().secret);
  });

  test("every response and log line is scanned for the panel's secrets and holds none; nothing blocks", async () => {
    const env = getEnv();
    const stored = parse(localText()) as Doc;
    const secrets = [
      env.secret,
      env.encryptionKey.toString("base64"),
      env.encryptionKey.toString("hex"),
      ...(env.databaseUrl ? [env.databaseUrl] : []),
      // A stored kubeconfig's credentials (the local cluster's admin key and certificate).
      String(stored.users[0]!.user["client-key-data"]).slice(0, 80),
      Buffer.from(String(stored.users[0]!.user["client-key-data"]), "base64").toString("utf8").split("\n")[1]!,
    ].filter((s) => s.length >= 16);
    expect(secrets.length).toBeGreaterThanOrEqual(4);

    const hostile: string[] = [
      variant({}, { "token-file": secretFile }, ["client-certificate-data", "client-key-data"]),
      variant({}, { "token-file": "/proc/self/environ" }, ["client-certificate-data", "client-key-data"]),
      variant({}, { "token-file": fifo }, ["client-certificate-data", "client-key-data"]),
      variant({}, { "token-file": "/dev/zero" }, ["client-certificate-data", "client-key-data"]),
      variant({ "certificate-authority": path.join(env.dataDir, "encryption-key") }, {}, ["certificate-authority-data"]),
      variant({}, { "client-key": clusterKubeconfigPath(), "client-certificate": clusterKubeconfigPath() }, ["client-certificate-data", "client-key-data"]),
      variant({}, { exec: { apiVersion: "client.authentication.k8s.io/v1", command: "/bin/cat", args: [secretFile] } }),
      variant({}, { "auth-provider": { name: "tokenFile", config: { tokenFile: secretFile } } }),
      variant({ "proxy-url": "http://127.0.0.1:9" }),
      variant({ server: `http://127.0.0.1:${env.port}`, "insecure-skip-tls-verify": true }),
      variant({ server: "http://169.254.169.254/latest/meta-data", "insecure-skip-tls-verify": true }),
      "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n",
      `token: ${"[".repeat(3000)}`,
      "x".repeat(300 * 1024),
    ];

    const said: string[] = [];
    const capture = (...args: unknown[]) => void said.push(args.map(String).join(" "));
    const spies = [
      vi.spyOn(console, "log").mockImplementation(capture),
      vi.spyOn(console, "info").mockImplementation(capture),
      vi.spyOn(console, "warn").mockImplementation(capture),
      vi.spyOn(console, "error").mockImplementation(capture),
    ];
    const admin = await callerFor(db(), await createUser(db(), { platformAdmin: true }));
    try {
      for (const kubeconfig of hostile) {
        for (const [definition, input] of [
          [listContextsAction.definition, { kubeconfig }],
          [registerClusterAction.definition, { name: uniqueName("hostile"), source: "kubeconfig", kubeconfig, allowInsecureTls: "on" }],
        ] as const) {
          const outcome = await Promise.race([
            executeAction(definition as never, admin, input, db()).then(
              (ok) => ({ ok: true as const, value: ok.result as unknown }),
              (error: unknown) => ({ ok: false as const, value: error }),
            ),
            new Promise<never>((_, reject) => setTimeout(() => reject(new Error("a hostile kubeconfig blocked the panel")), 15_000).unref()),
          ]);
          if (outcome.ok) {
            // Only listing contexts may succeed (an address is vetted when registering, not when listing).
            expect(definition, kubeconfig.slice(0, 200)).toBe(listContextsAction.definition);
            said.push(JSON.stringify(outcome.value));
            continue;
          }
          expect(outcome.value, kubeconfig.slice(0, 200)).toBeInstanceOf(AppError);
          const error = outcome.value as AppError;
          said.push(JSON.stringify({ message: error.message, fieldErrors: error.fieldErrors }));
        }
      }
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    const audit = await auditRows(db(), "cluster.register");
    said.push(JSON.stringify(audit), JSON.stringify(await db().select().from(clusters)));
    expect(await listClusters(db())).toEqual([]);
    const everything = said.join("\n");
    for (const secret of secrets) expect(everything.includes(secret), `a secret (${secret.slice(0, 4)}…) appeared`).toBe(false);
    expect(everything).not.toContain("MINICLOUD_ENCRYPTION_KEY=");
    // The refusals name what was refused, in our words.
    expect(everything).toContain("refers to a file on the panel's host (token-file)");
    expect(everything).toContain("runs a program (exec)");
    expect(everything).toContain(KUBECONFIG_TOO_LARGE);
    expect(everything).toContain("the panel's own address");
  }, 120_000);
});
