// Real guests behind the VM stand-in: each VMI that reaches Running is a QEMU process (dev/cluster/guests),
// built from the VMI's spec — the boot image its containerDisk names (the harness's catalog), its
// DataVolume/PVC disks (the bytes the CDI upload stand-in stored, raw or qcow2), its cloudInitNoCloud
// seed, its memory, CPUs and hostname.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, truncate, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { buildSeedIso, maxUserDataBytes, noCloudMetaData, tinyGuestScript } from "../guests/cloud-init";
import { tinyImage } from "../guests/image";
import { GuestManager, guestLimitFromEnv } from "../guests/manager";
import type { Guest, GuestDisk, GuestEnd, GuestSpec } from "../guests/qemu";
import { cdiGroup, cdiVersion, dataVolumePhase, dataVolumePlural, type DataVolume } from "./cdi";
import { applyObject, orNotFound, standinLabels, type Kube } from "./kube";
import { isWorkerVmi, JoinAgents, WORKER_IMAGE } from "../join-agent/agents";
import type { VirtualMachineInstance } from "./kubevirt";

const run = promisify(execFile);

/** Container-disk images and the guest each boots; any other image boots `tiny` too (said in the log). */
export const guestCatalog = [
  { image: "minicloud.dev/guests/tiny", guest: "tiny", description: "Debian kernel + busybox/dropbear initramfs; serial and VGA login, ssh, cloud-init subset" },
  { image: WORKER_IMAGE, guest: "join-agent", description: "Kubernetes worker (stand-in): no QEMU; a join agent performs the cloud-init's kubeadm join against the real control plane and keeps the node Ready (dev/cluster/join-agent)" },
] as const;

/** Where the catalog is published for clients (the panel's image picker, demos). */
export const guestCatalogConfigMap = { namespace: "kubevirt", name: "minicloud-guest-images" };

/** The longest a guest may take to power off after the ACPI button before it is killed. */
const maxGraceSeconds = Number(process.env.MINICLOUD_GUEST_MAX_GRACE_SECONDS ?? "10");
/** KubeVirt's default terminationGracePeriodSeconds for a VMI. */
const defaultGraceSeconds = 30;

interface Volume {
  name: string;
  containerDisk?: { image?: string };
  cloudInitNoCloud?: {
    userData?: string;
    userDataBase64?: string;
    userDataSecretRef?: { name?: string };
    networkData?: string;
    networkDataBase64?: string;
    networkDataSecretRef?: { name?: string };
  };
  dataVolume?: { name?: string };
  persistentVolumeClaim?: { claimName?: string; readOnly?: boolean };
}

interface VmiSpec {
  hostname?: string;
  terminationGracePeriodSeconds?: number;
  volumes?: Volume[];
  domain?: {
    cpu?: { cores?: number; sockets?: number; threads?: number };
    memory?: { guest?: string };
    resources?: { requests?: { memory?: string } };
    devices?: { disks?: { name: string; serial?: string; bootOrder?: number; disk?: { readonly?: boolean } }[] };
  };
}

const specOf = (vmi: VirtualMachineInstance): VmiSpec => (vmi.spec ?? {}) as VmiSpec;

export class VmiGuests {
  readonly manager: GuestManager;
  /** Worker VMIs' join agents, in place of a guest (dev/cluster/join-agent). */
  readonly agents: JoinAgents;
  /** Set by the VM controller: a guest ended by itself. */
  onEnd: (vmiUid: string, end: GuestEnd) => void = () => {};
  /** Set by the VM controller: a guest slot became free. */
  onSlotFreed: () => void = () => {};

  constructor(
    private readonly kube: Kube,
    private readonly standinsDir: string,
    private readonly log: (line: string) => void,
    limit = guestLimitFromEnv(),
  ) {
    this.agents = new JoinAgents(kube, log);
    this.manager = new GuestManager({ root: path.join(standinsDir, "guests"), limit, log, onEnd: (id, end) => this.onEnd(id, end), onSlotFreed: () => this.onSlotFreed() });
  }

  /** Starts building the tiny image in the background (a cache hit after the first time). */
  prepare(): void {
    void tinyImage(this.log).catch((error: unknown) => this.log(`guest image: ${String(error)}`));
  }

  /** Publishes the catalog of container-disk images (once the `kubevirt` namespace exists). */
  async publishCatalog(): Promise<void> {
    await applyObject(this.kube, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { ...guestCatalogConfigMap, labels: standinLabels },
      data: { "images.json": JSON.stringify(guestCatalog, null, 2) },
    } as never);
  }

  get(vmi: VirtualMachineInstance): Guest | undefined {
    return this.manager.get(vmi.metadata?.uid ?? "");
  }

  /** Why the VMI cannot get a guest yet (a volume still being provisioned), or undefined. */
  async waitingFor(vmi: VirtualMachineInstance): Promise<string | undefined> {
    for (const volume of specOf(vmi).volumes ?? []) {
      if (!volume.dataVolume?.name) continue;
      const dv = await this.dataVolume(vmi.metadata!.namespace!, volume.dataVolume.name);
      if (!dv) return `DataVolume ${volume.dataVolume.name} does not exist`;
      if (dataVolumePhase(dv) !== "Succeeded") return `DataVolume ${volume.dataVolume.name} is not ready (phase ${dataVolumePhase(dv) ?? "none"})`;
    }
    return undefined;
  }

  reserve(vmi: VirtualMachineInstance): boolean {
    if (isWorkerVmi(vmi)) return true; // a join agent takes no guest slot
    return this.manager.reserve(vmi.metadata!.uid!);
  }

  /** Starts the VMI's guest (its slot must be reserved); resolves once QEMU is up — or its join agent has started. */
  async start(vmi: VirtualMachineInstance): Promise<Guest | undefined> {
    if (isWorkerVmi(vmi)) {
      this.agents.start(vmi);
      return undefined;
    }
    return this.manager.start(vmi.metadata!.uid!, (dir) => this.describe(vmi, dir));
  }

  /** Every VMI uid with a guest or an agent. */
  ids(): string[] {
    return [...this.manager.ids(), ...this.agents.ids()];
  }

  /** Stops the guest of a VMI that is going away, honouring its grace period (capped for the harness). */
  stop(uid: string, graceSeconds: number | undefined): Promise<void> {
    this.agents.stop(uid);
    const seconds = Math.min(Math.max(graceSeconds ?? defaultGraceSeconds, 0), maxGraceSeconds);
    return this.manager.stop(uid, seconds * 1000);
  }

  stopAll(): Promise<void> {
    this.agents.stopAll();
    return this.manager.stopAll();
  }

  private async describe(vmi: VirtualMachineInstance, dir: string): Promise<Omit<GuestSpec, "dir">> {
    const namespace = vmi.metadata!.namespace!;
    const name = vmi.metadata!.name!;
    const spec = specOf(vmi);
    const volumes = spec.volumes ?? [];
    const image = await tinyImage(this.log);
    for (const volume of volumes) {
      const wanted = volume.containerDisk?.image;
      if (wanted && !guestCatalog.some((entry) => wanted.split(/[:@]/)[0] === entry.image)) {
        this.log(`guest ${namespace}/${name}: no guest image for container disk ${wanted}; booting tiny`);
      }
    }
    const hostname = spec.hostname ?? name;

    // Disks in the domain's order, then volumes the domain does not list (KubeVirt adds a disk for those).
    const order = (spec.domain?.devices?.disks ?? []).map((disk) => disk.name);
    const sorted = [...volumes].sort((a, b) => rank(order, a.name) - rank(order, b.name));
    const disks: GuestDisk[] = [];
    for (const volume of sorted) {
      const claim = volume.dataVolume?.name ?? volume.persistentVolumeClaim?.claimName;
      if (!claim) continue;
      const diskSpec = spec.domain?.devices?.disks?.find((disk) => disk.name === volume.name);
      const file = await this.diskFile(namespace, claim, Boolean(volume.dataVolume));
      const format = await imageFormat(file);
      disks.push({ path: file, format, serial: diskSpec?.serial ?? volume.name, readOnly: Boolean(volume.persistentVolumeClaim?.readOnly || diskSpec?.disk?.readonly) });
    }
    // Without a container disk the guest boots from its first PVC/DataVolume disk, as KubeVirt would.
    if (!volumes.some((volume) => volume.containerDisk) && disks.length > 0) disks[0]!.boot = true;

    let seedIso: string | undefined;
    const noCloud = volumes.find((volume) => volume.cloudInitNoCloud)?.cloudInitNoCloud;
    if (noCloud) {
      const userData = (await this.cloudInitText(namespace, noCloud.userData, noCloud.userDataBase64, noCloud.userDataSecretRef?.name, ["userdata", "userData"])) ?? "";
      if (Buffer.byteLength(userData) > maxUserDataBytes) throw new Error(`cloud-init user-data is larger than ${maxUserDataBytes} bytes`);
      const networkData = await this.cloudInitText(namespace, noCloud.networkData, noCloud.networkDataBase64, noCloud.networkDataSecretRef?.name, ["networkdata", "networkData"]);
      seedIso = await buildSeedIso(dir, { userData, metaData: noCloudMetaData(namespace, name, hostname), networkData }, tinyGuestScript(userData, hostname));
    }

    return {
      label: `${namespace}/${name}`,
      image,
      // The tiny guest needs little; its memory is capped so that RSS stays near 200 MiB per guest.
      memoryMiB: disks.some((disk) => disk.boot) ? clamp(memoryMiB(spec) ?? 512, 64, 1024) : clamp(memoryMiB(spec) ?? 96, 64, 96),
      cpus: clamp((spec.domain?.cpu?.cores ?? 1) * (spec.domain?.cpu?.sockets ?? 1) * (spec.domain?.cpu?.threads ?? 1), 1, 2),
      hostname,
      disks,
      seedIso,
    };
  }

  private async cloudInitText(namespace: string, text?: string, base64?: string, secretName?: string, keys: string[] = []): Promise<string | undefined> {
    if (text !== undefined) return text;
    if (base64 !== undefined) return Buffer.from(base64, "base64").toString("utf8");
    if (!secretName) return undefined;
    const secret = await orNotFound(this.kube.core.readNamespacedSecret({ namespace, name: secretName }));
    if (!secret) throw new Error(`cloud-init secret ${namespace}/${secretName} does not exist`);
    const key = keys.find((k) => secret.data?.[k] !== undefined);
    if (!key) throw new Error(`cloud-init secret ${namespace}/${secretName} has none of the keys ${keys.join(", ")}`);
    return Buffer.from(secret.data![key]!, "base64").toString("utf8");
  }

  private dataVolume(namespace: string, name: string): Promise<DataVolume | undefined> {
    return orNotFound(
      this.kube.custom.getNamespacedCustomObject({ group: cdiGroup, version: cdiVersion, namespace, plural: dataVolumePlural, name }),
    ) as Promise<DataVolume | undefined>;
  }

  /** The file holding a claim's disk: what the upload stand-in stored, else `disk.img` on the claim's volume. */
  private async diskFile(namespace: string, claim: string, isDataVolume: boolean): Promise<string> {
    const uploaded = path.join(this.standinsDir, "uploads", namespace, `${claim}.img`);
    if (existsSync(uploaded)) return uploaded;
    if (isDataVolume) {
      const dv = await this.dataVolume(namespace, claim);
      const blank = dv?.spec?.source?.blank !== undefined;
      const size = quantityBytes(((dv?.spec as { storage?: { resources?: { requests?: { storage?: string } } } })?.storage?.resources?.requests?.storage) ?? "");
      if (blank && size) {
        // A blank DataVolume is an empty raw disk of the requested size (sparse).
        await mkdir(path.dirname(uploaded), { recursive: true });
        await writeFile(uploaded, "", { flag: "a" });
        await truncate(uploaded, size);
        return uploaded;
      }
      throw new Error(`the stand-in has no bytes for DataVolume ${claim} (only uploaded and blank DataVolumes have content here)`);
    }
    const pvc = await orNotFound(this.kube.core.readNamespacedPersistentVolumeClaim({ namespace, name: claim }));
    const pv = pvc?.spec?.volumeName ? await orNotFound(this.kube.core.readPersistentVolume({ name: pvc.spec.volumeName })) : undefined;
    const onVolume = pv?.spec?.hostPath?.path ? path.join(pv.spec.hostPath.path, "disk.img") : undefined;
    if (onVolume && existsSync(onVolume)) return onVolume;
    throw new Error(`PersistentVolumeClaim ${claim} holds no disk image (disk.img)`);
  }
}

const rank = (order: string[], name: string): number => (order.includes(name) ? order.indexOf(name) : order.length);
const clamp = (n: number, min: number, max: number): number => Math.min(Math.max(Math.round(n), min), max);

function memoryMiB(spec: VmiSpec): number | undefined {
  const bytes = quantityBytes(spec.domain?.memory?.guest ?? spec.domain?.resources?.requests?.memory ?? "");
  return bytes ? bytes / (1 << 20) : undefined;
}

const units: Record<string, number> = { "": 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** Bytes of a Kubernetes quantity such as `512Mi` or `1G` (undefined when it is not one). */
export function quantityBytes(quantity: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity.trim());
  return match ? Math.round(Number(match[1]) * units[match[2] ?? ""]!) : undefined;
}

/** The image's format as `qemu-img info` detects it; refuses anything but plain raw or self-contained qcow2. */
export async function imageFormat(file: string): Promise<"raw" | "qcow2"> {
  const { stdout } = await run("qemu-img", ["info", "--output=json", "-U", file]);
  const info = JSON.parse(stdout) as { format?: string; "backing-filename"?: string; "format-specific"?: { data?: { "data-file"?: string } } };
  if (info.format !== "raw" && info.format !== "qcow2") throw new Error(`disk image ${path.basename(file)} is ${info.format ?? "of unknown format"}; only raw and qcow2 are attached`);
  // A backing or external data file would let an uploaded image read files of this machine.
  if (info["backing-filename"] || info["format-specific"]?.data?.["data-file"]) throw new Error(`disk image ${path.basename(file)} refers to other files; refused`);
  return info.format;
}
