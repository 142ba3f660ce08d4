import { createHash, createHmac, createPublicKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createCa } from "@/lib/pki/certificates";
import { caCertHash, caMatchesPins } from "@/lib/nested/bootstrap/ca-hash";
import { joinFromUserData, joinArgv, parseJoinArgv, workerUserData } from "@/lib/nested/bootstrap/join-command";
import { detachedSignature, detachedSignatureIsValid, jwsKeyFor } from "@/lib/nested/bootstrap/jws";
import { bootstrapRbac, clusterInfoConfigMap, dnsServiceIpOf, joinPreparationObjects, type JoinPreparation } from "@/lib/nested/bootstrap/objects";
import {
  bootstrapTokenSecret,
  DEFAULT_NODE_TOKEN_GROUP,
  generateBootstrapToken,
  parseBootstrapToken,
  TOKEN_PATTERN,
  tokenSecretExpiry,
  tokenString,
} from "@/lib/nested/bootstrap/token";
import { parse } from "yaml";

describe("bootstrap tokens", () => {
  it("are <6>.<16> characters of [a-z0-9], different each time", () => {
    const tokens = Array.from({ length: 50 }, generateBootstrapToken);
    for (const token of tokens) expect(tokenString(token)).toMatch(TOKEN_PATTERN);
    expect(new Set(tokens.map(tokenString)).size).toBe(50);
  });

  it("are read back, and anything else is refused", () => {
    expect(parseBootstrapToken("abcdef.0123456789abcdef")).toEqual({ id: "abcdef", secret: "0123456789abcdef" });
    for (const bad of ["ABCDEF.0123456789abcdef", "abcde.0123456789abcdef", "abcdef.0123456789abcde", "abcdef:0123456789abcdef", "abcdef.0123456789abcdef\n"]) {
      expect(parseBootstrapToken(bad)).toBeNull();
    }
  });

  it("live in a kube-system Secret the authenticator and the signer read, with an expiry and the node group", () => {
    const token = { id: "abcdef", secret: "0123456789abcdef" };
    const expiresAt = new Date("2030-01-02T03:04:05.678Z");
    const secret = bootstrapTokenSecret(token, { expiresAt, description: "workers" });
    expect(secret.type).toBe("bootstrap.kubernetes.io/token");
    expect(secret.metadata).toMatchObject({ name: "bootstrap-token-abcdef", namespace: "kube-system" });
    expect(secret.stringData).toMatchObject({
      "token-id": "abcdef",
      "token-secret": "0123456789abcdef",
      expiration: "2030-01-02T03:04:05Z",
      "usage-bootstrap-authentication": "true",
      "usage-bootstrap-signing": "true",
      "auth-extra-groups": DEFAULT_NODE_TOKEN_GROUP,
    });
    expect(tokenSecretExpiry({ data: { expiration: Buffer.from("2030-01-02T03:04:05Z").toString("base64") } })?.toISOString()).toBe("2030-01-02T03:04:05.000Z");
    expect(tokenSecretExpiry({ data: {} })).toBeNull();
  });
});

describe("the CA pin", () => {
  it("is sha256 of the certificate's SubjectPublicKeyInfo, and only its own key matches", async () => {
    const ca = await createCa("kubernetes", { validDays: 10, algorithm: "ecdsa-p256" });
    const other = await createCa("kubernetes", { validDays: 10, algorithm: "ecdsa-p256" });
    const spki = createPublicKey(ca.certPem).export({ type: "spki", format: "der" });
    const expected = `sha256:${createHash("sha256").update(spki).digest("hex")}`;
    expect(caCertHash(ca.certPem)).toBe(expected);
    expect(caMatchesPins(ca.certPem, [caCertHash(other.certPem), expected.toUpperCase().replace("SHA256", "sha256")])).toBe(true);
    expect(caMatchesPins(ca.certPem, [caCertHash(other.certPem)])).toBe(false);
  });
});

describe("the detached JWS of cluster-info", () => {
  const content = "apiVersion: v1\nkind: Config\n";
  it("is an HS256 compact JWS without payload, keyed by the token's secret, naming the token id", () => {
    const jws = detachedSignature(content, "abcdef", "0123456789abcdef");
    const [header, payload, signature] = jws.split(".");
    expect(payload).toBe("");
    expect(JSON.parse(Buffer.from(header!, "base64url").toString())).toEqual({ alg: "HS256", kid: "abcdef" });
    const mac = createHmac("sha256", "0123456789abcdef").update(`${header}.${Buffer.from(content).toString("base64url")}`).digest("base64url");
    expect(signature).toBe(mac);
    expect(jwsKeyFor("abcdef")).toBe("jws-kubeconfig-abcdef");
  });

  it("verifies only with the same token, content and header", () => {
    const jws = detachedSignature(content, "abcdef", "0123456789abcdef");
    expect(detachedSignatureIsValid(jws, content, "abcdef", "0123456789abcdef")).toBe(true);
    expect(detachedSignatureIsValid(jws, `${content} `, "abcdef", "0123456789abcdef")).toBe(false);
    expect(detachedSignatureIsValid(jws, content, "abcdef", "0123456789abcdee")).toBe(false);
    expect(detachedSignatureIsValid(jws, content, "abcdeg", "0123456789abcdef")).toBe(false);
    const noneAlg = `${Buffer.from(JSON.stringify({ alg: "none", kid: "abcdef" })).toString("base64url")}..`;
    expect(detachedSignatureIsValid(noneAlg, content, "abcdef", "0123456789abcdef")).toBe(false);
    expect(detachedSignatureIsValid("garbage", content, "abcdef", "0123456789abcdef")).toBe(false);
  });
});

describe("the join command", () => {
  const join = { address: "kube-apiserver.nested-a.svc:6443", token: { id: "abcdef", secret: "0123456789abcdef" }, caCertHashes: [`sha256:${"a".repeat(64)}`], nodeName: "w-1" };
  it("round-trips through the worker's cloud-config", () => {
    const userData = workerUserData({ ...join, hostname: "w-1" });
    expect(userData.startsWith("#cloud-config\n")).toBe(true);
    expect(joinFromUserData(userData)).toEqual(join);
    expect(joinArgv(join)).toEqual(["kubeadm", "join", join.address, "--token", "abcdef.0123456789abcdef", "--discovery-token-ca-cert-hash", join.caCertHashes[0], "--node-name", "w-1"]);
    expect(joinFromUserData("#cloud-config\nruncmd:\n  - kubeadm join a:6443 --token=abcdef.0123456789abcdef --discovery-token-ca-cert-hash=sha256:" + "b".repeat(64) + "\n")).toMatchObject({ address: "a:6443" });
    expect(joinFromUserData("#cloud-config\nruncmd: [[echo, hi]]\n")).toBeNull();
  });
  it("refuses what kubeadm refuses: no pin, a bad pin, a bad token", () => {
    expect(parseJoinArgv(["kubeadm", "join", "a:1", "--token", "abcdef.0123456789abcdef"])).toMatchObject({ problem: expect.stringContaining("pinning") });
    expect(parseJoinArgv(["kubeadm", "join", "a:1", "--token", "abcdef.0123456789abcdef", "--discovery-token-ca-cert-hash", "md5:00"])).toMatchObject({ problem: expect.stringContaining("sha256") });
    expect(parseJoinArgv(["kubeadm", "join", "a:1", "--token", "nope", "--discovery-token-ca-cert-hash", `sha256:${"a".repeat(64)}`])).toMatchObject({ problem: expect.stringContaining("regular expression") });
  });
});

describe("what init leaves for join", () => {
  const p: JoinPreparation = {
    apiserverUrl: "https://kube-apiserver.nested-a.svc:6443",
    caPem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    version: "v1.35.4",
    serviceCidr: "10.112.0.0/16",
    podCidr: "10.120.0.0/16",
    clusterDomain: "cluster.local",
    dnsServiceIp: dnsServiceIpOf("10.112.0.0/16"),
    images: { kubeProxy: "registry.k8s.io/kube-proxy:v1.35.4", coreDns: "registry.k8s.io/coredns/coredns:v1.12.1" },
    labels: { "app.kubernetes.io/managed-by": "minicloud" },
  };
  it("publishes cluster-info with the CA and address and no user", () => {
    const cm = clusterInfoConfigMap(p);
    expect(cm.metadata).toMatchObject({ name: "cluster-info", namespace: "kube-public" });
    const kubeconfig = parse(cm.data!.kubeconfig!);
    expect(kubeconfig.clusters[0].cluster.server).toBe(p.apiserverUrl);
    expect(Buffer.from(kubeconfig.clusters[0].cluster["certificate-authority-data"], "base64").toString()).toBe(p.caPem);
    expect(kubeconfig.users).toBeNull();
  });
  it("binds kubeadm's roles to the bootstrappers, nodes and anonymous reads of cluster-info", () => {
    const byName = Object.fromEntries(bootstrapRbac(p).map((o) => [`${o.kind}/${o.metadata!.name}`, o]));
    expect(byName["ClusterRoleBinding/kubeadm:kubelet-bootstrap"]).toMatchObject({ roleRef: { name: "system:node-bootstrapper" }, subjects: [{ kind: "Group", name: DEFAULT_NODE_TOKEN_GROUP }] });
    expect(byName["ClusterRoleBinding/kubeadm:node-autoapprove-bootstrap"]).toMatchObject({ roleRef: { name: "system:certificates.k8s.io:certificatesigningrequests:nodeclient" } });
    expect(byName["ClusterRoleBinding/kubeadm:node-autoapprove-certificate-rotation"]).toMatchObject({ subjects: [{ name: "system:nodes" }] });
    expect(byName["RoleBinding/kubeadm:bootstrap-signer-clusterinfo"]).toMatchObject({ metadata: { namespace: "kube-public" }, subjects: [{ kind: "User", name: "system:anonymous" }] });
    expect(byName["Role/kubeadm:kubelet-config"]).toMatchObject({ rules: [{ resourceNames: ["kubelet-config"], verbs: ["get"] }] });
  });
  it("includes the config maps and the kube-proxy and CoreDNS add-ons, DNS on the tenth Service address", () => {
    const names = joinPreparationObjects(p).map((o) => `${o.kind}/${o.metadata!.name}`);
    for (const name of ["ConfigMap/kubeadm-config", "ConfigMap/kubelet-config", "DaemonSet/kube-proxy", "Deployment/coredns", "Service/kube-dns"]) expect(names).toContain(name);
    expect(dnsServiceIpOf("10.112.0.0/16")).toBe("10.112.0.10");
    expect(dnsServiceIpOf("10.96.0.250/24")).toBe("10.96.1.4");
  });
});
