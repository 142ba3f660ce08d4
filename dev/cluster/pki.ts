// The control plane's certificates and keys, made with the `openssl` CLI in the run directory.
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A key pair on disk; `cert` is signed by one of the run's CAs. */
export interface CertFiles {
  cert: string;
  key: string;
}

/** Every file the components need, by what it is for. */
export interface ClusterPki {
  dir: string;
  /** Signs serving certs and client certs the apiserver accepts (`--client-ca-file`). */
  ca: CertFiles;
  /** Signs the apiserver's identity when it proxies to aggregated APIs (`--requestheader-client-ca-file`). */
  frontProxyCa: CertFiles;
  apiserverServing: CertFiles;
  /** The apiserver's client cert towards aggregated API servers. */
  frontProxyClient: CertFiles;
  /** The apiserver's client cert towards kubelets (kwok does not check it, but real kubelets would). */
  apiserverKubeletClient: CertFiles;
  kwokServing: CertFiles;
  admin: CertFiles;
  controllerManager: CertFiles;
  scheduler: CertFiles;
  kwok: CertFiles;
  /** Signs and verifies ServiceAccount tokens. */
  serviceAccount: { key: string; pub: string };
}

interface LeafSpec {
  subject: string;
  serverNames?: string[];
  serverIps?: string[];
  usage: "server" | "client";
}

/** Generates a fresh PKI under `dir` (EC P-256 keys: fast to make, accepted everywhere here; random serials). */
export async function createPki(dir: string): Promise<ClusterPki> {
  mkdirSync(dir, { recursive: true });
  const file = (name: string) => path.join(dir, name);

  const config = writeMinimalConfig(dir);
  const [ca, frontProxyCa] = await Promise.all([
    createCa(file("ca"), "minicloud-local-ca", config),
    createCa(file("front-proxy-ca"), "minicloud-local-front-proxy-ca", config),
  ]);
  const leaf = (name: string, spec: LeafSpec, signer: CertFiles = ca) => createLeaf(file(name), spec, signer, config);
  const [apiserverServing, frontProxyClient, apiserverKubeletClient, kwokServing, admin, controllerManager, scheduler, kwok, serviceAccount] =
    await Promise.all([
      leaf("apiserver", {
        subject: "/CN=kube-apiserver",
        serverNames: ["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"],
        serverIps: ["127.0.0.1", "10.96.0.1"],
        usage: "server",
      }),
      leaf("front-proxy-client", { subject: "/CN=front-proxy-client", usage: "client" }, frontProxyCa),
      leaf("apiserver-kubelet-client", { subject: "/O=system:masters/CN=kube-apiserver-kubelet-client", usage: "client" }),
      leaf("kwok-serving", { subject: "/CN=kwok", serverNames: ["localhost"], serverIps: ["127.0.0.1"], usage: "server" }),
      leaf("admin", { subject: "/O=system:masters/CN=minicloud-admin", usage: "client" }),
      // system:masters lets every controller run on the manager's own identity (no
      // per-controller ServiceAccount round trips at start-up, which cost seconds here).
      leaf("controller-manager", { subject: "/O=system:masters/CN=system:kube-controller-manager", usage: "client" }),
      leaf("scheduler", { subject: "/CN=system:kube-scheduler", usage: "client" }),
      // kwok plays every kubelet and the node lifecycle at once; it needs cluster-wide writes.
      leaf("kwok", { subject: "/O=system:masters/CN=kwok-controller", usage: "client" }),
      createServiceAccountKey(file("sa")),
    ]);
  return { dir, ca, frontProxyCa, apiserverServing, frontProxyClient, apiserverKubeletClient, kwokServing, admin, controllerManager, scheduler, kwok, serviceAccount };
}

/**
 * `openssl req -x509` makes key and certificate in one process (start-up time counts). The
 * minimal config keeps the system openssl.cnf's defaults (e.g. CA:TRUE on every cert) out.
 */
function writeMinimalConfig(dir: string): string {
  const file = path.join(dir, "openssl.cnf");
  writeFileSync(file, "[req]\ndistinguished_name = dn\n[dn]\n");
  return file;
}

const NEW_EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-noenc"];

async function createCa(base: string, commonName: string, config: string): Promise<CertFiles> {
  const files = { cert: `${base}.crt`, key: `${base}.key` };
  await run("openssl", [
    "req", "-x509", "-new", ...NEW_EC_KEY, "-keyout", files.key, "-out", files.cert, "-config", config,
    "-subj", `/CN=${commonName}`, "-days", "3650",
    "-addext", "basicConstraints=critical,CA:TRUE",
    "-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
  ]);
  return files;
}

async function createLeaf(base: string, spec: LeafSpec, signer: CertFiles, config: string): Promise<CertFiles> {
  const files = { cert: `${base}.crt`, key: `${base}.key` };
  const altNames = [...(spec.serverNames ?? []).map((n) => `DNS:${n}`), ...(spec.serverIps ?? []).map((ip) => `IP:${ip}`)];
  await run("openssl", [
    "req", "-x509", "-new", ...NEW_EC_KEY, "-keyout", files.key, "-out", files.cert, "-config", config,
    "-CA", signer.cert, "-CAkey", signer.key, "-subj", spec.subject, "-days", "365",
    "-addext", "basicConstraints=critical,CA:FALSE",
    "-addext", "keyUsage=critical,digitalSignature,keyEncipherment",
    "-addext", `extendedKeyUsage=${spec.usage === "server" ? "serverAuth" : "clientAuth"}`,
    ...(altNames.length ? ["-addext", `subjectAltName=${altNames.join(",")}`] : []),
  ]);
  return files;
}

async function createServiceAccountKey(base: string): Promise<{ key: string; pub: string }> {
  const files = { key: `${base}.key`, pub: `${base}.pub` };
  await run("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", files.key]);
  await run("openssl", ["pkey", "-in", files.key, "-pubout", "-out", files.pub]);
  return files;
}
