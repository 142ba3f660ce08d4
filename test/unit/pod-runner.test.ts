// The pod runner's pure parts: which images it plays, how a container becomes a command line
// (variables, mount paths, addresses), and the hosts file a pod resolves Service names with.
import type { V1Pod, V1Service } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { hostsFileFor } from "../../dev/cluster/pod-runner/hosts";
import { runnableImageOf } from "../../dev/cluster/pod-runner/images";
import { containerInvocation, expandVariables, loopbackAddressOf, rewriteAddresses, rewriteMountPaths, type PodPlacement } from "../../dev/cluster/pod-runner/invocation";

const placement: PodPlacement = { address: "127.244.0.7", podIp: "10.244.0.7", podName: "etcd-0", namespace: "nested-a", nodeName: "mc-worker-1", serviceAccountName: "default" };

describe("pod runner", () => {
  it("recognises the control-plane images by name, from any registry, and nothing else", () => {
    expect(runnableImageOf("registry.k8s.io/kube-apiserver:v1.35.4")).toBe("kube-apiserver");
    expect(runnableImageOf("mirror.internal:5000/k8s/etcd:3.6.16-0")).toBe("etcd");
    expect(runnableImageOf(`registry.k8s.io/kube-scheduler@sha256:${"a".repeat(64)}`)).toBe("kube-scheduler");
    expect(runnableImageOf("kube-controller-manager")).toBe("kube-controller-manager");
    expect(runnableImageOf("registry.example.test/not-etcd:1")).toBeNull();
    expect(runnableImageOf("docker.io/library/nginx:1")).toBeNull();
    expect(runnableImageOf("etcd-operator:1")).toBeNull();
  });

  it("expands $(VAR) as Kubernetes does", () => {
    expect(expandVariables("--name=$(POD_NAME) $$(KEPT) $(UNKNOWN)", { POD_NAME: "etcd-0" })).toBe("--name=etcd-0 $(KEPT) $(UNKNOWN)");
  });

  it("remaps mount paths at path boundaries, longest first", () => {
    const mounts = [
      { mountPath: "/etc/kubernetes/pki", localPath: "/run/p/volumes/certs" },
      { mountPath: "/etc/kubernetes/pki/etcd", localPath: "/run/p/volumes/etcd" },
    ];
    expect(rewriteMountPaths("--cert-file=/etc/kubernetes/pki/etcd/server.crt", mounts)).toBe("--cert-file=/run/p/volumes/etcd/server.crt");
    expect(rewriteMountPaths("--tls-cert-file=/etc/kubernetes/pki/apiserver.crt", mounts)).toBe("--tls-cert-file=/run/p/volumes/certs/apiserver.crt");
    expect(rewriteMountPaths("--a=/etc/kubernetes/pki-old/x", mounts)).toBe("--a=/etc/kubernetes/pki-old/x");
    expect(rewriteMountPaths("/etc/kubernetes/pki,/etc/kubernetes/pki/etcd", mounts)).toBe("/run/p/volumes/certs,/run/p/volumes/etcd");
  });

  it("binds 0.0.0.0 to the pod's loopback address and leaves other addresses alone", () => {
    expect(rewriteAddresses("--listen-client-urls=https://0.0.0.0:2379", placement)).toBe("--listen-client-urls=https://127.244.0.7:2379");
    expect(rewriteAddresses("--bind-address=0.0.0.0", placement)).toBe("--bind-address=127.244.0.7");
    expect(rewriteAddresses("--x=10.0.0.0/8 --y=100.0.0.01", placement)).toBe("--x=10.0.0.0/8 --y=100.0.0.01");
    expect(loopbackAddressOf("10.244.3.9")).toBe("127.244.3.9");
  });

  it("makes the command line: the binary for the image's program, env from the downward API, mounts and addresses rewritten", () => {
    const invocation = containerInvocation(
      {
        name: "etcd",
        image: "registry.k8s.io/etcd:3.6.16-0",
        command: ["etcd", "--name=$(POD_NAME)", "--data-dir=/var/lib/etcd/data", "--listen-client-urls=https://0.0.0.0:2379", "--advertise-client-urls=https://$(POD_IP):2379"],
        args: ["--log-level=warn"],
        env: [
          { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
          { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
          { name: "TOKEN", valueFrom: { secretKeyRef: { name: "s", key: "k" } } },
        ],
      },
      "/cache/bin/etcd",
      "etcd",
      placement,
      [{ mountPath: "/var/lib/etcd", localPath: "/run/p/data" }],
    );
    expect(invocation.argv).toEqual([
      "/cache/bin/etcd",
      "--name=etcd-0",
      "--data-dir=/run/p/data/data",
      "--listen-client-urls=https://127.244.0.7:2379",
      "--advertise-client-urls=https://10.244.0.7:2379",
      "--log-level=warn",
    ]);
    expect(invocation.env).toEqual({ POD_NAME: "etcd-0", POD_IP: "10.244.0.7" });
    expect(invocation.unresolved).toEqual(["TOKEN"]);
  });

  it("writes a hosts file naming each Service by a pod behind it (a ready one first) and each StatefulSet member", () => {
    const pod = (name: string, labels: Record<string, string>, extra: Partial<V1Pod["spec"]> = {}): V1Pod => ({ metadata: { name, namespace: "nested-a", labels }, spec: { containers: [], ...extra } });
    const service = (name: string, selector: Record<string, string>, namespace = "nested-a"): V1Service => ({ metadata: { name, namespace }, spec: { selector } });
    const text = hostsFileFor(
      "nested-a",
      [service("etcd-client", { c: "etcd" }), service("kube-apiserver", { c: "api" }), service("elsewhere", { c: "etcd" }, "other")],
      [
        { pod: pod("etcd-0", { c: "etcd" }, { hostname: "etcd-0", subdomain: "etcd" }), address: "127.244.0.1", ready: true },
        { pod: pod("api-1", { c: "api" }), address: "127.244.0.2", ready: false },
        { pod: pod("api-2", { c: "api" }), address: "127.244.0.3", ready: true },
      ],
    );
    expect(text).toContain("127.244.0.1 etcd-0.etcd.nested-a.svc etcd-0.etcd.nested-a.svc.cluster.local etcd-0\n");
    expect(text).toContain("127.244.0.1 etcd-client etcd-client.nested-a etcd-client.nested-a.svc etcd-client.nested-a.svc.cluster.local\n");
    expect(text).toContain("127.244.0.3 kube-apiserver kube-apiserver.nested-a");
    expect(text).not.toContain("elsewhere");
  });
});
