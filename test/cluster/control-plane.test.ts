// Self-tests of the local control plane: the real API server, controllers and scheduler,
// kwok's kubelets, and the sshd behind pods' port 22 behave as the panel expects.
import { appendFileSync, existsSync, readdirSync, readFileSync } from "node:fs";
import { Duplex, PassThrough, Writable } from "node:stream";
import { finished } from "node:stream/promises";
import {
  ApiException,
  AuthenticationV1Api,
  CoreV1Api,
  Exec,
  KubeConfig,
  Log,
  PortForward,
  RbacAuthorizationV1Api,
  VersionApi,
  Watch,
  type V1Namespace,
  type V1Node,
  type V1Pod,
  type V1Status,
} from "@kubernetes/client-node";
import { Client as SshClient } from "ssh2";
import type WebSocket from "ws";
import { describe, expect, inject } from "vitest";
import { generateEd25519KeyPair } from "@/lib/ssh-keys/openssh-format";
import { startLocalCluster } from "../../dev/cluster/index";
import { PINS } from "../../dev/cluster/pins";
import { NODE_NAMES } from "../../dev/cluster/nodes";
import { createNamespace, isRunningWithIp, podSpec, test, uniqueName, waitFor, waitForPod } from "./helpers";

/** A Writable that keeps what it is given, synchronously, as text. */
function textSink(): { stream: Writable; text: () => string } {
  let text = "";
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  return { stream, text: () => text };
}

async function runningPod(kc: KubeConfig, namespace: string, name = uniqueName("pod")): Promise<V1Pod> {
  await kc.makeApiClient(CoreV1Api).createNamespacedPod({ namespace, body: podSpec(name) });
  return waitForPod(kc, namespace, name, isRunningWithIp);
}

describe("control plane", () => {
  test("serves the pinned Kubernetes release", async ({ kc }) => {
    const version = await kc.makeApiClient(VersionApi).getCode();
    expect(version.gitVersion).toBe(PINS.kubernetes);
  });

  test("has three Ready worker nodes shaped like real ones", async ({ kc }) => {
    const { items } = await kc.makeApiClient(CoreV1Api).listNode();
    const workers = items.filter((node: V1Node) => NODE_NAMES.includes(node.metadata!.name as (typeof NODE_NAMES)[number]));
    expect(workers).toHaveLength(3);
    for (const node of workers) {
      expect(node.metadata!.labels).toMatchObject({ "node-role.kubernetes.io/worker": "", "kubernetes.io/os": "linux" });
      expect(node.metadata!.labels!["topology.kubernetes.io/zone"]).toBeTruthy();
      expect(node.status!.capacity).toMatchObject({ cpu: "8", memory: "32Gi", pods: "110" });
      expect(node.status!.conditions!.find((c) => c.type === "Ready")!.status).toBe("True");
    }
  });
});

/** Pids of running processes whose command line mentions `text`. */
function processesMentioning(text: string): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(text);
      } catch {
        return false; // exited while we looked
      }
    })
    .map(Number);
}

describe("teardown", () => {
  // A second, private control plane: the shared one must outlive this test.
  test("stop() leaves no process and no directory behind", async () => {
    const cluster = await startLocalCluster();
    expect(processesMentioning(cluster.dir).length).toBeGreaterThanOrEqual(6);
    await cluster.stop();
    expect(existsSync(cluster.dir)).toBe(false);
    expect(processesMentioning(cluster.dir)).toEqual([]);
  });
});

describe("pods", () => {
  // How fast is measured by bench:pods (request → Running); here only that it happens.
  test("a created pod is scheduled and Running with an IP", async ({ kc, namespace }) => {
    const name = uniqueName("pod");
    await kc.makeApiClient(CoreV1Api).createNamespacedPod({ namespace, body: podSpec(name) });
    const pod = await waitForPod(kc, namespace, name, isRunningWithIp, { timeoutMs: 60_000 });
    expect(pod.spec!.nodeName).toMatch(/^mc-worker-/);
    expect(pod.status!.podIP).toMatch(/^10\.244\./);
  });

  test("exec runs the requested command and returns its output", async ({ kc, namespace }) => {
    const pod = await runningPod(kc, namespace);
    const stdout = textSink();
    const stderr = textSink();
    const status = await new Promise<V1Status>((resolve, reject) => {
      new Exec(kc)
        .exec(namespace, pod.metadata!.name!, "main", ["echo", "hello from exec"], stdout.stream, stderr.stream, null, false, resolve)
        .catch(reject);
    });
    expect(status.status).toBe("Success");
    expect(stdout.text()).toBe("hello from exec\n");
    expect(stderr.text()).toBe("");
  });

  test("logs return content", async ({ kc, namespace }) => {
    const pod = await runningPod(kc, namespace);
    const sink = textSink();
    // client-node pipes the response into the stream; the stream finishing is the end of the log.
    await new Log(kc).log(namespace, pod.metadata!.name!, "main", sink.stream, { follow: false });
    await finished(sink.stream);
    expect(sink.text()).toContain("container started");
  });

  test("port-forward to port 22 reaches a real sshd: handshake, auth, command", async ({ kc, namespace }) => {
    const pod = await runningPod(kc, namespace);
    const { sshd } = inject("cluster");
    // The panel's own key generator: ssh2's makes an unreadable ed25519 key about once in 256.
    const { publicKey, privateKey } = generateEd25519KeyPair("control-plane-test");
    const keys = { public: publicKey, private: privateKey };
    appendFileSync(sshd.authorizedKeysPath, `${keys.public}\n`);

    // One websocket per ssh connection; the pod port's byte stream is the ssh transport.
    const fromPod = new PassThrough();
    const toPod = new PassThrough();
    const errors = textSink();
    const socket = (await new PortForward(kc).portForward(namespace, pod.metadata!.name!, [22], fromPod, errors.stream, toPod, 0)) as WebSocket;
    const ssh = new SshClient();
    try {
      const output = await new Promise<string>((resolve, reject) => {
        ssh.on("error", reject);
        ssh.on("ready", () => {
          ssh.exec("echo ssh-ok; id -un", (error, channel) => {
            if (error) return reject(error);
            let text = "";
            channel.on("data", (chunk: Buffer) => (text += chunk.toString()));
            channel.on("close", () => resolve(text));
          });
        });
        ssh.connect({ sock: Duplex.from({ readable: fromPod, writable: toPod }), username: sshd.user, privateKey: keys.private, readyTimeout: 10_000 });
      });
      expect(output).toBe(`ssh-ok\n${sshd.user}\n`);
      expect(errors.text()).toBe("");
    } finally {
      ssh.end();
      socket.close();
    }
  });

  test("a watch delivers ADDED, MODIFIED and DELETED", async ({ kc, namespace }) => {
    const name = uniqueName("pod");
    const core = kc.makeApiClient(CoreV1Api);
    const events: string[] = [];
    let onDeleted!: () => void;
    const deleted = new Promise<void>((resolve) => (onDeleted = resolve));
    const watch = await new Watch(kc).watch(
      `/api/v1/namespaces/${namespace}/pods`,
      { fieldSelector: `metadata.name=${name}` },
      (type: string) => {
        events.push(type);
        if (type === "DELETED") onDeleted();
      },
      () => {},
    );
    try {
      await core.createNamespacedPod({ namespace, body: podSpec(name) });
      await waitForPod(kc, namespace, name, isRunningWithIp);
      await core.deleteNamespacedPod({ name, namespace });
      await deleted;
    } finally {
      watch.abort();
    }
    expect(events[0]).toBe("ADDED");
    expect(events).toContain("MODIFIED");
    expect(events.at(-1)).toBe("DELETED");
  });
});

describe("controllers", () => {
  test("deleting a namespace removes its pods and finishes", async ({ kc }) => {
    const name = uniqueName("doomed");
    const core = kc.makeApiClient(CoreV1Api);
    await createNamespace(kc, name);
    await runningPod(kc, name);
    await core.createNamespacedConfigMap({ namespace: name, body: { metadata: { name: "settings" }, data: { a: "b" } } });
    await core.deleteNamespace({ name });
    await waitFor<V1Namespace>(kc, { apiVersion: "v1", kind: "Namespace", fieldSelector: `metadata.name=${name}` }, (found) => found.length === 0, {
      description: `namespace ${name} to be gone`,
    });
  });
});

/** Creates a ServiceAccount and returns a client config that authenticates as it (bound token). */
async function serviceAccountKubeConfig(kc: KubeConfig, namespace: string, account: string): Promise<KubeConfig> {
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: account } } });
  const { status } = await core.createNamespacedServiceAccountToken({ name: account, namespace, body: { spec: { audiences: [], expirationSeconds: 600 } } });
  const cluster = kc.getCurrentCluster()!;
  const asAccount = new KubeConfig();
  asAccount.loadFromOptions({
    clusters: [{ name: "local", server: cluster.server, caData: cluster.caData, skipTLSVerify: false }],
    users: [{ name: account, token: status!.token }],
    contexts: [{ name: "local", cluster: "local", user: account }],
    currentContext: "local",
  });
  return asAccount;
}

/** Whether an exec over the websocket protocol succeeds. */
async function canExec(kc: KubeConfig, namespace: string, pod: string): Promise<boolean> {
  const stdout = textSink();
  return new Promise<V1Status>((resolve, reject) => {
    new Exec(kc).exec(namespace, pod, "main", ["true"], stdout.stream, null, null, false, resolve).catch(reject);
  }).then(
    (status) => status.status === "Success",
    () => false,
  );
}

/** Whether a port-forward websocket to port 22 opens. */
async function canPortForward(kc: KubeConfig, namespace: string, pod: string): Promise<boolean> {
  try {
    const socket = (await new PortForward(kc).portForward(namespace, pod, [22], new PassThrough(), null, new PassThrough(), 0)) as WebSocket;
    socket.close();
    return true;
  } catch {
    return false;
  }
}

describe("RBAC", () => {
  test("a ServiceAccount without rights is authenticated but denied", async ({ kc, namespace }) => {
    const account = "no-rights";
    const asAccount = await serviceAccountKubeConfig(kc, namespace, account);

    const review = await asAccount.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} });
    const username = `system:serviceaccount:${namespace}:${account}`;
    expect(review.status!.userInfo!.username).toBe(username);

    const denied = await asAccount.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(denied).toBeInstanceOf(ApiException);
    expect((denied as ApiException<string>).code).toBe(403);
    expect(String((denied as ApiException<string>).body)).toContain(username);
  });

  // Websocket exec and port-forward are GET upgrades; Kubernetes 1.35 also demands `create`
  // on the subresource (the verb SPDY clients always needed). The panel's Role needs both.
  test("websocket exec and port-forward need both get and create on the subresource", async ({ kc, namespace }) => {
    const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
    const grants = { "get-only": ["get"], "create-only": ["create"], "get-and-create": ["get", "create"] } as const;
    const clients: Record<string, KubeConfig> = {};
    // Roles and bindings first: by the time the pod runs, the authorizer's caches have them.
    for (const [account, verbs] of Object.entries(grants)) {
      await rbac.createNamespacedRole({
        namespace,
        body: {
          metadata: { name: account },
          rules: [
            { apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] },
            { apiGroups: [""], resources: ["pods/exec", "pods/portforward"], verbs: [...verbs] },
          ],
        },
      });
      await rbac.createNamespacedRoleBinding({
        namespace,
        body: {
          metadata: { name: account },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: account },
          subjects: [{ kind: "ServiceAccount", name: account, namespace }],
        },
      });
      clients[account] = await serviceAccountKubeConfig(kc, namespace, account);
    }
    const pod = (await runningPod(kc, namespace)).metadata!.name!;

    const outcome: Record<string, { exec: boolean; portForward: boolean }> = {};
    for (const account of Object.keys(grants)) {
      outcome[account] = { exec: await canExec(clients[account]!, namespace, pod), portForward: await canPortForward(clients[account]!, namespace, pod) };
    }
    expect(outcome).toEqual({
      "get-only": { exec: false, portForward: false },
      "create-only": { exec: false, portForward: false },
      "get-and-create": { exec: true, portForward: true },
    });
  });
});
