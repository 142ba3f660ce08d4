// Real faults in the middle of a create, for the durable-create tests and `npm run bench:faults`:
// a private control plane (its API server killed and restarted, or frozen for 30 s), a real
// PostgreSQL server (restarted), and a second panel process (SIGKILLed). Each scenario starts an
// SSH pod create, injects its fault once the create has made its first object, and then checks
// what the user heard, lets the panel recover (the reconciler, as a restarted panel runs it),
// and counts what is left: objects without a row, rows without objects or in an unfinished
// state, and duplicates after a retry. Kinds plug in by giving their own `create` and object
// listing; SSH pods are the first.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CoreV1Api, KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import { eq } from "drizzle-orm";
import { startLocalCluster, type LocalCluster } from "@/dev/cluster/index";
import type { Actor } from "@/lib/audit/service";
import { assignCluster } from "@/lib/clusters/assignments";
import { DEFAULT_SSH_IMAGE } from "@/lib/clusters/settings";
import { sealSecret } from "@/lib/crypto/secret-box";
import { createDatabase, type Database, type Db } from "@/lib/db/client";
import { migrateDatabase } from "@/lib/db/migrate";
import { auditEvents, clusters, organizations, teams, users, workloads } from "@/lib/db/schema";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { kubeconfigSealContext } from "@/lib/kube/clients";
import { WORKLOAD_LABEL } from "@/lib/kube/labels";
import { createSshPod, type CreatedSshPod } from "@/lib/pods/service";
import { reconcileOnce } from "@/lib/workloads/reconciler";
import { startPostgresServer, type PostgresServer } from "../integration/support/postgres-server";

export const FAULTS = ["apiserver-killed", "apiserver-frozen", "database-restarted", "panel-killed"] as const;
export type Fault = (typeof FAULTS)[number];

/** Everything a scenario runs against. */
export interface FaultWorld {
  cluster: LocalCluster;
  kc: KubeConfig;
  pg: PostgresServer;
  database: Database;
  db: Db;
  clusterId: string;
  teamId: string;
  namespace: string;
  actor: Actor;
  close(): Promise<void>;
}

/** What one scenario found. */
export interface FaultResult {
  fault: Fault;
  /** What the user was told: created, still being created, or a refusal (with its message). */
  heard: "created" | "still-creating" | "failed";
  message: string;
  /** Whether the answer came within the bound (a create never leaves the user waiting forever). */
  answeredInTime: boolean;
  /** Labelled objects whose workload has no row, after recovery. */
  orphans: number;
  /** Rows still unfinished (creating, failed, deleting) or ready without their objects, after recovery. */
  lostRows: number;
  /** Whether a retry with the same name made one complete pod. */
  retryOk: boolean;
  /** Workloads with more than one live pod, after the retry. */
  duplicates: number;
}

/** How long a user may wait for an answer to a create while the cluster or database fails. */
export const ANSWER_BOUND_MS = 30_000;

/** Starts a private control plane and PostgreSQL server, and a team with the cluster assigned. */
export async function startFaultWorld(log: (line: string) => void = () => {}): Promise<FaultWorld> {
  // Durable commits, as in production: the database is crashed mid-create.
  const [cluster, pg] = await Promise.all([startLocalCluster({ log }), startPostgresServer({ durable: true })]);
  const database = await createDatabase({ url: pg.url });
  const db = database.db;
  await migrateDatabase(db);
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
  const clusterId = randomUUID();
  const name = `faults-${clusterId.slice(0, 6)}`;
  const sealed = sealSecret(getEnv().encryptionKey, kubeconfigSealContext(clusterId), readFileSync(cluster.kubeconfigPath, "utf8"));
  await db.insert(clusters).values({ id: clusterId, name, slug: name, kind: "host", kubeconfigEncrypted: sealed });
  const [user] = await db.insert(users).values({ email: `${name}@example.test`, name }).returning();
  const [org] = await db.insert(organizations).values({ name, slug: name }).returning();
  const [team] = await db.insert(teams).values({ orgId: org!.id, name: "faults", slug: "faults" }).returning();
  const actor = { userId: user!.id, label: user!.email };
  const { namespace } = await assignCluster(db, actor, {
    clusterId,
    teamId: team!.id,
    quota: { cpuMillicores: null, memoryMib: null, maxPods: null, maxVms: null, storageGib: null },
  });
  return {
    cluster,
    kc,
    pg,
    database,
    db,
    clusterId,
    teamId: team!.id,
    namespace,
    actor,
    async close() {
      await database.close().catch(() => {});
      await Promise.all([cluster.stop(), pg.stop()]);
    },
  };
}

const createInput = (world: FaultWorld, name: string) => ({
  teamId: world.teamId,
  clusterId: world.clusterId,
  name,
  image: DEFAULT_SSH_IMAGE,
  cpuMillicores: "100",
  memoryMib: "128",
  homeGib: "",
  ttlMinutes: "",
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once a Service of a workload named `name-…` exists in the namespace (the create's first object). */
async function firstObjectOf(world: FaultWorld, name: string, timeoutMs = 60_000): Promise<void> {
  const core = world.kc.makeApiClient(CoreV1Api);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const services = await core.listNamespacedService({ namespace: world.namespace }).catch(() => ({ items: [] }));
    if (services.items.some((s) => s.metadata?.name?.startsWith(`${name}-`))) return;
    if (Date.now() > deadline) throw new Error(`the create of ${name} made no Service within ${timeoutMs / 1000} s`);
    await sleep(25); // polling, not watching: the point is to act within moments of the object appearing
  }
}

type Heard = Pick<FaultResult, "heard" | "message" | "answeredInTime">;

function heardOf(outcome: { ok: true; value: CreatedSshPod } | { ok: false; error: unknown } | null): Heard {
  if (!outcome) return { heard: "failed", message: "no answer", answeredInTime: false };
  if (outcome.ok) {
    return outcome.value.state === "ready"
      ? { heard: "created", message: "created", answeredInTime: true }
      : { heard: "still-creating", message: outcome.value.message, answeredInTime: true };
  }
  const error = outcome.error;
  return { heard: "failed", message: error instanceof AppError ? error.message : `unexpected: ${String(error)}`, answeredInTime: error instanceof AppError };
}

async function answerOf(create: Promise<CreatedSshPod>): Promise<Heard> {
  const bound = new Promise<null>((resolve) => setTimeout(() => resolve(null), ANSWER_BOUND_MS).unref());
  const settled = create.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  return heardOf(await Promise.race([settled, bound]));
}

// The create in a second panel process, killed with SIGKILL once its first object exists.
async function createInKilledPanel(world: FaultWorld, name: string): Promise<Heard> {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "create-in-child.ts");
  const child = spawn("tsx", [script, world.pg.url, JSON.stringify(world.actor), JSON.stringify(createInput(world, name))], {
    stdio: ["ignore", "pipe", "pipe"],
    env: process.env,
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    await firstObjectOf(world, name);
  } finally {
    child.kill("SIGKILL");
    await exited;
  }
  // The user of a killed panel hears nothing from it; what they see next is the pod page of the restarted one.
  return { heard: "failed", message: `the panel process was killed (${output.trim().split("\n").at(-1) ?? "no output"})`, answeredInTime: true };
}

/** Runs the reconciler until nothing is unfinished (as a restarted panel does, passes far apart). */
export async function recover(world: FaultWorld, passes = 8): Promise<void> {
  for (let pass = 1; pass <= passes; pass++) {
    // Each pass a little "later", so back-offs from earlier passes are due.
    const report = await reconcileOnce(world.db, { now: new Date(Date.now() + pass * 3_600_000), graceMs: 0 });
    const rows = await world.db.select({ state: workloads.state }).from(workloads).where(eq(workloads.clusterId, world.clusterId));
    if (report.retrying.length === 0 && rows.every((r) => r.state === "ready")) return;
  }
}

/** Counts what is inconsistent between rows and objects, waiting (bounded) for garbage collection to finish. */
export async function inconsistencies(world: FaultWorld): Promise<{ orphans: number; lostRows: number; duplicates: number }> {
  const core = world.kc.makeApiClient(CoreV1Api);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const rows = await world.db.select().from(workloads).where(eq(workloads.clusterId, world.clusterId));
    const ids = new Set(rows.map((r) => r.id));
    const live = (items: KubernetesObject[]) => items.filter((o) => !o.metadata?.deletionTimestamp);
    const [services, secrets, pods] = await Promise.all([
      core.listNamespacedService({ namespace: world.namespace }).then((l) => live(l.items)),
      core.listNamespacedSecret({ namespace: world.namespace }).then((l) => live(l.items)),
      core.listNamespacedPod({ namespace: world.namespace }).then((l) => live(l.items)),
    ]);
    const byWorkload = (items: KubernetesObject[]) => {
      const counts = new Map<string, number>();
      for (const item of items) {
        const id = item.metadata?.labels?.[WORKLOAD_LABEL];
        if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      return counts;
    };
    const [s, k, p] = [byWorkload(services), byWorkload(secrets), byWorkload(pods)];
    const labelled = new Set([...s.keys(), ...k.keys(), ...p.keys()]);
    const orphans = [...labelled].filter((id) => !ids.has(id)).length;
    const lostRows = rows.filter((r) => r.state !== "ready" || !s.get(r.id) || !k.get(r.id) || !p.get(r.id)).length;
    const duplicates = rows.filter((r) => (p.get(r.id) ?? 0) > 1 || (s.get(r.id) ?? 0) > 1).length;
    // Deleted objects go a moment after the request (garbage collection): wait for that, bounded.
    if ((orphans === 0 && lostRows === 0) || Date.now() > deadline) return { orphans, lostRows, duplicates };
    await sleep(250);
  }
}

/** Runs one scenario (see the top of this file). */
export async function runFault(world: FaultWorld, fault: Fault): Promise<FaultResult> {
  const name = `${fault.split("-")[0]}-${randomUUID().slice(0, 4)}`.replace(/^(\d)/, "f$1");
  let heard: Heard;
  if (fault === "panel-killed") {
    heard = await createInKilledPanel(world, name);
  } else {
    const create = createSshPod(world.db, world.actor, createInput(world, name));
    create.catch(() => {}); // judged below
    await firstObjectOf(world, name);
    if (fault === "apiserver-killed") {
      await world.cluster.apiserver.kill();
      heard = await answerOf(create);
      await world.cluster.apiserver.restart();
    } else if (fault === "apiserver-frozen") {
      world.cluster.apiserver.freeze();
      const thawAt = Date.now() + 30_000;
      heard = await answerOf(create);
      await sleep(Math.max(0, thawAt - Date.now()));
      world.cluster.apiserver.thaw();
    } else {
      await world.pg.restart();
      heard = await answerOf(create);
    }
  }
  await recover(world);
  const after = await inconsistencies(world);

  // A retry with the same name: one complete pod, no duplicates of anything.
  let retryOk = false;
  try {
    const again = await createSshPod(world.db, world.actor, createInput(world, name));
    retryOk = again.state === "ready";
  } catch {
    retryOk = false;
  }
  const afterRetry = await inconsistencies(world);
  return {
    fault,
    ...heard,
    orphans: Math.max(after.orphans, afterRetry.orphans),
    lostRows: Math.max(after.lostRows, afterRetry.lostRows),
    retryOk,
    duplicates: afterRetry.duplicates,
  };
}

/** The pending audit rows left (every create's row must end success or error once recovered). */
export async function pendingAuditRows(world: FaultWorld): Promise<number> {
  return (await world.db.select({ id: auditEvents.id }).from(auditEvents).where(eq(auditEvents.outcome, "pending"))).length;
}
