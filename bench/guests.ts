// How fast the local cluster's VM guests come up and how much memory each takes: QEMU (TCG) with the
// tiny image, started exactly as the KubeVirt stand-in starts a VMI's guest (dev/cluster/guests), timed
// from QEMU's start to the login prompt on the serial port and to a root shell answering there; RSS read
// from /proc once the shell answered (VmRSS, and its anonymous part: the file-backed rest — QEMU's
// libraries and the kernel image — is shared between guests). One guest alone (three rounds, median),
// then four at once. Goals (issue 12): shell ≤ 10 s, RSS ≤ 200 MiB per guest.
// Last line: `RESULT key=value …`.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { tinyImage } from "../dev/cluster/guests/image";
import { Guest } from "../dev/cluster/guests/qemu";
import { median } from "./support";

interface Sample {
  loginS: number;
  shellS: number;
  rssMiB: number;
  anonMiB: number;
}

const ROUNDS_ALONE = 3;
const TIMEOUT_MS = 120_000;

function rss(pid: number): { rssMiB: number; anonMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { rssMiB: kib("VmRSS") / 1024, anonMiB: kib("RssAnon") / 1024 };
}

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), TIMEOUT_MS))),
  ]);
}

async function bootOne(root: string, index: number, started: Guest[]): Promise<Sample> {
  const image = await tinyImage();
  const dir = mkdtempSync(path.join(root, `g${index}-`));
  const hostname = `bench${index}`;
  const t0 = performance.now();
  const guest = await Guest.start({ label: `bench/${hostname}`, dir, image, memoryMiB: 96, cpus: 1, hostname, disks: [] });
  started.push(guest);
  await within(guest.serial.waitFor(new RegExp(`${hostname} login: `)), `${hostname}'s login prompt`);
  const loginS = (performance.now() - t0) / 1000;
  guest.serial.write(Buffer.from("root\r"));
  await within(guest.serial.waitFor(new RegExp(`root@${hostname}:~# `)), `${hostname}'s shell`);
  guest.serial.write(Buffer.from("echo shell-$((40+2))\r"));
  await within(guest.serial.waitFor(/shell-42\r\n/), `${hostname}'s shell to answer`);
  const shellS = (performance.now() - t0) / 1000;
  return { loginS, shellS, ...rss(guest.pid) };
}

async function round(root: string, count: number): Promise<Sample[]> {
  const started: Guest[] = [];
  try {
    return await Promise.all(Array.from({ length: count }, (_, i) => bootOne(root, i, started)));
  } finally {
    await Promise.all(started.map((guest) => guest.stop(0)));
  }
}

const fmt = (n: number) => n.toFixed(1);
const describe = (s: Sample) => `shell ${fmt(s.shellS)} s (login prompt ${fmt(s.loginS)} s), RSS ${fmt(s.rssMiB)} MiB (${fmt(s.anonMiB)} MiB anonymous)`;

async function main(): Promise<void> {
  const root = mkdtempSync(path.join(tmpdir(), "minicloud-bench-guests-"));
  try {
    const image = await tinyImage((line) => console.log(line));
    console.log(`tiny image ${image.key} (kernel ${image.kernelRelease}); load average ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`);
    const alone: Sample[] = [];
    for (let i = 1; i <= ROUNDS_ALONE; i++) {
      const [sample] = await round(root, 1);
      alone.push(sample!);
      console.log(`1 guest, round ${i}: ${describe(sample!)}`);
    }
    const four = await round(root, 4);
    four.forEach((sample, i) => console.log(`4 guests at once, guest ${i + 1}: ${describe(sample)}`));
    const pick = (samples: Sample[], key: keyof Sample) => samples.map((s) => s[key]);
    console.log(
      `RESULT guests1_shell_s=${fmt(median(pick(alone, "shellS")))} guests1_login_s=${fmt(median(pick(alone, "loginS")))} ` +
        `guests1_rss_mib=${fmt(median(pick(alone, "rssMiB")))} guests1_anon_mib=${fmt(median(pick(alone, "anonMiB")))} ` +
        `guests4_shell_s_median=${fmt(median(pick(four, "shellS")))} guests4_shell_s_max=${fmt(Math.max(...pick(four, "shellS")))} ` +
        `guests4_rss_mib_median=${fmt(median(pick(four, "rssMiB")))} guests4_rss_mib_max=${fmt(Math.max(...pick(four, "rssMiB")))} ` +
        `guests4_anon_mib_median=${fmt(median(pick(four, "anonMiB")))} goal_shell_s=10 goal_rss_mib=200`,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
