// The Helm chart (deploy/helm/minicloud): `helm lint` and `helm template` hold what a platform
// team expects (replicas, probes, the one RBAC list, websocket-friendly ingress, the bundled or
// external database, values validated by the schema), and an install into the local control
// plane gives the panel, running with the chart's ServiceAccount token, enough access for every
// flow: registration finds nothing missing, then assignment, an SSH pod with its exec terminal
// and port-forward ssh, a VM started, its serial console opened, stopped, a nested cluster
// made ready with a worker joined and deleted, the status view, and cleanup — a rule missing from the chart
// fails here with Kubernetes' own "forbidden".
import { spawn } from "node:child_process";
import { appendFileSync, readFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { AppsV1Api, CoreV1Api, CustomObjectsApi, RbacAuthorizationV1Api, loadAllYaml, type KubernetesObject, type V1ClusterRole, type V1Deployment, type V1Ingress, type V1Pod, type V1Secret } from "@kubernetes/client-node";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject } from "vitest";
import { parseAllDocuments } from "yaml";
import { assignCluster } from "@/lib/clusters/assignments";
import { disconnectCluster, registerCluster, updateClusterSettings } from "@/lib/clusters/service";
import { readClusterSettings } from "@/lib/clusters/settings";
import { workloads } from "@/lib/db/schema";
import { issueTerminalTicket } from "@/lib/console/gateway/tickets";
import { DEFAULT_OPENERS } from "@/lib/console/gateway/terminal-routes";
import { loadPrincipal } from "@/lib/tenancy/principal";
import { createNestedCluster, deleteNestedCluster, getNestedCluster } from "@/lib/nested/service";
import { getWorkerPool, scaleWorkerPool } from "@/lib/nested/workers/pool";
import { createSshPod, deleteSshPod } from "@/lib/pods/service";
import { holdStatusCache, statusSummaryOf } from "@/lib/status/service";
import { getPanelTerminalKey } from "@/lib/ssh-keys/panel-key";
import { KUBEVIRT, type VirtualMachineInstance } from "@/lib/vms/kubevirt";
import { createVm, deleteVm, operateVm } from "@/lib/vms/service";
import { ensureHelm } from "../../dev/cluster/helm";
import { WORKER_IMAGE } from "../../dev/cluster/join-agent/agents";
import { createOrgWithTeams, createUser } from "./cluster-fixtures";
import { clusterKubeconfigPath, isRunningWithIp, test, uniqueName, useDatabase, waitFor, waitForPod } from "./helpers";
import { ORIGIN, open, sessionCookie, startGateway, type TestGateway } from "./terminal-client";

const CHART = path.resolve("deploy/helm/minicloud");
const EXAMPLE_VALUES = path.resolve("deploy/helm/example-values.yaml");
const PUBLIC_URL = ["--set", "publicUrl=https://cloud.example.test"];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function helm(binary: string, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    // HOME and the helm folders in a temp dir: the test leaves no helm state behind; no
    // cluster is reached but the one named by --kubeconfig.
    const home = path.join(tmpdir(), "minicloud-helm-home");
    const env = { ...process.env, KUBECONFIG: "", HOME: home, HELM_CACHE_HOME: `${home}/cache`, HELM_CONFIG_HOME: `${home}/config`, HELM_DATA_HOME: `${home}/data` };
    const child = spawn(binary, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

type Rendered = KubernetesObject & Record<string, unknown>;

const byKind = (objects: Rendered[], kind: string) => objects.filter((o) => o.kind === kind);

describe("Helm chart", () => {
  let binary = "";
  beforeAll(async () => {
    binary = await ensureHelm();
  });

  async function render(...args: string[]): Promise<Rendered[]> {
    const run = await helm(binary, ["template", "r1", CHART, "--namespace", "panel", ...args]);
    expect(run.stderr.replace(/level=INFO msg="found symbolic link.*\n/g, "")).toBe("");
    expect(run.code).toBe(0);
    // Plain YAML, not client-node's typed loader (which renames fields such as `from`).
    return parseAllDocuments(run.stdout).map((document) => document.toJS() as Rendered).filter(Boolean);
  }

  test("lints clean, strictly, with the defaults and with the README's worked example", async () => {
    for (const args of [PUBLIC_URL, ["-f", EXAMPLE_VALUES]]) {
      const run = await helm(binary, ["lint", "--strict", CHART, ...args]);
      expect(run.stdout).toContain("1 chart(s) linted, 0 chart(s) failed");
      expect(run.code).toBe(0);
    }
  });

  test("the schema refuses bad values by name, and a missing public address is refused in words", async () => {
    const bad = await helm(binary, ["lint", CHART, ...PUBLIC_URL, "--set", "replicaCount=two", "--set", "database.mode=sqlite", "--set", "bogus=1"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toContain("at '/replicaCount': got string, want integer");
    expect(bad.stdout).toContain("at '/database/mode': value must be one of 'external', 'bundled'");
    expect(bad.stdout).toContain("additional properties 'bogus' not allowed");

    const noUrl = await helm(binary, ["template", "r1", CHART]);
    expect(noUrl.code).not.toBe(0);
    expect(noUrl.stderr).toContain("publicUrl is required: the address users reach the panel at");

    const external = await helm(binary, ["template", "r1", CHART, ...PUBLIC_URL, "--set", "database.mode=external"]);
    expect(external.code).not.toBe(0);
    expect(external.stderr).toContain("database.external.existingSecret is required when database.mode is external");
  });

  test("defaults: two replicas with health probes, secrets from one Secret, the bundled database, a PDB and a NetworkPolicy", async () => {
    const objects = await render(...PUBLIC_URL);
    const [deployment] = byKind(objects, "Deployment") as unknown as V1Deployment[];
    expect(deployment!.spec!.replicas).toBe(2);
    const panel = deployment!.spec!.template.spec!.containers[0]!;
    for (const probe of [panel.readinessProbe, panel.livenessProbe, panel.startupProbe]) expect(probe?.httpGet).toMatchObject({ path: "/api/health", port: "http" });
    const env = Object.fromEntries((panel.env ?? []).map((e) => [e.name, e]));
    expect(env.MINICLOUD_PUBLIC_URL?.value).toBe("https://cloud.example.test");
    expect(env.MINICLOUD_SECRET?.valueFrom?.secretKeyRef).toEqual({ name: "r1-minicloud-secrets", key: "MINICLOUD_SECRET" });
    expect(env.MINICLOUD_ENCRYPTION_KEY?.valueFrom?.secretKeyRef).toEqual({ name: "r1-minicloud-secrets", key: "MINICLOUD_ENCRYPTION_KEY" });
    expect(env.DATABASE_URL?.valueFrom?.secretKeyRef).toEqual({ name: "r1-minicloud-postgresql", key: "DATABASE_URL" });
    expect(panel.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(deployment!.spec!.template.spec!.serviceAccountName).toBe("r1-minicloud");

    const secrets = byKind(objects, "Secret") as unknown as V1Secret[];
    const generated = secrets.find((s) => s.metadata?.name === "r1-minicloud-secrets")!;
    expect(Buffer.from(generated.data!.MINICLOUD_ENCRYPTION_KEY!, "base64").toString()).toMatch(/^[A-Za-z0-9+/]{43}=$/); // 32 bytes, base64
    expect(Buffer.from(generated.data!.MINICLOUD_SECRET!, "base64").toString().length).toBeGreaterThanOrEqual(32);
    expect(generated.metadata?.annotations?.["helm.sh/resource-policy"]).toBe("keep");

    expect(byKind(objects, "StatefulSet").map((o) => o.metadata?.name)).toEqual(["r1-minicloud-postgresql"]);
    expect(byKind(objects, "PodDisruptionBudget")).toHaveLength(1);
    expect(byKind(objects, "NetworkPolicy").map((o) => o.metadata?.name).sort()).toEqual(["r1-minicloud", "r1-minicloud-postgresql"]);
    expect(byKind(objects, "Ingress")).toHaveLength(0);
    // Every object names the release, so two installs in one cluster do not collide.
    for (const object of objects) expect(object.metadata?.name).toMatch(/^r1-minicloud/);
  });

  test("its ClusterRole is deploy/rbac.yaml's, rule for rule (one list of what the panel needs)", async () => {
    const objects = await render(...PUBLIC_URL);
    const [role] = byKind(objects, "ClusterRole") as unknown as V1ClusterRole[];
    const source = (loadAllYaml(readFileSync("deploy/rbac.yaml", "utf8")) as Rendered[]).find((d) => d.kind === "ClusterRole") as unknown as V1ClusterRole;
    expect(role!.rules).toEqual(source.rules);
    expect(role!.rules!.length).toBeGreaterThan(10);
    const [binding] = byKind(objects, "ClusterRoleBinding") as unknown as { subjects: unknown[]; roleRef: { name: string } }[];
    expect(binding!.roleRef.name).toBe("r1-minicloud");
    expect(binding!.subjects).toEqual([{ kind: "ServiceAccount", name: "r1-minicloud", namespace: "panel" }]);
  });

  test("the worked example: external database, own Secret, ingress with TLS and websocket-friendly timeouts, no bundled database", async () => {
    const objects = await render("-f", EXAMPLE_VALUES);
    expect(byKind(objects, "StatefulSet")).toHaveLength(0);
    expect(byKind(objects, "Secret")).toHaveLength(0);
    const [deployment] = byKind(objects, "Deployment") as unknown as V1Deployment[];
    const env = Object.fromEntries((deployment!.spec!.template.spec!.containers[0]!.env ?? []).map((e) => [e.name, e]));
    expect(env.DATABASE_URL?.valueFrom?.secretKeyRef).toEqual({ name: "minicloud-db", key: "DATABASE_URL" });
    expect(env.MINICLOUD_SECRET?.valueFrom?.secretKeyRef?.name).toBe("minicloud-keys");
    expect(env.OIDC_ISSUER?.value).toBe("https://sso.example.com/realms/main");
    const [ingress] = byKind(objects, "Ingress") as unknown as V1Ingress[];
    expect(ingress!.spec!.tls).toEqual([{ hosts: ["cloud.example.com"], secretName: "cloud-example-com-tls" }]);
    expect(ingress!.metadata!.annotations).toMatchObject({ "nginx.ingress.kubernetes.io/proxy-read-timeout": "3600", "nginx.ingress.kubernetes.io/proxy-body-size": "0" });
    expect(byKind(objects, "NetworkPolicy")).toHaveLength(1);
  });

  test("metrics: a token from the chart's Secret or one of yours, or open to the scrapers the NetworkPolicy admits", async () => {
    const tokenEnv = (objects: Rendered[]) => {
      const [deployment] = byKind(objects, "Deployment") as unknown as V1Deployment[];
      return (deployment!.spec!.template.spec!.containers[0]!.env ?? []).filter((e) => e.name.startsWith("MINICLOUD_METRICS"));
    };
    expect(tokenEnv(await render(...PUBLIC_URL))).toEqual([]);
    const own = await render(...PUBLIC_URL, "--set", "metrics.enabled=true", "--set", "metrics.token=a-token-of-sixteen+");
    expect(tokenEnv(own)).toEqual([{ name: "MINICLOUD_METRICS_TOKEN", valueFrom: { secretKeyRef: { name: "r1-minicloud-secrets", key: "MINICLOUD_METRICS_TOKEN" } } }]);
    const secret = (byKind(own, "Secret") as unknown as V1Secret[]).find((s) => s.metadata?.name === "r1-minicloud-secrets")!;
    expect(Buffer.from(secret.data!.MINICLOUD_METRICS_TOKEN!, "base64").toString()).toBe("a-token-of-sixteen+");
    const theirs = await render("-f", EXAMPLE_VALUES, "--set", "metrics.enabled=true", "--set", "metrics.existingSecret=scrape-token");
    expect(tokenEnv(theirs)).toEqual([{ name: "MINICLOUD_METRICS_TOKEN", valueFrom: { secretKeyRef: { name: "scrape-token", key: "MINICLOUD_METRICS_TOKEN" } } }]);
    // The scrapers join the NetworkPolicy's sources.
    const [policy] = byKind(theirs, "NetworkPolicy") as unknown as { spec: { ingress: { from: unknown[] }[] } }[];
    expect(policy!.spec.ingress[0]!.from).toHaveLength(1);
    const scraped = await render("-f", EXAMPLE_VALUES, "--set", "metrics.enabled=true", "--set", "metrics.open=true", "--set", "metrics.scrapeFrom[0].namespaceSelector.matchLabels.name=monitoring");
    expect(tokenEnv(scraped)).toEqual([{ name: "MINICLOUD_METRICS", value: "open" }]);
    const [open] = byKind(scraped, "NetworkPolicy") as unknown as { spec: { ingress: { from: unknown[] }[] } }[];
    expect(open!.spec.ingress[0]!.from).toContainEqual({ namespaceSelector: { matchLabels: { name: "monitoring" } } });

    const missing = await helm(binary, ["template", "r1", CHART, ...PUBLIC_URL, "--set", "metrics.enabled=true"]);
    expect(missing.stderr).toContain("metrics.token (16 or more characters) or metrics.existingSecret is required");
    const short = await helm(binary, ["template", "r1", CHART, ...PUBLIC_URL, "--set", "metrics.enabled=true", "--set", "metrics.token=short"]);
    expect(short.code).not.toBe(0);
    expect(short.stderr).toContain("/metrics/token");
  });

  test("one replica needs no PodDisruptionBudget (it would block every drain)", async () => {
    const objects = await render(...PUBLIC_URL, "--set", "replicaCount=1");
    expect(byKind(objects, "PodDisruptionBudget")).toHaveLength(0);
  });
});

describe("Helm chart installed in the local control plane", () => {
  const db = useDatabase();
  const release = uniqueName("mc");
  const namespace = uniqueName("panel");
  let binary = "";
  let gateway: TestGateway | undefined;
  const kubeconfigArgs = () => ["--kubeconfig", clusterKubeconfigPath(), "--namespace", namespace];

  beforeAll(async () => {
    binary = await ensureHelm();
  });
  afterAll(async () => {
    await gateway?.close();
    await helm(binary, ["uninstall", release, ...kubeconfigArgs()]);
  });

  test("the panel with the chart's ServiceAccount token can do every flow", async ({ kc }) => {
    const install = await helm(binary, ["install", release, CHART, ...kubeconfigArgs(), "--create-namespace", ...PUBLIC_URL, "--set", "image.repository=minicloud/panel", "--set", "image.tag=test"]);
    expect(install.stderr.replace(/level=INFO msg="found symbolic link.*\n/g, "")).toBe("");
    expect(install.code).toBe(0);
    const name = `${release}-minicloud`;
    const apps = kc.makeApiClient(AppsV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    expect((await apps.readNamespacedDeployment({ name, namespace })).spec?.replicas).toBe(2);
    expect((await apps.readNamespacedStatefulSet({ name: `${name}-postgresql`, namespace })).spec?.replicas).toBe(1);
    expect((await kc.makeApiClient(RbacAuthorizationV1Api).readClusterRole({ name })).rules?.length).toBeGreaterThan(10);

    // The panel as it runs in the cluster: the chart's ServiceAccount, nothing more.
    const token = await core.createNamespacedServiceAccountToken({ name, namespace, body: { spec: { audiences: [], expirationSeconds: 3600 } } });
    const server = kc.getCurrentCluster()!;
    const kubeconfig = JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "chart", cluster: { server: server.server, "certificate-authority-data": server.caData } }],
      users: [{ name: "chart", user: { token: token.status!.token } }],
      contexts: [{ name: "chart", context: { cluster: "chart", user: "chart" } }],
      "current-context": "chart",
    });
    const admin = await createUser(db(), { platformAdmin: true });
    const actor = { userId: admin.id, label: admin.email };
    const { cluster, check } = await registerCluster(db(), actor, { name: uniqueName("chart"), source: { kind: "kubeconfig", kubeconfig } });
    expect(check).toMatchObject({ reachable: true, apis: { kubevirt: true, cdi: true }, missing: [] });
    // Impersonation asks for more (impersonate users and groups): the chart grants it.
    const defaults = readClusterSettings({ settings: {} });
    await updateClusterSettings(db(), actor, {
      clusterId: cluster.id,
      settings: { ...defaults, impersonation: true, vmImageCatalog: [...defaults.vmImageCatalog, { label: "Kubernetes worker (kubeadm)", image: WORKER_IMAGE }] },
    });

    // The cluster's status view (nodes, pods, volumes by list and watch) as the chart's ServiceAccount.
    const status = await holdStatusCache(db(), cluster.id);
    try {
      await status.cache.ready;
      expect(statusSummaryOf(status.cache).totals.nodes).toBeGreaterThan(0);
    } finally {
      status.release();
    }

    const { teams } = await createOrgWithTeams(db(), 1);
    const team = teams[0]!;
    const assignment = await assignCluster(db(), actor, { clusterId: cluster.id, teamId: team.id, quota: { cpuMillicores: 4000, memoryMib: 8192, maxPods: 10, maxVms: null, storageGib: null } });

    // An SSH pod and its terminals: exec (pods/exec) and ssh through a port-forward.
    const pod = await createSshPod(db(), actor, { teamId: team.id, clusterId: cluster.id, name: uniqueName("chart-pod"), image: "minicloud/ssh-pod:latest", cpuMillicores: "100", memoryMib: "128", homeGib: "", ttlMinutes: "" });
    expect(pod.state).toBe("ready");
    const pods = await waitFor<V1Pod>(kc, { apiVersion: "v1", kind: "Pod", namespace: assignment.namespace }, (list) => list.some(isRunningWithIp));
    await waitForPod(kc, assignment.namespace, pods[0]!.metadata!.name!, isRunningWithIp);
    // Every pod's port 22 reaches the harness's one sshd, which logs in its own user with the panel's key.
    appendFileSync(inject("cluster").sshd.authorizedKeysPath, `${(await getPanelTerminalKey(db())).publicKey}\n`);
    const [row] = await db().select().from(workloads).where(eq(workloads.id, pod.id));
    await db().update(workloads).set({ spec: { ...row!.spec, loginUser: inject("cluster").sshd.user } }).where(eq(workloads.id, pod.id));
    gateway = await startGateway(db(), { idleTimeoutMs: 60_000, keepaliveMs: 25_000, recordingsDir: path.join(tmpdir(), uniqueName("rec")), hostId: hostname(), openers: DEFAULT_OPENERS });
    for (const mode of ["exec", "ssh"] as const) {
      const { ticket } = await issueTerminalTicket(db(), (await loadPrincipal(db(), admin.id))!, { workloadId: pod.id, mode });
      const client = await open(`${gateway.base}/ws/terminal?ticket=${ticket}`, { origin: ORIGIN, cookie: await sessionCookie(admin.id) });
      await client.waitForMessage("ready");
      client.send(`echo chart-${mode}-$((40+2))\r`);
      await client.waitForOutput(new RegExp(`chart-${mode}-42`));
      client.ws.close();
      await client.closed;
    }

    // A VM: created, running, stopped, deleted.
    const vm = await createVm(db(), actor, { teamId: team.id, clusterId: cluster.id, name: uniqueName("chart-vm"), image: "quay.io/kubevirt/cirros-container-disk-demo:latest", runStrategy: "Always", size: "", cpuCores: "1", memoryMib: "256", cloudInit: "" });
    expect(vm.state).toBe("ready");
    const custom = kc.makeApiClient(CustomObjectsApi);
    await waitFor<VirtualMachineInstance>(kc, { apiVersion: `${KUBEVIRT.group}/${KUBEVIRT.version}`, kind: "VirtualMachineInstance", namespace: assignment.namespace }, (list) => list.some((vmi) => vmi.status?.phase === "Running"), { timeoutMs: 60_000 });
    // Its serial console through the gateway (VMI console subresource, as the team).
    const { ticket: serialTicket } = await issueTerminalTicket(db(), (await loadPrincipal(db(), admin.id))!, { workloadId: vm.id, mode: "serial" }, actor, "vm");
    const serial = await open(`${gateway.base}/ws/terminal?ticket=${serialTicket}`, { origin: ORIGIN, cookie: await sessionCookie(admin.id) });
    expect(await serial.waitForMessage("ready", 30_000)).toMatchObject({ mode: "serial" });
    serial.ws.close();
    await serial.closed;
    await operateVm(db(), actor, { teamId: team.id, workloadId: vm.id, operation: "stop" });
    await waitFor<VirtualMachineInstance>(kc, { apiVersion: `${KUBEVIRT.group}/${KUBEVIRT.version}`, kind: "VirtualMachineInstance", namespace: assignment.namespace }, (list) => list.length === 0, { timeoutMs: 60_000 });
    expect(await deleteVm(db(), actor, { teamId: team.id, workloadId: vm.id })).toBe("deleted");
    expect(await deleteSshPod(db(), actor, { teamId: team.id, workloadId: pod.id })).toMatch(/^delet/);
    const vms = (await custom.listNamespacedCustomObject({ group: KUBEVIRT.group, version: KUBEVIRT.version, namespace: assignment.namespace, plural: "virtualmachines" })) as { items: unknown[] };
    expect(vms.items).toEqual([]);

    // A nested cluster on it: control-plane objects made, running, registered; then deleted.
    const nested = await createNestedCluster(db(), actor, { teamId: team.id, hostClusterId: cluster.id, name: uniqueName("chart plane"), version: "v1.35.4" });
    expect((await nested.done).state).toBe("ready");
    // A worker VM joins it (its pool recorded in the nested namespace).
    await scaleWorkerPool(db(), actor, { clusterId: nested.id, size: 1 });
    await expect.poll(async () => (await getWorkerPool(db(), nested.id)).workers.map((w) => w.state), { timeout: 90_000, interval: 500 }).toEqual(["ready"]);
    const nestedView = (await getNestedCluster(db(), nested.id))!;
    expect(await deleteNestedCluster(db(), actor, { clusterId: nested.id, confirmName: nestedView.name })).toBe("deleted");

    // Disconnecting deletes what the panel made (team namespaces included), with the chart's rights.
    const { deleted } = await disconnectCluster(db(), actor, { clusterId: cluster.id, deleteObjects: true, confirmName: cluster.name });
    expect(deleted?.namespaces).toContain(assignment.namespace);
  });
});
