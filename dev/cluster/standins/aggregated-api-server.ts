// The HTTPS backend of the stand-in aggregated APIs (`subresources.kubevirt.io`, `upload.cdi.kubevirt.io`).
// The kube-apiserver proxies to it after authenticating and authorizing the caller, presenting its
// front-proxy client certificate, which this server requires: nothing reaches it except through the apiserver.
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { uploadGroup, uploadVersion } from "./cdi";
import { discoveryDocument } from "./discovery";
import { ApiError, readJson, refuseUpgrade, sendError, sendJson } from "./http-replies";
import type { Kube } from "./kube";
import type { GuestStream, GuestStreams } from "./guest-streams";
import type { ServingCertificate } from "./tls";
import { issueUploadToken } from "./upload-token-requests";
import type { UploadTokenSigner } from "./upload-token";
import type { VmiGuests } from "./vm-guests";
import { runVmiAction, screenshot, type VmiAction } from "./vmi-subresources";
import { runVmAction, type VmAction } from "./vm-subresources";

const vmActionPath = /^\/apis\/subresources\.kubevirt\.io\/(?:v1|v1alpha3)\/namespaces\/([^/]+)\/virtualmachines\/([^/]+)\/(start|stop|restart)$/;
const vmiPrefix = String.raw`^/apis/subresources\.kubevirt\.io/(?:v1|v1alpha3)/namespaces/([^/]+)/virtualmachineinstances/([^/]+)/`;
const streamPath = new RegExp(`${vmiPrefix}(console|vnc|portforward/(\\d{1,5})(?:/tcp)?)$`);
const vmiActionPath = new RegExp(`${vmiPrefix}(pause|unpause|softreboot)$`);
const screenshotPath = new RegExp(`${vmiPrefix}vnc/screenshot$`);
const uploadTokenPath = new RegExp(`^/apis/${uploadGroup.replace(/\./g, "\\.")}/${uploadVersion}/namespaces/([^/]+)/uploadtokenrequests$`);

export interface AggregatedApiDeps {
  kube: Kube;
  certificate: ServingCertificate;
  /** CA of the apiserver's front-proxy client certificate (`requestheader-client-ca-file`). */
  frontProxyCaPem: string;
  guests: VmiGuests;
  streams: GuestStreams;
  uploadTokens: UploadTokenSigner;
  log: (line: string) => void;
}

/** A listening aggregated API server. */
export interface AggregatedApiServer {
  port: number;
  close(): Promise<void>;
}

/** Starts the server on a free loopback port. */
export async function startAggregatedApiServer(deps: AggregatedApiDeps): Promise<AggregatedApiServer> {
  const server: Server = createServer(
    {
      cert: deps.certificate.certPem,
      key: deps.certificate.keyPem,
      ca: deps.frontProxyCaPem,
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      handle(deps, req, res).catch((error: unknown) => {
        if (!(error instanceof ApiError)) deps.log(`aggregated api stand-in: ${req.method} ${req.url}: ${String(error)}`);
        sendError(res, error);
      });
    },
  );
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const match = streamPath.exec(pathOf(req));
    if (!match || req.method !== "GET") return refuseUpgrade(socket, new ApiError(404, "the server could not find the requested resource"));
    const port = match[4] === undefined ? undefined : Number(match[4]);
    if (port !== undefined && (port < 1 || port > 65535)) return refuseUpgrade(socket, new ApiError(400, `invalid port ${match[4]}`));
    const preserveSession = new URL(req.url ?? "/", "https://standin.invalid").searchParams.get("preserveSession") === "true";
    const stream: GuestStream = port !== undefined ? { kind: "portforward", port } : match[3] === "vnc" ? { kind: "vnc", preserveSession } : { kind: "console" };
    void deps.streams.upgrade(req, socket, head, decodeURIComponent(match[1]!), decodeURIComponent(match[2]!), stream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(deps: AggregatedApiDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = pathOf(req);
  const discovery = req.method === "GET" ? discoveryDocument(path) : undefined;
  if (discovery) return sendJson(res, 200, discovery);

  const action = vmActionPath.exec(path);
  if (action) {
    if (req.method !== "PUT") throw new ApiError(405, `${req.method} is not supported on ${action[3]}`);
    const body = (await readJson(req)) as { gracePeriod?: unknown }; // `{}`, or stop's gracePeriod (seconds)
    const gracePeriod = typeof body.gracePeriod === "number" && body.gracePeriod >= 0 ? Math.floor(body.gracePeriod) : undefined;
    await runVmAction(deps.kube, action[3] as VmAction, decodeURIComponent(action[1]!), decodeURIComponent(action[2]!), { gracePeriod });
    res.writeHead(202).end(); // virt-api answers 202 Accepted with no body
    return;
  }

  const vmiAction = vmiActionPath.exec(path);
  if (vmiAction) {
    if (req.method !== "PUT") throw new ApiError(405, `${req.method} is not supported on ${vmiAction[3]}`);
    await readJson(req);
    await runVmiAction(deps.kube, deps.guests, vmiAction[3] as VmiAction, decodeURIComponent(vmiAction[1]!), decodeURIComponent(vmiAction[2]!));
    res.writeHead(202).end();
    return;
  }

  const screen = screenshotPath.exec(path);
  if (screen) {
    if (req.method !== "GET") throw new ApiError(405, `${req.method} is not supported on vnc/screenshot`);
    const png = await screenshot(deps.kube, deps.guests, decodeURIComponent(screen[1]!), decodeURIComponent(screen[2]!));
    res.writeHead(200, { "Content-Type": "image/png", "Content-Length": png.length }).end(png);
    return;
  }

  const tokenRequest = uploadTokenPath.exec(path);
  if (tokenRequest) {
    if (req.method !== "POST") throw new ApiError(405, `${req.method} is not supported on uploadtokenrequests`);
    const body = await readJson(req);
    return sendJson(res, 201, issueUploadToken(deps.uploadTokens, decodeURIComponent(tokenRequest[1]!), body));
  }

  // The aggregator merges every backend's OpenAPI v2 document and retries (and logs) when there is none.
  if (req.method === "GET" && path === "/openapi/v2") return sendJson(res, 200, openApiV2);
  if (path === "/healthz" || path === "/readyz") return void res.writeHead(200, { "Content-Type": "text/plain" }).end("ok");
  if (streamPath.test(path)) throw new ApiError(400, "console, vnc and portforward are websockets: send an upgrade request");
  throw new ApiError(404, "the server could not find the requested resource");
}

const openApiV2 = { swagger: "2.0", info: { title: "minicloud KubeVirt/CDI stand-in", version: "v1" }, paths: {} };

const pathOf = (req: IncomingMessage): string => new URL(req.url ?? "/", "https://standin.invalid").pathname;
