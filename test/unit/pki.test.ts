import { X509Certificate, createPrivateKey, createPublicKey } from "node:crypto";
import { once } from "node:events";
import tls from "node:tls";
import { describe, expect, it } from "vitest";
import { isSignedBy, readCertificate } from "@/lib/pki/certificates";
import {
  ADMIN_GROUP,
  CA_NAMES,
  LEAF_NAMES,
  certificateExpiries,
  createClusterPki,
  firstServiceIp,
  rotateLeaves,
  type ClusterPki,
  type ControlPlaneEndpoints,
} from "@/lib/pki/cluster-pki";
import { kubeconfigYaml } from "@/lib/pki/kubeconfig";
import { selectContext, vetKubeconfig } from "@/lib/kube/kubeconfig";

const endpoints: ControlPlaneEndpoints = {
  namespace: "mc-nested-demo-x1y2z",
  apiserverService: "kube-apiserver",
  apiserverClusterIp: "10.96.14.7",
  etcdClientService: "etcd-client",
  etcdPeerService: "etcd",
  etcdStatefulSet: "etcd",
  etcdReplicas: 3,
  hostClusterDomain: "cluster.local",
  clusterDomain: "cluster.local",
  serviceCidr: "10.112.0.0/12",
  externalAddresses: ["203.0.113.9", "demo.example.test"],
};

// One PKI for the file: generating keys is the slow part.
const pkiPromise = createClusterPki(endpoints);

const ISSUER: Record<(typeof LEAF_NAMES)[number], (typeof CA_NAMES)[number]> = {
  apiserver: "ca",
  "apiserver-kubelet-client": "ca",
  "front-proxy-client": "front-proxy-ca",
  "etcd-server": "etcd-ca",
  "etcd-peer": "etcd-ca",
  "etcd-healthcheck-client": "etcd-ca",
  "apiserver-etcd-client": "etcd-ca",
  admin: "ca",
  "controller-manager": "ca",
  scheduler: "ca",
};

describe("cluster PKI", () => {
  it("makes three self-signed CAs and every leaf signed by its CA, with ECDSA P-256 keys", async () => {
    const pki = await pkiPromise;
    for (const name of CA_NAMES) {
      const facts = readCertificate(pki.cas[name].certPem);
      expect(facts.isCa, name).toBe(true);
      expect(await isSignedBy(pki.cas[name].certPem, pki.cas[name].certPem), name).toBe(true);
    }
    for (const name of LEAF_NAMES) {
      const leaf = pki.leaves[name];
      expect(readCertificate(leaf.certPem).isCa, name).toBe(false);
      expect(await isSignedBy(leaf.certPem, pki.cas[ISSUER[name]].certPem), name).toBe(true);
      // Signed by no other CA of the set.
      for (const other of CA_NAMES.filter((c) => c !== ISSUER[name])) expect(await isSignedBy(leaf.certPem, pki.cas[other].certPem)).toBe(false);
      const key = createPrivateKey(leaf.keyPem);
      expect(key.asymmetricKeyType, name).toBe("ec");
      expect(key.asymmetricKeyDetails?.namedCurve, name).toBe("prime256v1");
      // The key belongs to the certificate.
      expect(new X509Certificate(leaf.certPem).checkPrivateKey(key), name).toBe(true);
    }
    expect(createPublicKey(pki.serviceAccount.publicKeyPem).asymmetricKeyType).toBe("ec");
  });

  it("names the apiserver by every name a client uses, and etcd by each member", async () => {
    const pki = await pkiPromise;
    const apiserver = new X509Certificate(pki.leaves.apiserver.certPem);
    for (const host of [
      "kubernetes",
      "kubernetes.default",
      "kubernetes.default.svc",
      "kubernetes.default.svc.cluster.local",
      "kube-apiserver.mc-nested-demo-x1y2z.svc",
      "kube-apiserver.mc-nested-demo-x1y2z.svc.cluster.local",
      "localhost",
      "demo.example.test",
    ]) {
      expect(apiserver.checkHost(host), host).toBe(host);
    }
    for (const ip of ["10.112.0.1", "10.96.14.7", "127.0.0.1", "203.0.113.9"]) expect(apiserver.checkIP(ip), ip).toBe(ip);
    expect(apiserver.checkHost("other.example.test")).toBeUndefined();
    expect(readCertificate(pki.leaves.apiserver.certPem).extendedKeyUsages).toEqual(["1.3.6.1.5.5.7.3.1"]);

    const etcd = new X509Certificate(pki.leaves["etcd-server"].certPem);
    for (const host of ["etcd-client.mc-nested-demo-x1y2z.svc", "etcd-0.etcd.mc-nested-demo-x1y2z.svc", "etcd-2.etcd.mc-nested-demo-x1y2z.svc.cluster.local"]) {
      expect(etcd.checkHost(host), host).toBe(host);
    }
    expect(etcd.checkHost("etcd-3.etcd.mc-nested-demo-x1y2z.svc")).toBeUndefined();
    // etcd uses its serving certificate as a client to its peers too.
    expect(readCertificate(pki.leaves["etcd-peer"].certPem).extendedKeyUsages.sort()).toEqual(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]);
  });

  it("gives clients the user and groups Kubernetes reads from the subject", async () => {
    const pki = await pkiPromise;
    const subject = (name: (typeof LEAF_NAMES)[number]) => readCertificate(pki.leaves[name].certPem).subject;
    expect(subject("admin")).toBe(`O=${ADMIN_GROUP}, CN=kubernetes-admin`);
    expect(subject("controller-manager")).toBe("CN=system:kube-controller-manager");
    expect(subject("scheduler")).toBe("CN=system:kube-scheduler");
    expect(subject("front-proxy-client")).toBe("CN=front-proxy-client");
    expect(readCertificate(pki.leaves.admin.certPem).extendedKeyUsages).toEqual(["1.3.6.1.5.5.7.3.2"]);
  });

  it("serves TLS that a client trusting only the cluster CA accepts under the Service's name, with a client certificate", async () => {
    const pki = await pkiPromise;
    const server = tls.createServer({
      cert: pki.leaves.apiserver.certPem,
      key: pki.leaves.apiserver.keyPem,
      ca: pki.cas.ca.certPem,
      requestCert: true,
      rejectUnauthorized: true,
    });
    server.on("secureConnection", (socket) => socket.end(String(socket.getPeerCertificate().subject.CN)));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const port = (server.address() as { port: number }).port;
    try {
      const socket = tls.connect({
        host: "127.0.0.1",
        port,
        servername: "kube-apiserver.mc-nested-demo-x1y2z.svc",
        ca: pki.cas.ca.certPem,
        cert: pki.leaves.admin.certPem,
        key: pki.leaves.admin.keyPem,
      });
      let answer = "";
      socket.on("data", (chunk) => (answer += chunk));
      await once(socket, "end");
      expect(answer).toBe("kubernetes-admin");
    } finally {
      server.close();
    }
  });

  it("renews leaves under the same CAs and keeps the service-account key", async () => {
    const pki = await pkiPromise;
    const later = new Date(Date.now() + 30 * 86_400_000);
    const rotated: ClusterPki = await rotateLeaves(pki, endpoints, { now: later });
    expect(rotated.cas).toEqual(pki.cas);
    expect(rotated.serviceAccount).toEqual(pki.serviceAccount);
    for (const name of LEAF_NAMES) {
      expect(rotated.leaves[name].certPem, name).not.toBe(pki.leaves[name].certPem);
      expect(rotated.leaves[name].keyPem, name).not.toBe(pki.leaves[name].keyPem);
      expect(await isSignedBy(rotated.leaves[name].certPem, rotated.cas[ISSUER[name]].certPem), name).toBe(true);
      expect(readCertificate(rotated.leaves[name].certPem).notAfter.getTime()).toBeGreaterThan(readCertificate(pki.leaves[name].certPem).notAfter.getTime());
    }
  });

  it("reads every certificate's expiry, soonest first: leaves in a year, CAs in ten", async () => {
    const pki = await pkiPromise;
    const expiries = certificateExpiries(pki);
    expect(expiries).toHaveLength(CA_NAMES.length + LEAF_NAMES.length);
    const days = (d: Date) => Math.round((d.getTime() - Date.now()) / 86_400_000);
    expect(expiries.filter((e) => !e.isCa).every((e) => days(e.notAfter) === 365)).toBe(true);
    expect(expiries.filter((e) => e.isCa).every((e) => days(e.notAfter) === 3650)).toBe(true);
    expect(expiries.slice(0, LEAF_NAMES.length).every((e) => !e.isCa)).toBe(true);
  });

  it("finds the first address of the Service range", () => {
    expect(firstServiceIp("10.96.0.0/12")).toBe("10.96.0.1");
    expect(firstServiceIp("10.100.7.9/16")).toBe("10.100.0.1");
    expect(() => firstServiceIp("10.96.0.0")).toThrow();
    expect(() => firstServiceIp("300.1.1.1/8")).toThrow();
  });
});

describe("kubeconfigs", () => {
  it("writes one the panel's own vetting accepts, with inline data and the TLS server name", async () => {
    const pki = await pkiPromise;
    const text = kubeconfigYaml({
      clusterName: "demo",
      server: "https://127.0.0.1:40123",
      caPem: pki.cas.ca.certPem,
      tlsServerName: "kube-apiserver.mc-nested-demo-x1y2z.svc",
      userName: "kubernetes-admin",
      credentials: { certificate: pki.leaves.admin },
    });
    const selected = selectContext(vetKubeconfig(text));
    expect(selected.cluster.server).toBe("https://127.0.0.1:40123");
    expect(selected.cluster.tlsServerName).toBe("kube-apiserver.mc-nested-demo-x1y2z.svc");
    expect(Buffer.from(selected.cluster.caData!, "base64").toString()).toBe(pki.cas.ca.certPem);
    expect(Buffer.from(selected.user.keyData!, "base64").toString()).toBe(pki.leaves.admin.keyPem);
  });

  it("writes a token kubeconfig with a default namespace", async () => {
    const pki = await pkiPromise;
    const text = kubeconfigYaml({ clusterName: "demo", server: "https://10.0.0.1:6443", caPem: pki.cas.ca.certPem, userName: "team", credentials: { token: "abc" }, namespace: "mc-a-b" });
    const selected = selectContext(vetKubeconfig(text));
    expect(selected.user.token).toBe("abc");
    expect(selected.context.namespace).toBe("mc-a-b");
  });
});
