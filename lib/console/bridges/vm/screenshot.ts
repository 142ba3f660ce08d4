// A VM's screen as PNG, for the VNC console's "Screenshot" download: KubeVirt's
// `virtualmachineinstances/<name>/vnc/screenshot` through the apiserver, with the team's
// credentials (impersonation) like the consoles. Authorized as opening a console is
// (`terminals:open` on the VM's team, a refusal audited); the answer is bounded in size and time.
import { request } from "node:https";
import type { Principal } from "@/lib/auth/policy";
import { authorize } from "@/lib/access/deny";
import type { Actor } from "@/lib/audit/service";
import type { Db } from "@/lib/db/client";
import { NotFoundError, UnavailableError } from "@/lib/errors";
import { getClusterConnection } from "@/lib/kube/clients";
import { toClusterError } from "@/lib/kube/transport";
import { ApiException, type KubeConfig } from "@kubernetes/client-node";
import { locateVmTarget } from "@/lib/console/bridges/vm/vm-target";
import { vmiSubresourcePath } from "@/lib/console/bridges/vm/vmi-stream";
import { loadTerminalTarget, targetScope } from "@/lib/console/targets";

/** The largest screenshot accepted (a 4K PNG is a few MiB). */
export const SCREENSHOT_MAX_BYTES = 32 * 1024 * 1024;
const SCREENSHOT_TIMEOUT_MS = 20_000;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

async function getPng(kc: KubeConfig, path: string): Promise<Buffer> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error("the cluster's config names no server");
  const options: Parameters<typeof request>[1] = { method: "GET", headers: { Accept: "image/png" }, timeout: SCREENSHOT_TIMEOUT_MS };
  await kc.applyToHTTPSOptions(options as never);
  return new Promise<Buffer>((resolve, reject) => {
    const req = request(new URL(server.replace(/\/$/, "") + path), options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > SCREENSHOT_MAX_BYTES) return req.destroy(new Error("the screenshot is larger than the panel accepts"));
        chunks.push(chunk);
      });
      res.on("end", () => {
        const body = Buffer.concat(chunks);
        if (res.statusCode !== 200) return reject(new ApiException(res.statusCode ?? 0, "screenshot refused", body.toString("utf8").slice(0, 4096), {}));
        resolve(body);
      });
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end();
  });
}

/** The screen of VM `workloadId` as PNG bytes; NotFound for a VM the caller may not see, Forbidden for one they may not open. */
export async function vmScreenshot(db: Db, principal: Principal, workloadId: string, actor?: Actor): Promise<{ png: Buffer; name: string }> {
  const target = await loadTerminalTarget(db, workloadId).catch((error: unknown) => {
    throw error instanceof NotFoundError ? new NotFoundError("No such VM.") : error;
  });
  await authorize(db, { principal, actor }, {
    action: "vm.screenshot",
    permission: "terminals:open",
    scope: targetScope(target),
    target: { type: "workload", id: target.workloadId, label: target.label },
    notFound: "No such VM.",
    forbidden: "You may not open consoles on this team's VMs.",
  });
  if (target.kind !== "vm") throw new NotFoundError("No such VM.");
  const connection = await getClusterConnection(db, target.clusterId);
  const kc = connection.forTeam(target.teamId);
  const { locator } = await locateVmTarget({ db, target, cluster: connection, kc });
  let png: Buffer;
  try {
    png = await getPng(kc, vmiSubresourcePath(locator.namespace, locator.name, "vnc/screenshot"));
  } catch (error) {
    throw toClusterError(connection, "take a screenshot of the VM", error);
  }
  if (!png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new UnavailableError("The cluster's screenshot of the VM was not a PNG image.");
  return { png, name: target.name };
}
