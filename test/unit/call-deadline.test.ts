// A Kubernetes call that reaches its deadline is cancelled, not just abandoned: the server
// sees the request go away, and the caller is told the outcome is unknown.
import { once } from "node:events";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { CoreV1Api } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { kubeConfigFromSelected } from "@/lib/kube/kubeconfig";
import { kube, OutcomeUnknownError } from "@/lib/kube/transport";

describe("call deadlines", () => {
  it("aborts the request at the deadline and reports an unknown outcome", async () => {
    const arrived: IncomingMessage[] = [];
    const server = createServer((req) => void arrived.push(req)); // never answers
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    try {
      const kc = kubeConfigFromSelected({
        context: { name: "c", cluster: "c", user: "u" },
        cluster: { name: "c", server: `http://127.0.0.1:${port}`, insecureSkipTlsVerify: true },
        user: { name: "u", token: "t" },
      });
      const core = kc.makeApiClient(CoreV1Api);
      const call = kube({ id: "x", name: "slow" }, "create service s", () => core.createNamespacedService({ namespace: "n", body: { metadata: { name: "s" } } }), { timeoutMs: 300 });
      await expect(call).rejects.toBeInstanceOf(OutcomeUnknownError);
      await expect(call).rejects.toThrow("The cluster “slow” did not answer within 0 s (while trying to create service s).");
      expect(arrived).toHaveLength(1);
      // The request itself was cancelled: its connection closes without the server answering.
      const request = arrived[0]!;
      if (!request.socket.destroyed) await once(request.socket, "close");
      expect(request.socket.destroyed).toBe(true);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
