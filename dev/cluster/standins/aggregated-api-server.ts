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
import type { SerialConsoles } from "./serial-console";
import type { ServingCertificate } from "./tls";
import { issueUploadToken } from "./upload-token-requests";
import type { UploadTokenSigner } from "./upload-token";
import { runVmAction, type VmAction } from "./vm-subresources";

const vmActionPath = /^\/apis\/subresources\.kubevirt\.io\/(?:v1|v1alpha3)\/namespaces\/([^/]+)\/virtualmachines\/([^/]+)\/(start|stop|restart)$/;
const consolePath = /^\/apis\/subresources\.kubevirt\.io\/(?:v1|v1alpha3)\/namespaces\/([^/]+)\/virtualmachineinstances\/([^/]+)\/console$/;
const uploadTokenPath = new RegExp(`^/apis/${uploadGroup.replace(/\./g, "\\.")}/${uploadVersion}/namespaces/([^/]+)/uploadtokenrequests$`);

export interface AggregatedApiDeps {
  kube: Kube;
  certificate: ServingCertificate;
  /** CA of the apiserver's front-proxy client certificate (`requestheader-client-ca-file`). */
  frontProxyCaPem: string;
  consoles: SerialConsoles;
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
    const match = consolePath.exec(pathOf(req));
    if (!match || req.method !== "GET") return refuseUpgrade(socket, new ApiError(404, "the server could not find the requested resource"));
    void deps.consoles.upgrade(req, socket, head, decodeURIComponent(match[1]!), decodeURIComponent(match[2]!));
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
    await readJson(req); // body is `{}` or options such as gracePeriod, which the stand-in ignores
    await runVmAction(deps.kube, action[3] as VmAction, decodeURIComponent(action[1]!), decodeURIComponent(action[2]!));
    res.writeHead(202).end(); // virt-api answers 202 Accepted with no body
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
  if (consolePath.test(path)) throw new ApiError(400, "the console is a websocket: send an upgrade request");
  throw new ApiError(404, "the server could not find the requested resource");
}

const openApiV2 = { swagger: "2.0", info: { title: "minicloud KubeVirt/CDI stand-in", version: "v1" }, paths: {} };

const pathOf = (req: IncomingMessage): string => new URL(req.url ?? "/", "https://standin.invalid").pathname;
