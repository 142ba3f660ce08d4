// Bad input to SSH pod creation, on both engines, against a stand-in apiserver that records
// every request: a stored catalog entry that is not an image reference, a name whose Service
// Kubernetes would refuse, lenient numbers, a pod over the quota, and a pod no node can hold
// are each refused with a sentence and field messages — with no row, no audit row, no panel
// key, and no request that writes to the cluster.
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sealSecret } from "@/lib/crypto/secret-box";
import type { Db } from "@/lib/db/client";
import { clusterAssignments, clusters, panelKeys, workloads } from "@/lib/db/schema";
import { getEnv } from "@/lib/env";
import { ValidationError } from "@/lib/errors";
import { kubeconfigSealContext } from "@/lib/kube/clients";
import { createOrg } from "@/lib/orgs/service";
import { createSshPod } from "@/lib/pods/service";
import { createTeam } from "@/lib/teams/service";
import { ENGINES, useTestDatabase } from "./support/databases";
import { auditCount, insertUser, uniqueName } from "./support/fixtures";

// The apiserver's side: what it answers for the reads a create makes first, and what it was asked.
const cluster = {
  nodes: [] as { name: string; cpu: string; memory: string }[],
  quota: null as { hard: Record<string, string>; used: Record<string, string> } | null,
  requests: [] as string[],
};

function answer(path: string): { status: number; body: unknown } {
  if (path === "/api/v1/nodes") {
    const items = cluster.nodes.map((n) => ({ metadata: { name: n.name, labels: {} }, spec: {}, status: { allocatable: { cpu: n.cpu, memory: n.memory, pods: "110" } } }));
    return { status: 200, body: { kind: "NodeList", apiVersion: "v1", metadata: {}, items } };
  }
  if (/^\/api\/v1\/namespaces\/[^/]+\/resourcequotas\/minicloud-quota$/.test(path) && cluster.quota) {
    return { status: 200, body: { kind: "ResourceQuota", apiVersion: "v1", metadata: { name: "minicloud-quota" }, spec: { hard: cluster.quota.hard }, status: cluster.quota } };
  }
  return { status: 404, body: { kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404, message: "not found" } };
}

let server: Server;
let serverUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    cluster.requests.push(`${req.method} ${path}`);
    const { status, body } = req.method === "GET" ? answer(path) : { status: 500, body: { kind: "Status", code: 500, message: "this stand-in creates nothing" } };
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const DEBIAN = "debian:12";
const STORED_BAD = ["Evil/Image:latest", "debian@sha256:abc", "https://registry.example.com/debian"];

async function arrange(db: Db) {
  const admin = await insertUser(db, { isPlatformAdmin: true });
  const org = await createOrg(db, admin, { name: uniqueName("Org") });
  const team = await createTeam(db, admin, { orgId: org.id, name: uniqueName("Team") });
  const id = randomUUID();
  const kubeconfig = [
    "apiVersion: v1",
    "kind: Config",
    // Plain HTTP on loopback: the client library wants that said out loud.
    `clusters: [{ name: stand-in, cluster: { server: "${serverUrl}", insecure-skip-tls-verify: true } }]`,
    "users: [{ name: panel, user: { token: stand-in-token } }]",
    "contexts: [{ name: stand-in, context: { cluster: stand-in, user: panel } }]",
    "current-context: stand-in",
  ].join("\n");
  const slug = `stand-in-${id.slice(0, 8)}`;
  // The catalog as stored, bad entries included (as if written before the grammar was enforced).
  const imageCatalog = [DEBIAN, ...STORED_BAD].map((image) => ({ label: image, image }));
  await db.insert(clusters).values({ id, name: slug, slug, kind: "host", kubeconfigEncrypted: sealSecret(getEnv().encryptionKey, kubeconfigSealContext(id), kubeconfig), settings: { imageCatalog } });
  await db.insert(clusterAssignments).values({ clusterId: id, teamId: team.id, namespace: `mc-${slug}` });
  return { admin, request: { teamId: team.id, clusterId: id, name: "dev box", image: DEBIAN, cpuMillicores: "500", memoryMib: "512", homeGib: "", ttlMinutes: "" } };
}

describe.each(ENGINES)("refused SSH pods on %s", (engine) => {
  const db = useTestDatabase(engine);

  // Runs a create that must be refused; returns the refusal after checking nothing was made.
  async function refused(actor: { userId: string; label: string }, request: Record<string, unknown>): Promise<ValidationError> {
    cluster.requests = [];
    const [audits, rows, keys] = [await auditCount(db()), (await db().select().from(workloads)).length, (await db().select().from(panelKeys)).length];
    const error = await createSshPod(db(), actor, request as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(await auditCount(db())).toBe(audits);
    expect(await db().select().from(workloads)).toHaveLength(rows);
    expect(await db().select().from(panelKeys)).toHaveLength(keys);
    expect(cluster.requests.filter((r) => !r.startsWith("GET "))).toEqual([]);
    return error as ValidationError;
  }

  it.each(STORED_BAD)("does not create a pod from the stored catalog entry %j", async (image) => {
    cluster.nodes = [{ name: "w1", cpu: "8", memory: "32Gi" }];
    cluster.quota = null;
    const { admin, request } = await arrange(db());
    const error = await refused(admin, { ...request, image });
    expect(Object.keys(error.fieldErrors ?? {})).toEqual(["image"]);
    expect(error.fieldErrors?.image).toMatch(/lowercase|digest has 64|URL/);
    expect(cluster.requests).toEqual([]);
  });

  it("refuses a name whose Service Kubernetes would refuse, speaking of the name typed", async () => {
    const { admin, request } = await arrange(db());
    const error = await refused(admin, { ...request, name: "2 fast" });
    expect(error.fieldErrors).toEqual({ name: "Start with a letter: the name becomes a Kubernetes Service name, and those start with a letter." });
    expect(cluster.requests).toEqual([]);
  });

  it("refuses invisible characters by code point, and lenient numbers", async () => {
    const { admin, request } = await arrange(db());
    const error = await refused(admin, { ...request, name: "dev\u202ebox", cpuMillicores: "0x1F4", memoryMib: "1e3" });
    expect(error.fieldErrors).toEqual({
      name: "U+202E RIGHT-TO-LEFT OVERRIDE is not allowed: use letters a–z, digits, spaces and dashes.",
      cpuMillicores: "“0x1F4” is a hexadecimal number; write it with the digits 0–9 (500).",
      memoryMib: "“1e3” uses an exponent; write the number out (1000).",
    });
    expect(cluster.requests).toEqual([]);
  });

  it("refuses a pod no node can hold, saying what fits", async () => {
    cluster.nodes = [
      { name: "w1", cpu: "2", memory: "3.5Gi" },
      { name: "w2", cpu: "1", memory: "2Gi" },
    ];
    cluster.quota = null;
    const { admin, request } = await arrange(db());
    const error = await refused(admin, { ...request, cpuMillicores: "4000", memoryMib: "1024" });
    const message = "No node can hold 4 cores and 1 GiB of memory: the largest node can hold at most 2 cores and 3.5 GiB.";
    expect(error.message).toBe(message);
    expect(error.fieldErrors).toEqual({ cpuMillicores: message });
    expect(cluster.requests).toContain("GET /api/v1/nodes");
  });

  it("refuses a pod over the quota before looking at its size", async () => {
    cluster.nodes = [{ name: "w1", cpu: "1", memory: "1Gi" }];
    cluster.quota = { hard: { "requests.cpu": "1", "requests.memory": "8Gi" }, used: { "requests.cpu": "500m", "requests.memory": "0" } };
    const { admin, request } = await arrange(db());
    const error = await refused(admin, { ...request, cpuMillicores: "2000", memoryMib: "512" });
    expect(error.message).toBe("Not enough CPU quota: asked 2 cores, 0.5 of 1 core in use.");
    expect(error.fieldErrors).toEqual({ cpuMillicores: "Not enough CPU quota: asked 2 cores, 0.5 of 1 core in use." });
  });
});
