// One guest = one QEMU process (Debian's qemu-system-x86, TCG): its command line, its control sockets
// (QMP, serial, VNC, all unix sockets in the guest's directory) and the operations the KubeVirt stand-in
// maps its subresources to.
import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { freePorts } from "../ports";
import { logTail, startProcess, type ManagedProcess } from "../processes";
import type { GuestImage } from "./image";
import { QmpClient, type QmpEvent } from "./qmp";
import { SerialPort } from "./serial";

export const QEMU_BINARY = "/usr/bin/qemu-system-x86_64";

/** A disk attached as virtio-blk, in the VMI's disk order. */
export interface GuestDisk {
  path: string;
  format: "raw" | "qcow2";
  /** What the guest reads in /sys/block/vdX/serial (the VMI disk's serial, or its name). */
  serial: string;
  readOnly?: boolean;
  /** Boot from this disk (BIOS) instead of the image's kernel. */
  boot?: boolean;
}

export interface GuestSpec {
  /** Short label for logs, e.g. `ns/name`. */
  label: string;
  /** Directory for the sockets, the seed and QEMU's log. */
  dir: string;
  image: GuestImage;
  memoryMiB: number;
  cpus: number;
  hostname: string;
  disks: GuestDisk[];
  /** The cloud-init seed disk (iso9660, label cidata), attached last. */
  seedIso?: string;
}

/** How a guest ended. */
export type GuestEnd =
  | { kind: "shutdown" } // the guest powered itself off (or answered the ACPI power button)
  | { kind: "stopped" } // the harness killed it
  | { kind: "crashed"; detail: string };

/** TCG's translation cache; without a bound its default size makes RSS balloon. */
const TB_SIZE_MIB = 16;

export function qemuArgs(spec: GuestSpec): string[] {
  const sock = (name: string) => path.join(spec.dir, name);
  const bootDisk = spec.disks.find((disk) => disk.boot);
  const args = [
    "-name", `guest=${spec.label.replace(/[^A-Za-z0-9_.-]/g, "_")}`,
    "-nodefaults", "-no-user-config",
    "-machine", "pc", "-accel", `tcg,tb-size=${TB_SIZE_MIB}`,
    "-m", `${spec.memoryMiB}M`, "-smp", String(spec.cpus),
    "-vga", "std", "-vnc", `unix:${sock("vnc.sock")}`,
    "-chardev", `socket,id=serial0,path=${sock("serial.sock")},server=on,wait=off`, "-serial", "chardev:serial0",
    "-qmp", `unix:${sock("qmp.sock")},server=on,wait=off`,
    // User-mode networking with restrict=on: the guest reaches nothing; host forwards (loopback only) are
    // added on demand for portforward.
    "-netdev", "user,id=net0,restrict=on", "-device", "virtio-net-pci,netdev=net0,romfile=",
  ];
  if (!bootDisk) {
    const cmdline = ["console=tty0", "console=ttyS0,115200", "video=800x600", `minicloud.hostname=${spec.hostname}`, ...(spec.seedIso ? ["minicloud.seed=1"] : [])];
    args.push("-kernel", spec.image.kernel, "-initrd", spec.image.initrd, "-append", cmdline.join(" "));
  }
  const drive = (id: string, file: string, format: string, readOnly: boolean, serial: string, bootIndex?: number) => {
    args.push("-drive", `file=${file.replace(/,/g, ",,")},if=none,id=${id},format=${format}${readOnly ? ",readonly=on" : ""}`);
    args.push("-device", `virtio-blk-pci,drive=${id},serial=${serial.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 20)}${bootIndex ? `,bootindex=${bootIndex}` : ""}`);
  };
  spec.disks.forEach((disk, i) => drive(`disk${i}`, disk.path, disk.format, disk.readOnly ?? false, disk.serial, disk.boot ? 1 : undefined));
  if (spec.seedIso) drive("cidata", spec.seedIso, "raw", true, "cidata");
  return args;
}

/** A running QEMU process with its QMP and serial connections. */
export class Guest {
  readonly serial: SerialPort;
  /** Resolves once QEMU has exited, with how the guest ended. */
  readonly ended: Promise<GuestEnd>;
  private readonly forwards = new Map<number, number>();
  private stopRequested = false;
  private guestShutdown = false;
  private paused = false;

  private constructor(
    readonly spec: GuestSpec,
    private readonly process: ManagedProcess,
    private readonly qmp: QmpClient,
    serial: SerialPort,
  ) {
    this.serial = serial;
    qmp.events.on("event", (event: QmpEvent) => {
      if (event.event === "SHUTDOWN" && event.data?.guest === true) this.guestShutdown = true;
    });
    this.ended = process.exited.then((code) => {
      qmp.close();
      serial.close();
      if (this.stopRequested) return { kind: "stopped" } as const;
      if (this.guestShutdown && code === 0) return { kind: "shutdown" } as const;
      return { kind: "crashed", detail: `QEMU exited (${code}): ${logTail(process, 5)}` } as const;
    });
  }

  get pid(): number {
    return this.process.pid;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Starts QEMU and resolves once its QMP and serial sockets are connected (the guest is then booting). */
  static async start(spec: GuestSpec): Promise<Guest> {
    for (const name of ["qmp.sock", "serial.sock", "vnc.sock"]) await rm(path.join(spec.dir, name), { force: true });
    const child = startProcess("qemu", QEMU_BINARY, qemuArgs(spec), { logDir: spec.dir, cwd: spec.dir, env: { PATH: "/usr/bin:/bin", LANG: "C" } as unknown as NodeJS.ProcessEnv });
    try {
      const qmp = await retryConnect(child, () => QmpClient.connect(path.join(spec.dir, "qmp.sock")));
      const serial = await retryConnect(child, () => SerialPort.connect(path.join(spec.dir, "serial.sock")));
      return new Guest(spec, child, qmp, serial);
    } catch (error) {
      await child.stop(0);
      throw error;
    }
  }

  pause(): Promise<void> {
    return this.qmp.execute("stop").then(() => void (this.paused = true));
  }

  unpause(): Promise<void> {
    return this.qmp.execute("cont").then(() => void (this.paused = false));
  }

  /** Ctrl-Alt-Del, as pressed on the guest's keyboard (KubeVirt's soft reboot without a guest agent). */
  sendCtrlAltDel(): Promise<void> {
    const keys = ["ctrl", "alt", "delete"].map((data) => ({ type: "qcode", data }));
    return this.qmp.execute("send-key", { keys }).then(() => undefined);
  }

  /** The screen as PNG (QMP screendump). */
  async screenshot(): Promise<Buffer> {
    const file = path.join(this.spec.dir, `screen-${Date.now()}.png`);
    try {
      await this.qmp.execute("screendump", { filename: file, format: "png" });
      return await readFile(file);
    } finally {
      await rm(file, { force: true });
    }
  }

  /** A new connection to QEMU's VNC server (RFB). */
  connectVnc(): Socket {
    return connect(path.join(this.spec.dir, "vnc.sock"));
  }

  /** The loopback port that reaches `guestPort` in the guest, adding the host forward on first use. */
  async forwardedPort(guestPort: number): Promise<number> {
    const known = this.forwards.get(guestPort);
    if (known) return known;
    for (let attempt = 1; ; attempt++) {
      const [hostPort] = await freePorts(1);
      const answer = await this.qmp.execute<string>("human-monitor-command", {
        "command-line": `hostfwd_add net0 tcp:127.0.0.1:${hostPort}-:${guestPort}`,
      });
      if (!answer || !/could not|error|invalid/i.test(answer)) {
        this.forwards.set(guestPort, hostPort!);
        return hostPort!;
      }
      if (attempt >= 3) throw new Error(`cannot forward guest port ${guestPort}: ${answer.trim()}`);
    }
  }

  /**
   * Stops the guest: the ACPI power button first and up to `graceMs` for it to power off (0 = at once),
   * then QEMU is killed. Resolves once QEMU is gone.
   */
  async stop(graceMs: number): Promise<GuestEnd> {
    if (graceMs > 0 && !this.stopRequested) {
      if (this.paused) await this.unpause().catch(() => undefined);
      await this.qmp.execute("system_powerdown").catch(() => undefined);
      const settled = await Promise.race([this.ended.then(() => true), delay(graceMs, false, { ref: true })]);
      if (settled) return this.ended;
    }
    this.stopRequested = true;
    await this.process.stop(1000);
    return this.ended;
  }
}

/**
 * QEMU creates its sockets moments after it starts; retry briefly (often: a guest counts as up
 * when they answer, and a coarse retry would add its own jitter to every start), failing at once
 * if it exits.
 */
async function retryConnect<T>(child: ManagedProcess, attempt: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  let exited: number | string | undefined;
  void child.exited.then((code) => (exited = code));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited !== undefined) throw new Error(`QEMU exited (${exited}) while starting: ${logTail(child, 10)}`);
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`QEMU did not open its sockets in ${timeoutMs} ms: ${String(error)}; ${logTail(child, 10)}`);
    }
    await delay(10);
  }
}

export const qemuInstalled = (): boolean => existsSync(QEMU_BINARY);
