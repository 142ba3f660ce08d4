// Real faults in the middle of a create, for the durable-create tests and `npm run bench:faults`:
// a private control plane (its API server killed and restarted, or frozen for 30 s), a real
// PostgreSQL server (restarted), and a second panel process (SIGKILLed). Each scenario starts a
// create of one kind, injects its fault once the create has made its first object, and then
// checks what the user heard, lets the panel recover (the reconciler, as a restarted panel runs
// it), and counts what is left: objects without a row, rows without objects or in an unfinished
// state, and duplicates after a retry. Kinds plug in as a `FaultKind` (their own create, first
// object and object listing): SSH pods and VMs.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CoreV1Api, CustomObjectsApi, KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import { and, eq } from "drizzle-orm";
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
import { KIND_LABEL, WORKLOAD_LABEL } from "@/lib/kube/labels";
import { createSshPod } from "@/lib/pods/service";
import { KUBEVIRT } from "@/lib/vms/kubevirt";
import { createVm } from "@/lib/vms/service";
import type { WorkloadKind } from "@/lib/workloads/kinds";
import { reconcileOnce } from "@/lib/workloads/reconciler";
import { startPostgresServer, type PostgresServer } from "../integration/support/postgres-server";
import { startAdmissionGate, type AdmissionGate } from "./admission-gate";

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
  /** Holds a create at its second object (a Secret), so each fault lands mid-create. */
  gate: AdmissionGate;
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
  /** Whether a retry with the same name made one complete workload. */
  retryOk: boolean;
  /** Workloads with more than one of an object they have one of (pod, Service, VM), after the retry. */
  duplicates: number;
  /** Whether the fault landed before the create had finished (the user did not simply hear "created"). */
  landedMidCreate: boolean;
}

/** What a create answered: made, or still being made. */
type Created = { state: "ready" } | { state: "creating"; message: string };

/** A kind of workload the scenarios can interrupt. */
export interface FaultKind {
  kind: WorkloadKind;
  /** The create's input for a workload named `name` in the world's team. */
  input(world: FaultWorld, name: string): Record<string, unknown>;
  create(world: FaultWorld, input: Record<string, unknown>): Promise<Created>;
  /** The workload's live labelled objects, by kind: every one must exist for a ready row; `single` ones must not be duplicated. */
  objects(world: FaultWorld): Promise<{ kinds: KubernetesObject[][]; single: KubernetesObject[][] }>;
}

const live = (items: KubernetesObject[]) => items.filter((o) => !o.metadata?.deletionTimestamp);

/** SSH pods: Service (first), Secret, Pod. */
export const SSH_POD_FAULTS: FaultKind = {
  kind: "ssh-pod",
  input: (world, name) => ({ teamId: world.teamId, clusterId: world.clusterId, name, image: DEFAULT_SSH_IMAGE, cpuMillicores: "100", memoryMib: "128", homeGib: "", ttlMinutes: "" }),
  create: (world, input) => createSshPod(world.db, world.actor, input as never),
  async objects(world) {
    const core = world.kc.makeApiClient(CoreV1Api);
    const [services, secrets, pods] = await Promise.all([
      core.listNamespacedService({ namespace: world.namespace }).then((l) => live(l.items)),
      core.listNamespacedSecret({ namespace: world.namespace }).then((l) => live(l.items)),
      core.listNamespacedPod({ namespace: world.namespace }).then((l) => live(l.items)),
    ]);
    return { kinds: [services, secrets, pods], single: [pods, services] };
  },
};

const listVms = async (world: FaultWorld) =>
  ((await world.kc.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ group: KUBEVIRT.group, version: KUBEVIRT.version, namespace: world.namespace, plural: KUBEVIRT.vms })) as { items: KubernetesObject[] }).items;

/** VMs: VirtualMachine (first), cloud-init Secret, Service. */
export const VM_FAULTS: FaultKind = {
  kind: "vm",
  input: (world, name) => ({ teamId: world.teamId, clusterId: world.clusterId, name, image: "quay.io/kubevirt/cirros-container-disk-demo:latest", runStrategy: "Halted", size: "", cpuCores: "1", memoryMib: "128", cloudInit: "" }),
  create: (world, input) => createVm(world.db, world.actor, input as never),
  async objects(world) {
    const core = world.kc.makeApiClient(CoreV1Api);
    const [vms, secrets, services] = await Promise.all([
      listVms(world).then(live),
      core.listNamespacedSecret({ namespace: world.namespace }).then((l) => live(l.items)),
      core.listNamespacedService({ namespace: world.namespace }).then((l) => live(l.items)),
    ]);
    return { kinds: [vms, secrets, services], single: [vms, services] };
  },
};

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
  const gate = await startAdmissionGate(kc, namespace);
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
    gate,
    async close() {
      await gate.close().catch(() => {});
      await database.close().catch(() => {});
      await Promise.all([cluster.stop(), pg.stop()]);
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Heard = Pick<FaultResult, "heard" | "message" | "answeredInTime">;

function heardOf(outcome: { ok: true; value: Created } | { ok: false; error: unknown } | null): Heard {
  if (!outcome) return { heard: "failed", message: "no answer", answeredInTime: false };
  if (outcome.ok) {
    return outcome.value.state === "ready"
      ? { heard: "created", message: "created", answeredInTime: true }
      : { heard: "still-creating", message: outcome.value.message, answeredInTime: true };
  }
  const error = outcome.error;
  return { heard: "failed", message: error instanceof AppError ? error.message : `unexpected: ${String(error)}`, answeredInTime: error instanceof AppError };
}

async function answerOf(create: Promise<Created>): Promise<Heard> {
  const bound = new Promise<null>((resolve) => setTimeout(() => resolve(null), ANSWER_BOUND_MS).unref());
  const settled = create.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  return heardOf(await Promise.race([settled, bound]));
}

// The create in a second panel process, killed with SIGKILL once its first object exists.
async function createInKilledPanel(world: FaultWorld, kind: FaultKind, name: string): Promise<Heard> {
  const reached = world.gate.hold(`${name}-`);
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "create-in-child.ts");
  const child = spawn("tsx", [script, world.pg.url, JSON.stringify(world.actor), JSON.stringify(kind.input(world, name)), kind.kind], {
    stdio: ["ignore", "pipe", "pipe"],
    env: process.env,
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    await reached;
  } finally {
    child.kill("SIGKILL");
    await exited;
    // The held create goes on in the cluster after its panel died: a late landing to reconcile.
    world.gate.release();
  }
  // The user of a killed panel hears nothing from it; what they see next is the workload's page on the restarted one.
  // A child that printed its result had finished before the kill.
  const finished = output.includes('"state":');
  return { heard: finished ? "created" : "failed", message: `the panel process was killed (${output.trim().split("\n").at(-1) ?? "no output"})`, answeredInTime: true };
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

/** Counts what is inconsistent between rows and objects of `kind`, waiting (bounded) for garbage collection to finish. */
export async function inconsistencies(world: FaultWorld, kind: FaultKind = SSH_POD_FAULTS): Promise<{ orphans: number; lostRows: number; duplicates: number }> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const rows = await world.db.select().from(workloads).where(and(eq(workloads.clusterId, world.clusterId), eq(workloads.kind, kind.kind)));
    const ids = new Set(rows.map((r) => r.id));
    const byWorkload = (items: KubernetesObject[]) => {
      const counts = new Map<string, number>();
      for (const item of items) {
        const id = item.metadata?.labels?.[WORKLOAD_LABEL];
        if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      return counts;
    };
    const { kinds, single } = await kind.objects(world);
    // Only this kind's objects: those labelled with a workload of the kind, or with none of any row.
    const ofKind = (items: KubernetesObject[]) => items.filter((o) => o.metadata?.labels?.[KIND_LABEL] === kind.kind);
    const counts = kinds.map((items) => byWorkload(ofKind(items)));
    const labelled = new Set(counts.flatMap((c) => [...c.keys()]));
    const orphans = [...labelled].filter((id) => !ids.has(id)).length;
    const lostRows = rows.filter((r) => r.state !== "ready" || counts.some((c) => !c.get(r.id))).length;
    const singles = single.map((items) => byWorkload(ofKind(items)));
    const duplicates = rows.filter((r) => singles.some((c) => (c.get(r.id) ?? 0) > 1)).length;
    // Deleted objects go a moment after the request (garbage collection): wait for that, bounded.
    if ((orphans === 0 && lostRows === 0) || Date.now() > deadline) return { orphans, lostRows, duplicates };
    await sleep(250);
  }
}

/** Runs one scenario (see the top of this file) on a create of `kind` (SSH pods unless said). */
export async function runFault(world: FaultWorld, fault: Fault, kind: FaultKind = SSH_POD_FAULTS): Promise<FaultResult> {
  const name = `${fault.split("-")[0]}-${randomUUID().slice(0, 4)}`.replace(/^(\d)/, "f$1");
  let heard!: Heard;
  if (fault === "panel-killed") {
    heard = await createInKilledPanel(world, kind, name);
  } else {
    // The create is held at its second object (the gate), so the fault lands mid-create.
    const reached = world.gate.hold(`${name}-`);
    const create = kind.create(world, kind.input(world, name));
    create.catch(() => {}); // judged below
    await reached;
    if (fault === "apiserver-killed") {
      await world.cluster.apiserver.kill();
      world.gate.release();
      heard = await answerOf(create);
      await world.cluster.apiserver.restart();
    } else if (fault === "apiserver-frozen") {
      world.cluster.apiserver.freeze();
      world.gate.release();
      const thawAt = Date.now() + 30_000;
      heard = await answerOf(create);
      await sleep(Math.max(0, thawAt - Date.now()));
      world.cluster.apiserver.thaw();
    } else {
      // Down while the held create goes on: its next database step fails.
      await world.pg.restart(async () => {
        world.gate.release();
        heard = await answerOf(create);
      });
    }
  }
  await recover(world);
  const after = await inconsistencies(world, kind);

  // A retry with the same name: one complete workload, no duplicates of anything.
  let retryOk = false;
  try {
    const again = await kind.create(world, kind.input(world, name));
    retryOk = again.state === "ready";
  } catch {
    retryOk = false;
  }
  const afterRetry = await inconsistencies(world, kind);
  return {
    fault,
    ...heard,
    orphans: Math.max(after.orphans, afterRetry.orphans),
    lostRows: Math.max(after.lostRows, afterRetry.lostRows),
    retryOk,
    duplicates: afterRetry.duplicates,
    landedMidCreate: heard.heard !== "created",
  };
}

/** Runs a scenario until its fault lands mid-create, at most `attempts` times; the last result. */
export async function runFaultMidCreate(world: FaultWorld, fault: Fault, kind: FaultKind = SSH_POD_FAULTS, attempts = 4): Promise<FaultResult & { attempts: number }> {
  for (let attempt = 1; ; attempt++) {
    const result = await runFault(world, fault, kind);
    if (result.landedMidCreate || attempt >= attempts) return { ...result, attempts: attempt };
  }
}

/** The pending audit rows left (every create's row must end success or error once recovered). */
export async function pendingAuditRows(world: FaultWorld): Promise<number> {
  return (await world.db.select({ id: auditEvents.id }).from(auditEvents).where(eq(auditEvents.outcome, "pending"))).length;
}
