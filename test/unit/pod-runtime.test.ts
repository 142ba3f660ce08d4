// The pods list's status words, from Pod objects as kube-scheduler, kubelets and kwok write them.
import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { podRuntime } from "@/lib/pods/runtime";

const pod = (status: V1Pod["status"], extra: { nodeName?: string; deleting?: boolean } = {}): V1Pod => ({
  metadata: { name: "web-abcde", ...(extra.deleting ? { deletionTimestamp: new Date() } : {}) },
  spec: { containers: [{ name: "ssh", image: "x" }], ...(extra.nodeName ? { nodeName: extra.nodeName } : {}) },
  status,
});

describe("podRuntime", () => {
  it("is Missing without a pod", () => {
    expect(podRuntime(undefined)).toMatchObject({ status: "Missing", podName: null });
  });

  it("is Pending with the scheduler's reason while unschedulable", () => {
    const r = podRuntime(pod({ phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: "0/2 nodes are available" }] }));
    expect(r).toMatchObject({ status: "Pending", reason: "Unschedulable: 0/2 nodes are available", node: null });
  });

  it("is ContainerCreating once scheduled", () => {
    const r = podRuntime(pod({ phase: "Pending", containerStatuses: [{ name: "ssh", image: "x", imageID: "", ready: false, restartCount: 0, state: { waiting: { reason: "ContainerCreating" } } }] }, { nodeName: "n1" }));
    expect(r).toMatchObject({ status: "ContainerCreating", node: "n1" });
  });

  it("is Pending with ImagePullBackOff, Failed with CrashLoopBackOff", () => {
    const waiting = (reason: string) => [{ name: "ssh", image: "x", imageID: "", ready: false, restartCount: 0, state: { waiting: { reason, message: "back-off" } } }];
    expect(podRuntime(pod({ phase: "Pending", containerStatuses: waiting("ImagePullBackOff") }, { nodeName: "n1" }))).toMatchObject({ status: "Pending", reason: "ImagePullBackOff: back-off" });
    expect(podRuntime(pod({ phase: "Running", containerStatuses: waiting("CrashLoopBackOff") }, { nodeName: "n1" }))).toMatchObject({ status: "Failed", reason: "CrashLoopBackOff: back-off" });
  });

  it("is Running with node, IP and readiness", () => {
    const r = podRuntime(pod({ phase: "Running", podIP: "10.0.0.7", startTime: new Date("2026-01-01T00:00:00Z"), conditions: [{ type: "Ready", status: "True" }] }, { nodeName: "n1" }));
    expect(r).toEqual({ status: "Running", reason: null, node: "n1", ip: "10.0.0.7", ready: true, startedAt: "2026-01-01T00:00:00.000Z", podName: "web-abcde" });
    expect(podRuntime(pod({ phase: "Running", podIP: "10.0.0.7" }, { nodeName: "n1" }))).toMatchObject({ status: "Running", ready: false, reason: "Not ready yet" });
  });

  it("is Failed with the pod's reason, and Terminating once deletion started", () => {
    expect(podRuntime(pod({ phase: "Failed", reason: "Evicted", message: "low on memory" }, { nodeName: "n1" }))).toMatchObject({ status: "Failed", reason: "Evicted: low on memory" });
    expect(podRuntime(pod({ phase: "Running", podIP: "10.0.0.7" }, { nodeName: "n1", deleting: true }))).toMatchObject({ status: "Terminating", ip: "10.0.0.7" });
  });
});
