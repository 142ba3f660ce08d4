// Nested clusters' workers against the real local control plane: the nested control plane runs
// as real processes (the pod runner), each worker is a KubeVirt VM on the host whose cloud-init
// carries `kubeadm join`, and the VM stand-in's join agent performs the join's real protocol
// against the nested apiserver (token discovery of cluster-info with the bootstrapsigner's JWS,
// the pinned CA, TLS bootstrap approved and signed by the nested controller-manager), then keeps
// the node Ready. Scaling down drains the node inside the nested cluster before its VM goes.
import { AppsV1Api, CertificatesV1Api, CoordinationV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, RbacAuthorizationV1Api, Watch, type V1Node } from "@kubernetes/client-node";
import { describe, expect } from "vitest";
import { assignCluster } from "@/lib/clusters/assignments";
import { isSignedBy, readCertificate } from "@/lib/pki/certificates";
import { detachedSignatureIsValid, jwsKeyFor } from "@/lib/nested/bootstrap/jws";
import { createNestedCluster, deleteNestedCluster, downloadAdminKubeconfig } from "@/lib/nested/service";
import { loadPki } from "@/lib/nested/store";
import { getWorkerPool, removeWorker, retryWorker, scaleWorkerPool, workerPoolHooks } from "@/lib/nested/workers/pool";
import { workerTimings, type WorkerPoolView } from "@/lib/nested/workers/types";
import { KUBEVIRT } from "@/lib/vms/kubevirt";
import { auditRows, createOrgWithTeams, createUser } from "./cluster-fixtures";
import { insertLocalCluster, test, useDatabase } from "./helpers";

const LONG = 420_000;
const WORKER_IMAGE = "minicloud.dev/guests/kube-worker";

async function until<T>(what: string, read: () => Promise<T | null | undefined | false>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await read();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out: ${what}${last ? ` (${String(last)})` : ""}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const readyNames = (pool: WorkerPoolView) => pool.workers.filter((w) => w.state === "ready").map((w) => w.name);

describe("nested cluster workers", () => {
  const db = useDatabase();

  test(
    "workers join with bootstrap tokens, scale up and down with drains, and refused joins show their reason",
    async ({ kc }) => {
      const host = await insertLocalCluster(db(), undefined, { vmImageCatalog: [{ label: "Kubernetes worker (kubeadm)", image: WORKER_IMAGE }] });
      const { teams } = await createOrgWithTeams(db(), 1);
      const admin = await createUser(db(), { platformAdmin: true });
      const actor = { userId: admin.id, label: admin.email };
      await assignCluster(db(), actor, { clusterId: host.id, teamId: teams[0]!.id, quota: {} });
      const started = await createNestedCluster(db(), actor, { teamId: teams[0]!.id, hostClusterId: host.id, name: "With workers", version: "v1.35.4" });
      expect((await started.done).state).toBe("ready");
      const clusterId = started.id;
      const nested = new KubeConfig();
      nested.loadFromString((await downloadAdminKubeconfig(db(), actor, { clusterId })).text);
      const nestedCore = nested.makeApiClient(CoreV1Api);
      const hostCustom = kc.makeApiClient(CustomObjectsApi);
      const workerVms = async () =>
        ((await hostCustom.listNamespacedCustomObject({ group: KUBEVIRT.group, version: KUBEVIRT.version, plural: KUBEVIRT.vms, namespace: started.namespace })) as { items: { metadata: { name: string } }[] }).items.map((v) => v.metadata.name).sort();
      const caPem = (await loadPki(db(), clusterId))!.cas.ca.certPem;

      // Two workers: both Ready in the nested cluster.
      const first = await scaleWorkerPool(db(), actor, { clusterId, size: 2 });
      expect(first.created).toHaveLength(2);
      const two = await until("two workers Ready", async () => {
        const pool = await getWorkerPool(db(), clusterId);
        return readyNames(pool).length === 2 ? pool : null;
      });
      expect(two.size).toBe(2);
      expect(two.workers.map((w) => w.node?.version)).toEqual(["v1.35.4", "v1.35.4"]);
      const nodes = await nestedCore.listNode();
      expect(nodes.items.map((n) => n.metadata!.name).sort()).toEqual([...first.created].sort());

      // Each authenticated with a certificate the nested signer issued after a bootstrap-token CSR the approver approved.
      const csrs = (await nested.makeApiClient(CertificatesV1Api).listCertificateSigningRequest()).items;
      for (const name of first.created) {
        const csr = csrs.find((c) => c.spec.username?.startsWith("system:bootstrap:") && c.status?.certificate && readCertificate(Buffer.from(c.status.certificate, "base64").toString()).subject.includes(`CN=system:node:${name}`));
        expect(csr, `a CSR for ${name}`).toBeDefined();
        expect(csr!.spec.signerName).toBe("kubernetes.io/kube-apiserver-client-kubelet");
        expect(csr!.spec.groups).toContain("system:bootstrappers:kubeadm:default-node-token");
        expect(csr!.status?.conditions?.find((c) => c.type === "Approved")?.reason).toBe("AutoApproved");
        const certificate = Buffer.from(csr!.status!.certificate!, "base64").toString();
        expect(await isSignedBy(certificate, caPem)).toBe(true);
        // The node's heartbeats come from that identity: its Lease is held and renewed.
        const lease = await until(`the lease of ${name}`, () => nested.makeApiClient(CoordinationV1Api).readNamespacedLease({ name, namespace: "kube-node-lease" }));
        expect(lease.spec?.holderIdentity).toBe(name);
      }
      // cluster-info is signed for the token by the nested bootstrapsigner, as our own check reads it.
      const info = await nestedCore.readNamespacedConfigMap({ name: "cluster-info", namespace: "kube-public" });
      const tokenSecrets = (await nestedCore.listNamespacedSecret({ namespace: "kube-system", fieldSelector: "type=bootstrap.kubernetes.io/token" })).items;
      expect(tokenSecrets.length).toBeGreaterThan(0);
      const token = tokenSecrets[0]!;
      const tokenId = Buffer.from(token.data!["token-id"]!, "base64").toString();
      const tokenSecret = Buffer.from(token.data!["token-secret"]!, "base64").toString();
      expect(detachedSignatureIsValid(info.data![jwsKeyFor(tokenId)]!, info.data!.kubeconfig!, tokenId, tokenSecret)).toBe(true);
      // The token is in the cloud-init Secret only: not on the VM.
      const vm = await hostCustom.getNamespacedCustomObject({ group: KUBEVIRT.group, version: KUBEVIRT.version, plural: KUBEVIRT.vms, namespace: started.namespace, name: first.created[0]! });
      expect(JSON.stringify(vm)).not.toContain(tokenSecret);

      // Scale to 3, then to 1: removed nodes are cordoned and drained before they go, then their VMs.
      const third = await scaleWorkerPool(db(), actor, { clusterId, size: 3 });
      expect(third.created).toHaveLength(1);
      await until("three workers Ready", async () => readyNames(await getWorkerPool(db(), clusterId)).length === 3);
      const apps = nested.makeApiClient(AppsV1Api);
      await nestedCore.createNamespace({ body: { metadata: { name: "app" } } });
      await apps.createNamespacedDeployment({
        namespace: "app",
        body: {
          metadata: { name: "spread" },
          spec: {
            replicas: 3,
            selector: { matchLabels: { app: "spread" } },
            template: {
              metadata: { labels: { app: "spread" } },
              spec: {
                topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { app: "spread" } } }],
                containers: [{ name: "app", image: "registry.k8s.io/pause:3.10" }],
              },
            },
          },
        },
      });
      await until("the app's pods Running on three workers", async () => {
        const pods = (await nestedCore.listNamespacedPod({ namespace: "app" })).items.filter((p) => p.status?.phase === "Running");
        return new Set(pods.map((p) => p.spec?.nodeName)).size === 3;
      });
      const cordoned = new Set<string>();
      const deletedAfterCordon: string[] = [];
      const watch = await new Watch(nested).watch("/api/v1/nodes", {}, (type: string, node: V1Node) => {
        const name = node.metadata!.name!;
        if (node.spec?.unschedulable) cordoned.add(name);
        if (type === "DELETED" && cordoned.has(name)) deletedAfterCordon.push(name);
      }, () => {});
      const down = await scaleWorkerPool(db(), actor, { clusterId, size: 1 });
      watch.abort();
      expect(down.removed).toHaveLength(2);
      expect(deletedAfterCordon.sort()).toEqual([...down.removed].sort());
      const scaleAudit = (await auditRows(db(), "nested.workers.scale")).at(-1)!;
      const evicted = (scaleAudit.detail as { evicted: string[] }).evicted;
      expect(evicted.filter((p) => p.startsWith("app/"))).toHaveLength(2);
      const kept = [...first.created, ...third.created].find((n) => !down.removed.includes(n))!;
      expect((await nestedCore.listNode()).items.map((n) => n.metadata!.name)).toEqual([kept]);
      expect(await workerVms()).toEqual([kept]);
      await until("the app's pods all Running on the remaining worker", async () => {
        const pods = (await nestedCore.listNamespacedPod({ namespace: "app" })).items.filter((p) => !p.metadata?.deletionTimestamp);
        return pods.length === 3 && pods.every((p) => p.status?.phase === "Running" && p.spec?.nodeName === kept);
      });

      // A tampered CA pin and an expired token: the joins are refused, with kubeadm's reason on the pool.
      workerPoolHooks.tamperJoin = (join) => ({ ...join, caCertHashes: [`sha256:${"0".repeat(64)}`] });
      let tampered: string;
      try {
        [tampered] = (await scaleWorkerPool(db(), actor, { clusterId, size: 2 })).created as [string];
      } finally {
        workerPoolHooks.tamperJoin = undefined;
      }
      const tamperedView = await until("the tampered worker failed", async () => (await getWorkerPool(db(), clusterId)).workers.find((w) => w.name === tampered && w.state === "failed"));
      expect(tamperedView.reason).toMatch(/^join refused: cluster CA found in cluster-info ConfigMap is invalid: none of the public keys "sha256:[0-9a-f]{64}" are pinned$/);

      const savedTtl = workerTimings.tokenTtlMs;
      workerTimings.tokenTtlMs = -60_000;
      let expired: string;
      try {
        [expired] = (await scaleWorkerPool(db(), actor, { clusterId, size: 3 })).created as [string];
      } finally {
        workerTimings.tokenTtlMs = savedTtl;
      }
      const expiredView = await until("the expired-token worker failed", async () => (await getWorkerPool(db(), clusterId)).workers.find((w) => w.name === expired && w.state === "failed"));
      expect(expiredView.reason).toMatch(/^join refused: token id "[a-z0-9]{6}" is invalid for this cluster or it has expired$/);
      // Neither joined: no Node for them, and no CSR from their tokens was signed for them.
      expect((await nestedCore.listNode()).items.map((n) => n.metadata!.name)).toEqual([kept]);

      // A missing bootstrapper binding: the CSR cannot be created, and the pool says which binding.
      workerPoolHooks.afterPrepare = async (nestedKc) => {
        await nestedKc.makeApiClient(RbacAuthorizationV1Api).deleteClusterRoleBinding({ name: "kubeadm:kubelet-bootstrap" });
      };
      let unbound: string;
      try {
        [unbound] = (await scaleWorkerPool(db(), actor, { clusterId, size: 4 })).created as [string];
      } finally {
        workerPoolHooks.afterPrepare = undefined;
      }
      const unboundView = await until("the unbound worker failed", async () => (await getWorkerPool(db(), clusterId)).workers.find((w) => w.name === unbound && w.state === "failed"));
      expect(unboundView.reason).toBe("join refused: the ClusterRoleBinding kubeadm:kubelet-bootstrap is missing: bootstrappers may not create certificate signing requests");
      expect((await nestedCore.listNode()).items.map((n) => n.metadata!.name)).toEqual([kept]);

      // A failed worker can be retried (a new VM with a fresh token; the preparation made again) or removed.
      const { replacement } = await retryWorker(db(), actor, { clusterId, worker: tampered });
      const { replacement: rebound } = await retryWorker(db(), actor, { clusterId, worker: unbound });
      await until("the retried workers Ready", async () => {
        const workers = (await getWorkerPool(db(), clusterId)).workers;
        return [replacement, rebound].every((name) => workers.some((w) => w.name === name && w.state === "ready"));
      });
      expect((await removeWorker(db(), actor, { clusterId, worker: expired })).size).toBe(3);
      expect(await workerVms()).toEqual([kept, replacement, rebound].sort());
      // The retry's audit row keeps why the worker had failed.
      const retries = (await auditRows(db(), "nested.workers.retry")).map((r) => r.detail as { worker: string; reason: string | null });
      expect(retries.find((r) => r.worker === tampered)?.reason).toContain("are pinned");

      // Deleting the nested cluster deletes its worker VMs (and their Secrets) with its namespace.
      expect(await deleteNestedCluster(db(), actor, { clusterId, confirmName: "With workers" })).toBe("deleted");
      const leftovers = (await hostCustom.listClusterCustomObject({ group: KUBEVIRT.group, version: KUBEVIRT.version, plural: KUBEVIRT.vms })) as { items: { metadata: { namespace: string } }[] };
      expect(leftovers.items.filter((v) => v.metadata.namespace === started.namespace)).toEqual([]);
    },
    LONG,
  );
});
