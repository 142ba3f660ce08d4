// Readiness of a container the runner started, as a kubelet probes it: an httpGet (HTTP or
// HTTPS, certificates not verified, as the kubelet does) or tcpSocket probe against the pod's
// loopback address. No probe (or an exec probe, which cannot run in an image we do not have):
// ready while the process runs.
import { connect } from "node:net";
import https from "node:https";
import http from "node:http";
import type { V1Container, V1Probe } from "@kubernetes/client-node";

function portOf(port: number | string | undefined, container: V1Container): number | null {
  if (typeof port === "number") return port;
  if (typeof port === "string" && /^\d+$/.test(port)) return Number(port);
  const named = container.ports?.find((p) => p.name === port);
  return named?.containerPort ?? null;
}

/** Whether one probe passes now (bounded by its timeout, at least 1 s). */
export function probeOnce(probe: V1Probe, container: V1Container, address: string): Promise<boolean> {
  const timeoutMs = Math.max(1, probe.timeoutSeconds ?? 1) * 1000;
  if (probe.httpGet) {
    const port = portOf(probe.httpGet.port as number | string, container);
    if (port === null) return Promise.resolve(false);
    const secure = probe.httpGet.scheme === "HTTPS";
    const headers = Object.fromEntries((probe.httpGet.httpHeaders ?? []).map((h) => [h.name, h.value]));
    return new Promise((resolve) => {
      const request = (secure ? https : http).request(
        { host: address, port, path: probe.httpGet!.path ?? "/", method: "GET", headers, timeout: timeoutMs, rejectUnauthorized: false },
        (response) => {
          response.resume();
          const status = response.statusCode ?? 0;
          resolve(status >= 200 && status < 400);
        },
      );
      request.on("timeout", () => request.destroy());
      request.on("error", () => resolve(false));
      request.end();
    });
  }
  if (probe.tcpSocket) {
    const port = portOf(probe.tcpSocket.port as number | string, container);
    if (port === null) return Promise.resolve(false);
    return new Promise((resolve) => {
      const socket = connect({ host: address, port, timeout: timeoutMs });
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("timeout", () => {
        socket.destroy();
        resolve(false);
      });
      socket.once("error", () => resolve(false));
    });
  }
  return Promise.resolve(true);
}
