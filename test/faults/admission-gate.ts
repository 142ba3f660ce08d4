// A gate in the middle of a create, so a fault lands there every time: a validating admission
// webhook (served here on loopback, registered with the real API server) that holds the
// creation of one Secret — the second object of every kind's create — until released. While
// it is held, the create is provably under way and not finished.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { AdmissionregistrationV1Api, CoreV1Api, type KubeConfig } from "@kubernetes/client-node";

export interface AdmissionGate {
  /** Holds the next Secret whose name starts with `prefix`; resolves once its create has reached the gate. */
  hold(prefix: string, timeoutMs?: number): Promise<void>;
  /** Lets the held create through (the API server then stores the Secret, if it is still there to). */
  release(): void;
  close(): Promise<void>;
}

interface Review {
  request?: { uid?: string; object?: { metadata?: { name?: string } } };
}

/** Serves the webhook and registers it for Secrets created in `namespace`. */
export async function startAdmissionGate(kc: KubeConfig, namespace: string): Promise<AdmissionGate> {
  // A throwaway serving certificate for 127.0.0.1 (test tooling; the product never shells out).
  const dir = mkdtempSync(path.join(tmpdir(), "minicloud-gate-"));
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem")], { stdio: "ignore" });
  const cert = readFileSync(path.join(dir, "cert.pem"));
  const key = readFileSync(path.join(dir, "key.pem"));
  rmSync(dir, { recursive: true, force: true });

  let prefix: string | null = null;
  let reached: (() => void) | null = null;
  let releaseHeld: (() => void) | null = null;
  const server: Server = createServer({ cert, key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      const review = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Review;
      const name = review.request?.object?.metadata?.name ?? "";
      if (prefix && name.startsWith(prefix)) {
        prefix = null; // one create held per hold()
        const released = new Promise<void>((resolve) => (releaseHeld = resolve));
        reached?.();
        await released;
      }
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response: { uid: review.request?.uid, allowed: true } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  const webhooks = kc.makeApiClient(AdmissionregistrationV1Api);
  const name = `minicloud-fault-gate-${port}`;
  await webhooks.createValidatingWebhookConfiguration({
    body: {
      metadata: { name },
      webhooks: [
        {
          name: "gate.faults.minicloud.test",
          admissionReviewVersions: ["v1"],
          sideEffects: "None",
          failurePolicy: "Ignore",
          timeoutSeconds: 30,
          clientConfig: { url: `https://127.0.0.1:${port}/validate`, caBundle: cert.toString("base64") },
          rules: [{ operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["secrets"] }],
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } },
        },
      ],
    },
  });

  const gate: AdmissionGate = {
    hold(holdPrefix, timeoutMs = 60_000) {
      prefix = holdPrefix;
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no Secret named ${holdPrefix}… reached the gate within ${timeoutMs / 1000} s`)), timeoutMs);
        reached = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    },
    release() {
      releaseHeld?.();
      releaseHeld = null;
    },
    async close() {
      releaseHeld?.();
      await webhooks.deleteValidatingWebhookConfiguration({ name }).catch(() => {});
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  await untilActive(kc, namespace, gate);
  return gate;
}

// The API server picks a new webhook up a moment after it is created: probe until it holds one.
async function untilActive(kc: KubeConfig, namespace: string, gate: AdmissionGate): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  for (let attempt = 1; ; attempt++) {
    const name = `minicloud-gate-probe-${attempt}`;
    const reached = gate.hold("minicloud-gate-probe-", 1000);
    const created = core.createNamespacedSecret({ namespace, body: { metadata: { name }, stringData: { probe: "1" } } });
    const active = await reached.then(
      () => true,
      () => false,
    );
    gate.release();
    await created;
    await core.deleteNamespacedSecret({ name, namespace });
    if (active) return;
    if (attempt >= 30) throw new Error("the admission gate never became active");
  }
}
