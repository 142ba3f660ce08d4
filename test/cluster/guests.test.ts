// Real guests behind the KubeVirt stand-in: one VM (the tiny guest, with a cloud-init seed and a disk
// uploaded through the CDI stand-in) is shared by the tests of this file, which drive it only through the
// kube-apiserver, as the panel does: serial console, ssh over portforward/22, VNC, pause/unpause, stop.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { CoreV1Api, CustomObjectsApi, type KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import { Client as SshClient } from "ssh2";
import { createWebSocketStream } from "ws";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { generateEd25519KeyPair } from "@/lib/ssh-keys/openssh-format";
import { adminKubeConfig, createNamespace, uniqueName, waitFor } from "./helpers";
import { apiRequest, ConsoleSession, distinctColours, openStream, pixelsChanged, RfbClient, send, vmiPath } from "./guest-clients";

type Obj = KubernetesObject & { spec?: any; status?: any };

const vmApi = { group: "kubevirt.io", version: "v1", plural: "virtualmachines" };
const dvApi = { group: "cdi.kubevirt.io", version: "v1beta1", plural: "datavolumes" };
const name = "tiny";
const diskMiB = 48;

let kc: KubeConfig;
let namespace: string;
let vmiUid: string;
// The panel's own key generator: ssh2's makes an unreadable ed25519 key about once in 256.
const { publicKey, privateKey } = generateEd25519KeyPair("guest-test");
const keys = { public: publicKey, private: privateKey };
/** Guests boot under TCG on a shared 2-core machine: generous bounds, never fixed sleeps. */
const bootTimeoutMs = 90_000;

async function waitForNamed(kind: string, apiVersion: string, check: ((obj: Obj) => boolean) | undefined, what: string, timeoutMs = 60_000): Promise<Obj | undefined> {
  const [obj] = await waitFor<Obj>(
    kc,
    { apiVersion, kind, namespace, fieldSelector: `metadata.name=${name}` },
    (objects) => (check ? objects.length === 1 && check(objects[0]!) : objects.length === 0),
    { timeoutMs, description: what },
  );
  return obj;
}
const waitForVm = (check: (vm: Obj) => boolean, what: string) => waitForNamed("VirtualMachine", "kubevirt.io/v1", check, `VM ${what}`);
const waitForVmi = (check: ((vmi: Obj) => boolean) | undefined, what: string) => waitForNamed("VirtualMachineInstance", "kubevirt.io/v1", check, `VMI ${what}`);

/** Uploads `file` into a new upload DataVolume `name` through the CDI stand-in's upload proxy. */
async function uploadDisk(dvName: string, file: string): Promise<void> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  await custom.createNamespacedCustomObject({
    ...dvApi,
    namespace,
    body: { apiVersion: "cdi.kubevirt.io/v1beta1", kind: "DataVolume", metadata: { name: dvName }, spec: { source: { upload: {} }, storage: { resources: { requests: { storage: "1Gi" } } } } },
  });
  await waitFor<Obj>(kc, { apiVersion: "cdi.kubevirt.io/v1beta1", kind: "DataVolume", namespace, fieldSelector: `metadata.name=${dvName}` }, (dvs) => dvs[0]?.status?.phase === "UploadReady", {
    description: "DataVolume UploadReady",
  });
  const token = (await apiRequest(kc, "POST", `/apis/upload.cdi.kubevirt.io/v1beta1/namespaces/${namespace}/uploadtokenrequests`, { apiVersion: "upload.cdi.kubevirt.io/v1beta1", kind: "UploadTokenRequest", metadata: { name: dvName }, spec: { pvcName: dvName } })).json().status.token;
  const config = await custom.getClusterCustomObject({ group: "cdi.kubevirt.io", version: "v1beta1", plural: "cdiconfigs", name: "config" });
  const ca = (await kc.makeApiClient(CoreV1Api).readNamespacedConfigMap({ namespace: "cdi", name: "cdi-uploadproxy-signer-bundle" })).data!["ca-bundle.crt"];
  const upload = await send(new URL(`${config.status.uploadProxyURL}/v1beta1/upload`), { method: "POST", ca, headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/octet-stream" } }, readFileSync(file));
  expect(upload.status).toBe(200);
}

const userData = `#cloud-config
hostname: tiny-guest
ssh_authorized_keys:
  - ${keys.public}
write_files:
  - path: /etc/minicloud/hello.txt
    content: written by cloud-init
runcmd:
  - echo runcmd-ran > /run/runcmd-marker
`;

function vmBody() {
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata: { name },
    spec: {
      runStrategy: "Always",
      template: {
        spec: {
          domain: {
            memory: { guest: "96Mi" },
            devices: { disks: [{ name: "containerdisk", disk: { bus: "virtio" } }, { name: "data", serial: "uploaded", disk: { bus: "virtio" } }, { name: "cloudinit", disk: { bus: "virtio" } }] },
          },
          volumes: [
            { name: "containerdisk", containerDisk: { image: "minicloud.dev/guests/tiny:latest" } },
            { name: "data", dataVolume: { name: "upload-disk" } },
            { name: "cloudinit", cloudInitNoCloud: { userDataBase64: Buffer.from(userData).toString("base64") } },
          ],
        },
      },
    },
  };
}

/** QEMU processes of this machine whose command line names `uid` (the guest's directory). */
function qemuProcessesFor(uid: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (cmdline.includes("qemu-system") && cmdline.includes(uid)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

beforeAll(async () => {
  kc = adminKubeConfig();
  namespace = uniqueName("guests");
  await createNamespace(kc, namespace);
  const scratch = mkdtempSync(path.join(tmpdir(), "guest-disk-"));
  try {
    const image = path.join(scratch, "disk.qcow2");
    execFileSync("qemu-img", ["create", "-q", "-f", "qcow2", image, `${diskMiB}M`]);
    await uploadDisk("upload-disk", image);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  await kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({ ...vmApi, namespace, body: vmBody() });
  const vmi = await waitForVmi((vmi) => vmi.status?.phase === "Running", "Running (QEMU up)");
  vmiUid = vmi!.metadata!.uid!;
  expect(qemuProcessesFor(vmiUid)).toHaveLength(1);
}, 120_000);

afterAll(async () => {
  await kc.makeApiClient(CoreV1Api).deleteNamespace({ name: namespace }).catch(() => undefined);
});

describe("a real guest behind the KubeVirt stand-in", () => {
  test("the serial console shows the boot log and a shell that answers uname -r; a second console replaces the first", async () => {
    const first = new ConsoleSession(await openStream(kc, namespace, name, "console"));
    await first.expect(/Linux version \d+\.\d+/, "the kernel's boot log (buffered while nobody watched)", bootTimeoutMs);
    await first.expect(/tiny-guest login: /, "the login prompt with the hostname cloud-init set", bootTimeoutMs);
    const second = new ConsoleSession(await openStream(kc, namespace, name, "console"));
    await first.waitClosed();
    await second.expect(/tiny-guest login: /, "the buffered output replayed to the new console");
    const from = second.output.length;
    second.type("root\r");
    await second.expect(/root@tiny-guest:~# /, "the root shell prompt", 20_000, from);
    const typed = second.output.length;
    second.type("uname -r; cat /etc/minicloud/hello.txt /run/runcmd-marker\r");
    await second.expect(/uname -r; cat/, "the typed command echoed", 20_000, typed);
    await second.expect(/\r\n\d+\.\d+\.\d+-\d+-amd64\r\n/, "the answer of uname -r", 20_000, typed);
    await second.expect(/written by cloud-init(\r\n)?runcmd-ran\r\n/, "the file cloud-init wrote and runcmd's marker", 20_000, typed);
    expect(second.textFrames).toBe(0);
    second.ws.close();
  });

  test("ssh through portforward/22 with the key cloud-init installed sees the uploaded disk at its size", async () => {
    const ws = await openStream(kc, namespace, name, "portforward/22");
    const ssh = new SshClient();
    try {
      await new Promise<void>((resolve, reject) => {
        ssh.once("ready", () => resolve());
        ssh.once("error", reject);
        ssh.connect({ sock: createWebSocketStream(ws), username: "root", privateKey: keys.private, readyTimeout: 30_000 });
      });
      const run = (command: string) =>
        new Promise<string>((resolve, reject) => {
          ssh.exec(command, (error, channel) => {
            if (error) return reject(error);
            let out = "";
            channel.on("data", (chunk: Buffer) => (out += chunk.toString()));
            channel.on("close", () => resolve(out));
          });
        });
      const disks = await run('for d in /sys/block/vd*; do echo "$(cat $d/serial) $(cat $d/size)"; done; hostname');
      expect(disks).toContain(`uploaded ${(diskMiB * 1024 * 1024) / 512}\n`);
      expect(disks).toContain("tiny-guest\n");
      expect(await run("uname -r")).toMatch(/^\d+\.\d+\.\d+-\d+-amd64\n$/);
    } finally {
      ssh.end();
      ws.close();
    }
  });

  test("VNC: an RFB handshake, a framebuffer that is not blank and changes after keystrokes; a PNG screenshot", async () => {
    const ws = await openStream(kc, namespace, name, "vnc");
    try {
      const rfb = new RfbClient(ws);
      expect(await rfb.handshake()).toBe("RFB 003.008");
      expect(rfb.width * rfb.height).toBeGreaterThan(0);
      const before = await rfb.refresh();
      expect(distinctColours(before)).toBeGreaterThan(1);
      const noise = pixelsChanged(before, await rfb.refresh()); // a blinking cursor at most
      rfb.type("root\r");
      rfb.type("echo VNC-typed-this-line\r");
      const deadline = Date.now() + 30_000;
      let changed = 0;
      while (changed <= noise + 300) {
        if (Date.now() > deadline) throw new Error(`the screen did not change after keystrokes (${changed} pixels, noise ${noise})`);
        changed = pixelsChanged(before, await rfb.refresh());
      }
      // preserveSession=true while a viewer is connected is refused, as KubeVirt does.
      await expect(openStream(kc, namespace, name, "vnc?preserveSession=true")).rejects.toThrow(/HTTP 503/);
    } finally {
      ws.close();
    }
    const png = await apiRequest(kc, "GET", vmiPath(namespace, name, "vnc/screenshot"));
    expect(png.status).toBe(200);
    expect(png.body.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
  });

  test("pause → Paused, unpause → Running", async () => {
    expect((await apiRequest(kc, "PUT", vmiPath(namespace, name, "pause"), {})).status).toBe(202);
    const paused = await waitForVmi((vmi) => vmi.status?.conditions?.some((c: any) => c.type === "Paused" && c.status === "True"), "Paused condition");
    expect(paused!.status.phase).toBe("Running");
    await waitForVm((vm) => vm.status?.printableStatus === "Paused", "printableStatus Paused");
    expect((await apiRequest(kc, "PUT", vmiPath(namespace, name, "pause"), {})).status).toBe(409);
    expect((await apiRequest(kc, "PUT", vmiPath(namespace, name, "unpause"), {})).status).toBe(202);
    await waitForVmi((vmi) => !vmi.status?.conditions?.some((c: any) => c.type === "Paused"), "no Paused condition");
    await waitForVm((vm) => vm.status?.printableStatus === "Running", "printableStatus Running");
  });

  test("the guest powering itself off ends its VMI (Succeeded); runStrategy Always starts a new one", async () => {
    const session = new ConsoleSession(await openStream(kc, namespace, name, "console"));
    const from = session.output.length;
    session.type("\r"); // the serial line stays logged in after a console closes, as on real hardware
    const prompt = await session.expect(/login: |:~# /, "a prompt", 20_000, from);
    if (!prompt.includes(":~# ")) session.type("root\r");
    await session.expect(/root@tiny-guest:~# /, "the root shell", 20_000, from);
    session.type("poweroff\r");
    await waitForVmi((vmi) => vmi.metadata?.uid === vmiUid && vmi.status?.phase === "Succeeded", "Succeeded after the guest powered off");
    const next = await waitForVmi((vmi) => vmi.metadata?.uid !== vmiUid && vmi.status?.phase === "Running", "replaced by a new Running VMI");
    expect(qemuProcessesFor(vmiUid)).toHaveLength(0);
    expect(qemuProcessesFor(next!.metadata!.uid!)).toHaveLength(1);
    vmiUid = next!.metadata!.uid!;
  });

  test("stop → the VMI goes and no QEMU process is left", async () => {
    const stop = await apiRequest(kc, "PUT", `/apis/subresources.kubevirt.io/v1/namespaces/${namespace}/virtualmachines/${name}/stop`, {});
    expect(stop.status).toBe(202);
    await waitForVmi(undefined, "to be deleted");
    await waitForVm((vm) => vm.status?.printableStatus === "Stopped", "Stopped");
    const deadline = Date.now() + 20_000;
    while (qemuProcessesFor(vmiUid).length > 0) {
      if (Date.now() > deadline) throw new Error(`QEMU of ${vmiUid} still runs 20 s after its VMI was deleted`);
      await delay(100); // polling /proc: a process's end cannot be watched through the API
    }
    const console = await openStream(kc, namespace, name, "console").catch((error: Error) => error);
    expect(String(console)).toMatch(/HTTP 404/);
  });
});
