// Self-tests of the KubeVirt/CDI stand-ins, driven only through the kube-apiserver (and CDI's upload
// proxy URL), the way the panel drives a real cluster.
import { randomBytes } from "node:crypto";
import { request as httpsRequest, type RequestOptions } from "node:https";
import { CoreV1Api, CustomObjectsApi, KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import WebSocket from "ws";
import { describe, expect } from "vitest";
import { test, waitFor } from "./helpers";

interface Response {
  status: number;
  body: string;
  json<T = any>(): T;
}

const vmApi = { group: "kubevirt.io", version: "v1", plural: "virtualmachines" };
const dvApi = { group: "cdi.kubevirt.io", version: "v1beta1", plural: "datavolumes" };

/** One HTTPS request to the apiserver with the kubeconfig's admin client certificate. */
async function apiRequest(kc: KubeConfig, method: string, path: string, body?: unknown): Promise<Response> {
  const options: RequestOptions = { method, headers: { Accept: "application/json", "Content-Type": "application/json" } };
  await kc.applyToHTTPSOptions(options);
  return send(new URL(kc.getCurrentCluster()!.server + path), options, body === undefined ? undefined : JSON.stringify(body));
}

function send(url: URL, options: RequestOptions, body?: string | Buffer): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode ?? 0, body: text, json: () => JSON.parse(text) });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

const vmAction = (kc: KubeConfig, namespace: string, name: string, action: "start" | "stop" | "restart") =>
  apiRequest(kc, "PUT", `/apis/subresources.kubevirt.io/v1/namespaces/${namespace}/virtualmachines/${name}/${action}`, {});

function newVm(namespace: string, name: string, runStrategy = "Halted") {
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata: { name, namespace },
    spec: {
      runStrategy,
      template: {
        metadata: { labels: { "minicloud.io/workload": name }, annotations: { "sidecar.istio.io/inject": "false" } },
        spec: { domain: { cpu: { cores: 1 }, memory: { guest: "512Mi" }, devices: {} } },
      },
    },
  };
}

type Obj = KubernetesObject & { spec?: any; status?: any };

/** Waits until the named object of `kind` satisfies `check` (or, with `check` undefined, is gone). */
async function waitForNamed(kc: KubeConfig, apiVersion: string, kind: string, namespace: string, name: string, check?: (obj: Obj) => boolean): Promise<Obj> {
  const [obj] = await waitFor<Obj>(
    kc,
    { apiVersion, kind, namespace, fieldSelector: `metadata.name=${name}` },
    (objects) => (check ? objects.length === 1 && check(objects[0]!) : objects.length === 0),
    { timeoutMs: 15_000, description: `${kind} ${namespace}/${name} ${check ? "to reach the expected state" : "to be deleted"}` },
  );
  return obj!;
}

const waitForVm = (kc: KubeConfig, namespace: string, name: string, check: (vm: Obj) => boolean) =>
  waitForNamed(kc, "kubevirt.io/v1", "VirtualMachine", namespace, name, check);
const waitForVmi = (kc: KubeConfig, namespace: string, name: string, check?: (vmi: Obj) => boolean) =>
  waitForNamed(kc, "kubevirt.io/v1", "VirtualMachineInstance", namespace, name, check);

const rejectAfter = (ms: number, what: string) =>
  new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms).unref());

/** Creates a Halted VM, starts it through the subresource and returns its Running VMI. */
async function startRunningVm(kc: KubeConfig, namespace: string, name: string): Promise<Obj> {
  await kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({ ...vmApi, namespace, body: newVm(namespace, name) });
  await waitForVm(kc, namespace, name, (vm) => vm.status?.printableStatus === "Stopped");
  expect((await vmAction(kc, namespace, name, "start")).status).toBe(202);
  await waitForVm(kc, namespace, name, (vm) => vm.status?.printableStatus === "Running" && vm.status?.ready === true);
  return waitForVmi(kc, namespace, name, (vmi) => vmi.status?.phase === "Running");
}

describe("VM lifecycle and subresources stand-ins", () => {
  test("a VM started through the start subresource becomes Ready and its VMI Running", async ({ kc, namespace }) => {
    const vmi = await startRunningVm(kc, namespace, "alpha");
    const vm = await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ ...vmApi, namespace, name: "alpha" });
    expect(vm.spec.runStrategy).toBe("Always");
    expect(vm.status.conditions).toContainEqual(expect.objectContaining({ type: "Ready", status: "True" }));
    expect(vmi.status.interfaces[0].ipAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const nodes = (await kc.makeApiClient(CoreV1Api).listNode()).items.map((n) => n.metadata!.name);
    expect(nodes).toContain(vmi.status.nodeName);
    expect(vmi.metadata!.labels!["minicloud.io/workload"]).toBe("alpha");
    expect(vmi.metadata!.annotations!["sidecar.istio.io/inject"]).toBe("false");
    expect(vmi.metadata!.ownerReferences![0]).toMatchObject({ kind: "VirtualMachine", name: "alpha", uid: vm.metadata.uid, controller: true });

    const again = await vmAction(kc, namespace, "alpha", "start");
    expect(again.status).toBe(409);
    expect(again.json()).toMatchObject({ kind: "Status", reason: "Conflict", code: 409 });
    const missing = await vmAction(kc, namespace, "nope", "start");
    expect(missing.status).toBe(404);
    expect(missing.json()).toMatchObject({ kind: "Status", reason: "NotFound", code: 404 });
  });

  test("stop halts the VM and removes its VMI", async ({ kc, namespace }) => {
    await startRunningVm(kc, namespace, "bravo");
    expect((await vmAction(kc, namespace, "bravo", "stop")).status).toBe(202);
    await waitForVmi(kc, namespace, "bravo");
    const vm = await waitForVm(kc, namespace, "bravo", (vm) => vm.status?.printableStatus === "Stopped");
    expect(vm.spec.runStrategy).toBe("Halted");
    expect(vm.status.ready).toBe(false);
    expect((await vmAction(kc, namespace, "bravo", "stop")).status).toBe(409);
  });

  test("restart replaces the VMI, and deleting the VM removes it", async ({ kc, namespace }) => {
    const first = await startRunningVm(kc, namespace, "charlie");
    expect((await vmAction(kc, namespace, "charlie", "restart")).status).toBe(202);
    const second = await waitForVmi(kc, namespace, "charlie", (vmi) => vmi.metadata!.uid !== first.metadata!.uid && vmi.status?.phase === "Running");
    expect(second.status.interfaces[0].ipAddress).toBeTruthy();

    await kc.makeApiClient(CustomObjectsApi).deleteNamespacedCustomObject({ ...vmApi, namespace, name: "charlie" });
    await waitForVmi(kc, namespace, "charlie");
  });
});

/** Opens a VMI's console websocket through the apiserver with the kubeconfig's admin client certificate. */
async function openConsole(kc: KubeConfig, namespace: string, name: string): Promise<WebSocket> {
  const server = kc.getCurrentCluster()!.server.replace(/^https/, "wss");
  const options: WebSocket.ClientOptions = {};
  await kc.applyToHTTPSOptions(options);
  return new WebSocket(`${server}/apis/subresources.kubevirt.io/v1/namespaces/${namespace}/virtualmachineinstances/${name}/console`, ["plain.kubevirt.io"], options);
}

describe("serial console stand-in", () => {
  test("the console websocket echoes typed bytes through the apiserver", { timeout: 120_000 }, async ({ kc, namespace }) => {
    await startRunningVm(kc, namespace, "delta");
    const ws = await openConsole(kc, namespace, "delta");
    let output = "";
    let textFrames = 0;
    const waiters: { pattern: RegExp; resolve: () => void }[] = [];
    ws.on("message", (data, isBinary) => {
      if (!isBinary) textFrames++;
      output += Buffer.from(data as Buffer).toString("utf8");
      for (const waiter of waiters.filter((w) => w.pattern.test(output))) waiter.resolve();
    });
    const seen = (pattern: RegExp, what: string, timeoutMs = 10_000) =>
      pattern.test(output)
        ? Promise.resolve()
        : Promise.race([new Promise<void>((resolve) => waiters.push({ pattern, resolve })), rejectAfter(timeoutMs, `${what} (got ${JSON.stringify(output.slice(-500))})`)]);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    try {
      expect(ws.protocol).toBe("plain.kubevirt.io");
      // The console is the serial port of a real guest (the tiny image) that boots under TCG: give it time.
      await seen(/delta login: $/, "the login prompt", 90_000);
      ws.send(Buffer.from("root\r"));
      await seen(/root@delta:~# /, "the shell prompt");
      ws.send(Buffer.from("echo minicloud-$((6*7))\r"));
      await seen(/echo minicloud-\$\(\(6\*7\)\)/, "the typed bytes echoed back");
      await seen(/minicloud-42\r\n/, "the command's output");
      expect(textFrames).toBe(0);
    } finally {
      ws.close();
    }
  });

  test("the console of a missing VMI is refused with 404", async ({ kc, namespace }) => {
    const ws = await openConsole(kc, namespace, "ghost");
    const status = await new Promise<number>((resolve, reject) => {
      ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      ws.once("open", () => reject(new Error("console opened for a missing VMI")));
      ws.once("error", () => undefined);
    });
    expect(status).toBe(404);
  });
});

describe("CDI upload stand-in", () => {
  test("an UploadTokenRequest and an upload mark the DataVolume Succeeded", async ({ kc, namespace }) => {
    const name = "disk-upload";
    const custom = kc.makeApiClient(CustomObjectsApi);
    await custom.createNamespacedCustomObject({
      ...dvApi,
      namespace,
      body: {
        apiVersion: "cdi.kubevirt.io/v1beta1",
        kind: "DataVolume",
        metadata: { name, namespace },
        spec: { source: { upload: {} }, storage: { resources: { requests: { storage: "1Gi" } } } },
      },
    });
    await waitForNamed(kc, "cdi.kubevirt.io/v1beta1", "DataVolume", namespace, name, (dv) => dv.status?.phase === "UploadReady");

    const tokenResponse = await apiRequest(kc, "POST", `/apis/upload.cdi.kubevirt.io/v1beta1/namespaces/${namespace}/uploadtokenrequests`, {
      apiVersion: "upload.cdi.kubevirt.io/v1beta1",
      kind: "UploadTokenRequest",
      metadata: { name, namespace },
      spec: { pvcName: name },
    });
    expect(tokenResponse.status).toBe(201);
    const token: string = tokenResponse.json().status.token;
    expect(token).toBeTruthy();

    // Found the way a client finds CDI's upload proxy: CDIConfig status and the proxy's signer bundle.
    const config = await custom.getClusterCustomObject({ group: "cdi.kubevirt.io", version: "v1beta1", plural: "cdiconfigs", name: "config" });
    const proxyUrl: string = config.status.uploadProxyURL;
    const signer = await kc.makeApiClient(CoreV1Api).readNamespacedConfigMap({ namespace: "cdi", name: "cdi-uploadproxy-signer-bundle" });
    const ca = signer.data!["ca-bundle.crt"];
    const upload = (authorization: string) =>
      send(
        new URL(`${proxyUrl.includes("://") ? proxyUrl : `https://${proxyUrl}`}/v1beta1/upload`),
        { method: "POST", ca, headers: { Authorization: authorization, "Content-Type": "application/octet-stream" } },
        randomBytes(64 * 1024),
      );
    expect((await upload("Bearer forged.token")).status).toBe(401);
    expect((await upload(`Bearer ${token}`)).status).toBe(200);

    const dv = await waitForNamed(kc, "cdi.kubevirt.io/v1beta1", "DataVolume", namespace, name, (dv) => dv.status?.phase === "Succeeded");
    expect(dv.status.progress).toBe("100.0%");
  });
});
