// Guest images, built from installed Debian packages on first use and cached outside the repo like
// the Kubernetes binaries (`~/.cache/minicloud/guests/<key>/`): a change to a package version, to the
// guest's scripts or to this recipe changes the key, so the next use rebuilds.
//
// `tiny`: the Debian kernel (linux-image-amd64) + an initramfs made of busybox-static, dropbear-bin
// (with the libraries it links) and the kernel modules for virtio disks and network, the NoCloud seed
// (iso9660) and the power button. See tiny/ for what the guest runs.
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { constants as zlibConstants, zstdCompressSync } from "node:zlib";
import { cacheRoot } from "../pins";
import { cpioArchive, type CpioEntry } from "./cpio";
import { debianKernel, installedVersion, requireGuestPackages, sharedLibraries } from "./debian";
import { pvhKernelFrom } from "./pvh";

/** Bumped when the recipe changes in a way the hashed files do not show. */
const RECIPE = 3;

/** The kernel modules the tiny guest loads at boot (their dependencies come from modules.dep). */
const tinyModules = ["virtio_pci", "virtio_blk", "virtio_net", "isofs", "button", "evdev"];
/**
 * The display driver: booted through PVH the kernel finds no VGA
 * text console, so the VGA console is fbcon on QEMU's std VGA (bochs DRM).
 */
const displayModules = ["bochs"];

const here = path.dirname(fileURLToPath(import.meta.url));
const tinyDir = path.join(here, "tiny");

/** A bootable guest image: a kernel (PVH ELF or bzImage) and an initramfs for QEMU's direct kernel boot. */
export interface GuestImage {
  name: "tiny";
  kernel: string;
  initrd: string;
  kernelRelease: string;
  /** The cache key (also the directory name). */
  key: string;
}

let building: Promise<GuestImage> | undefined;

/** The tiny image, built once per cache key (memoised in this process). */
export function tinyImage(log: (line: string) => void = () => {}): Promise<GuestImage> {
  building ??= Promise.resolve().then(() => buildTiny(log));
  building.catch(() => (building = undefined)); // a failed build is tried again next time
  return building;
}

function buildTiny(log: (line: string) => void): GuestImage {
  requireGuestPackages();
  const kernel = debianKernel();
  const key = cacheKey(kernel.packageVersion);
  const dir = path.join(cacheRoot(), "guests", key, "tiny");
  const image: GuestImage = { name: "tiny", kernel: path.join(dir, "vmlinuz"), initrd: path.join(dir, "initrd.img"), kernelRelease: kernel.release, key };
  if (existsSync(image.initrd) && existsSync(image.kernel)) return image;

  const started = Date.now();
  const staging = `${dir}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  // The unpacked ELF when the kernel supports PVH (boots seconds faster under TCG), else the bzImage itself.
  const bzImage = readFileSync(kernel.vmlinuz);
  writeFileSync(path.join(staging, "vmlinuz"), pvhKernelFrom(bzImage) ?? bzImage);
  // Compressed: QEMU keeps a copy of the initrd for resets, so a smaller file is ~5 MiB less RSS per
  // guest. zstd, because the guest unpacks it several times faster than gzip under TCG.
  const archive = cpioArchive(tinyEntries(kernel.modulesDir));
  writeFileSync(path.join(staging, "initrd.img"), zstdCompressSync(archive, { params: { [zlibConstants.ZSTD_c_compressionLevel]: 12 } }));
  writeFileSync(path.join(staging, "recipe.json"), JSON.stringify(recipe(kernel.packageVersion), null, 2));
  try {
    renameSync(staging, dir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(image.initrd)) throw error; // another process finished the same build first: use it
  }
  log(`built the tiny guest image (kernel ${kernel.release}) in ${Date.now() - started} ms: ${dir}`);
  return image;
}

function recipe(kernelPackageVersion: string) {
  return {
    recipe: RECIPE,
    kernel: kernelPackageVersion,
    busybox: installedVersion("busybox-static"),
    dropbear: installedVersion("dropbear-bin"),
    libc: installedVersion("libc6"),
    modules: [...tinyModules, ...displayModules],
  };
}

function cacheKey(kernelPackageVersion: string): string {
  const hash = createHash("sha256").update(JSON.stringify(recipe(kernelPackageVersion)));
  for (const file of readdirSync(tinyDir).sort()) hash.update(file).update(readFileSync(path.join(tinyDir, file)));
  for (const source of ["image.ts", "cpio.ts", "pvh.ts"]) hash.update(readFileSync(path.join(here, source)));
  return `tiny-${hash.digest("hex").slice(0, 16)}`;
}

/** Every file of the tiny initramfs. */
function tinyEntries(modulesDir: string): CpioEntry[] {
  const entries = new Map<string, CpioEntry>();
  const add = (entry: CpioEntry) => {
    const parts = entry.path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join("/");
      if (!entries.has(parent)) entries.set(parent, { path: parent, type: "dir", mode: 0o755 });
    }
    entries.set(entry.path, entry);
  };
  const file = (target: string, data: Buffer | string, mode = 0o644) => add({ path: target, type: "file", mode, data });
  const script = (target: string, name: string) => file(target, readFileSync(path.join(tinyDir, name)), 0o755);

  for (const dir of ["proc", "sys", "dev", "run", "mnt", "sbin", "usr/bin", "usr/sbin", "var/log", "etc/dropbear"]) add({ path: dir, type: "dir", mode: 0o755 });
  add({ path: "tmp", type: "dir", mode: 0o1777 });
  add({ path: "root", type: "dir", mode: 0o700 });
  add({ path: "dev/console", type: "chardev", mode: 0o600, rdev: [5, 1] });

  file("bin/busybox", readFileSync("/bin/busybox"), 0o755);
  add({ path: "bin/sh", type: "symlink", mode: 0o777, data: "busybox" });
  file("usr/sbin/dropbear", readFileSync("/usr/sbin/dropbear"), 0o755);
  for (const lib of sharedLibraries("/usr/sbin/dropbear")) file(lib.slice(1), readFileSync(lib), 0o755);

  const bootModules = moduleLoadOrder(modulesDir, tinyModules);
  const display = moduleLoadOrder(modulesDir, displayModules).filter((module) => !bootModules.includes(module));
  const baseName = (module: string) => path.basename(module.replace(/\.(xz|zst|gz)$/, ""));
  for (const module of [...bootModules, ...display]) file(`lib/modules/${baseName(module)}`, moduleBytes(path.join(modulesDir, module)));
  file("lib/modules/load-order", bootModules.map(baseName).join("\n") + "\n");
  file("lib/modules/display-order", display.map(baseName).join("\n") + "\n");

  script("init", "init");
  file("etc/inittab", readFileSync(path.join(tinyDir, "inittab")));
  for (const name of ["sysinit", "login", "final", "display", "shutdown"]) script(`etc/mc/${name}`, name);
  file("etc/profile", readFileSync(path.join(tinyDir, "profile")));
  script("etc/acpi/PWRF/00000080", "power-button");
  file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  file("etc/shadow", "root:*:19000:0:99999:7:::\n", 0o600);
  file("etc/group", "root:x:0:\ntty:x:5:\n");
  file("etc/shells", "/bin/sh\n");
  file("etc/nsswitch.conf", "passwd: files\ngroup: files\nshadow: files\nhosts: files\n");
  file("etc/hosts", "127.0.0.1 localhost\n");

  return [...entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** `wanted` and their dependencies from modules.dep, dependencies first (paths relative to the modules dir). */
function moduleLoadOrder(modulesDir: string, wanted: string[]): string[] {
  const deps = new Map<string, string[]>();
  const byName = new Map<string, string>();
  for (const line of readFileSync(path.join(modulesDir, "modules.dep"), "utf8").split("\n")) {
    const [module, rest] = line.split(":");
    if (!module || rest === undefined) continue;
    deps.set(module, rest.trim() ? rest.trim().split(/\s+/) : []);
    byName.set(moduleName(module), module);
  }
  const order: string[] = [];
  const visit = (module: string) => {
    if (order.includes(module)) return;
    for (const dep of deps.get(module) ?? []) visit(dep);
    order.push(module);
  };
  for (const name of wanted) {
    const module = byName.get(name.replace(/-/g, "_"));
    if (module) visit(module); // absent: built into this kernel
  }
  return order;
}

const moduleName = (file: string): string => path.basename(file).replace(/\.ko(\.(xz|zst|gz))?$/, "").replace(/-/g, "_");

/** A module file's bytes, decompressed when the package ships it compressed (busybox insmod wants plain ELF). */
function moduleBytes(file: string): Buffer {
  if (file.endsWith(".xz")) return execFileSync("xz", ["-dc", file], { maxBuffer: 64 << 20 });
  if (file.endsWith(".zst")) return execFileSync("zstd", ["-dc", file], { maxBuffer: 64 << 20 });
  if (file.endsWith(".gz")) return execFileSync("gzip", ["-dc", file], { maxBuffer: 64 << 20 });
  return readFileSync(file);
}
