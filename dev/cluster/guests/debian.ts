// What the guest images are made of: files of installed Debian packages, found through dpkg.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

/** The packages the harness's guests need (installed by scripts/ensure-system-packages.sh). */
export const guestPackages = ["qemu-system-x86", "qemu-utils", "linux-image-amd64", "busybox-static", "dropbear-bin", "genisoimage"] as const;

/** The installed version of a Debian package, or undefined when it is not installed. */
export function installedVersion(pkg: string): string | undefined {
  try {
    const out = execFileSync("dpkg-query", ["-W", "-f", "${Status}\t${Version}", pkg], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    const [status, version] = out.split("\t");
    return status?.endsWith("ok installed") ? version : undefined;
  } catch {
    return undefined;
  }
}

/** Throws, naming what to run, when a guest package is missing. */
export function requireGuestPackages(): void {
  const missing = guestPackages.filter((pkg) => !installedVersion(pkg));
  if (missing.length > 0) throw new Error(`VM guests need the Debian packages ${missing.join(" ")}: run bash scripts/ensure-system-packages.sh`);
}

/** The kernel the `linux-image-amd64` metapackage points at: its release and the package's file paths. */
export function debianKernel(): { release: string; packageVersion: string; vmlinuz: string; modulesDir: string } {
  const depends = execFileSync("dpkg-query", ["-W", "-f", "${Depends}", "linux-image-amd64"], { encoding: "utf8" });
  const match = /linux-image-(\S+?)(?:-unsigned)?\s*\(= ([^)]+)\)/.exec(depends);
  if (!match) throw new Error(`cannot tell which kernel linux-image-amd64 depends on (${depends})`);
  const release = match[1]!;
  const files = execFileSync("dpkg", ["-L", `linux-image-${release}`], { encoding: "utf8" }).split("\n");
  const vmlinuz = files.find((file) => file === `/boot/vmlinuz-${release}`);
  const modulesDir = `/lib/modules/${release}`;
  if (!vmlinuz || !existsSync(vmlinuz) || !existsSync(`${modulesDir}/modules.dep`)) {
    throw new Error(`the kernel package linux-image-${release} is incomplete (no ${vmlinuz ?? "vmlinuz"} or modules.dep)`);
  }
  return { release, packageVersion: match[2]!, vmlinuz, modulesDir };
}

/** The shared libraries (and loader) a dynamically linked program needs, as `ldd` resolves them. */
export function sharedLibraries(binary: string): string[] {
  const out = execFileSync("ldd", [binary], { encoding: "utf8" });
  const libs: string[] = [];
  for (const line of out.split("\n")) {
    const resolved = /=>\s+(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(0x/.exec(line);
    if (resolved) libs.push(resolved[1]!);
  }
  return libs;
}
