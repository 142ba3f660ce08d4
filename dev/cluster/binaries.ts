// Builds the control-plane binaries from the Go module proxy, once per set of pins.
//
// Kubernetes cannot be `go install`ed: k8s.io/kubernetes requires its staging modules at
// v0.0.0 and replaces them with ./staging/..., and Go ignores a dependency's replaces. So
// each part is built from a small wrapper module we write ourselves; for Kubernetes the
// wrapper repeats the release's own staging replaces, pointed at the published v0.x tags.
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { open, readFile, unlink } from "node:fs/promises";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { runGo } from "./go";
import { PINS, binariesDir, cacheRoot } from "./pins";
import { asStep, CLUSTER_PROGRESS_STEPS, type ClusterProgress } from "./progress";

/** Absolute paths of everything the launcher runs or reads from the build. */
export interface Binaries {
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kwok: string;
  /** kwok's own kustomize tree (stages, CRDs), copied out of its module zip. */
  kwokKustomizeDir: string;
}

type Log = (line: string) => void;

const KUBE_COMMANDS = ["kube-apiserver", "kube-controller-manager", "kube-scheduler"] as const;
const COMPLETE_MARKER = ".complete";

function binariesIn(dir: string): Binaries {
  const bin = (name: string) => path.join(dir, "bin", name);
  return {
    etcd: bin("etcd"),
    kubeApiserver: bin("kube-apiserver"),
    kubeControllerManager: bin("kube-controller-manager"),
    kubeScheduler: bin("kube-scheduler"),
    kwok: bin("kwok"),
    kwokKustomizeDir: path.join(dir, "kwok-kustomize"),
  };
}

/**
 * Returns the pinned binaries, building them first when the cache has no complete build.
 * Concurrent callers (a test run and `cluster:up`) serialize on a lock file so the
 * machine never runs two Go builds at once.
 */
export async function ensureBinaries(log: Log = () => {}, progress: ClusterProgress = () => {}): Promise<Binaries> {
  const dir = binariesDir();
  const cached = () => {
    for (const step of CLUSTER_PROGRESS_STEPS.filter((s) => s.startsWith("download-") || s.startsWith("compile-"))) progress({ step, state: "cached" });
    return binariesIn(dir);
  };
  if (existsSync(path.join(dir, COMPLETE_MARKER))) return cached();

  mkdirSync(cacheRoot(), { recursive: true });
  const release = await acquireLock(`${dir}.lock`, log);
  try {
    if (!existsSync(path.join(dir, COMPLETE_MARKER))) await buildInto(dir, log, progress);
    else return cached(); // another process built them while this one waited
  } finally {
    await release();
  }
  return binariesIn(dir);
}

async function buildInto(dir: string, log: Log, progress: ClusterProgress): Promise<void> {
  const started = performance.now();
  log(`building Kubernetes ${PINS.kubernetes}, etcd ${PINS.etcd}, kwok ${PINS.kwok} from the Go module proxy (cold build; this takes a while)`);
  const staging = `${dir}.partial`;
  rmSync(staging, { recursive: true, force: true });
  const binDir = path.join(staging, "bin");
  const srcDir = path.join(staging, "src");
  mkdirSync(binDir, { recursive: true });

  await buildKubernetes(path.join(srcDir, "kubernetes"), binDir, log, progress);
  await buildEtcd(path.join(srcDir, "etcd"), binDir, log, progress);
  const kwokModuleDir = await buildKwok(path.join(srcDir, "kwok"), binDir, log, progress);
  copyWritable(path.join(kwokModuleDir, "kustomize"), binariesIn(staging).kwokKustomizeDir);

  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  writeFileSync(path.join(staging, COMPLETE_MARKER), `${JSON.stringify({ pins: PINS, seconds, builtAt: new Date().toISOString() })}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  log(`cold build finished in ${seconds} s → ${dir}`);
}

async function buildKubernetes(moduleDir: string, binDir: string, log: Log, progress: ClusterProgress): Promise<void> {
  progress({ step: "download-kubernetes", state: "started" });
  const release = await downloadModule("k8s.io/kubernetes", PINS.kubernetes, moduleDir, log);
  const releaseGoMod = readFileSync(release.GoMod, "utf8");
  const stagingVersion = PINS.kubernetes.replace(/^v1\./, "v0.");
  const replaces = stagingModules(releaseGoMod).map((mod) => `\t${mod} => ${mod} ${stagingVersion}`);
  const goLine = releaseGoMod.match(/^go .+$/m)?.[0] ?? "go 1.25.0";
  const godebug = releaseGoMod.match(/^godebug .+$/m)?.[0] ?? "";
  writeFileSync(
    path.join(moduleDir, "go.mod"),
    [
      "module minicloud.local/build/kubernetes",
      "",
      goLine,
      "",
      godebug,
      "",
      `require k8s.io/kubernetes ${PINS.kubernetes}`,
      "",
      "replace (",
      ...replaces,
      ")",
      "",
    ].join("\n"),
  );
  const packages = KUBE_COMMANDS.map((cmd) => `k8s.io/kubernetes/cmd/${cmd}`);
  log(`resolving Kubernetes dependencies (${replaces.length} staging modules at ${stagingVersion})`);
  await runGo(["get", ...packages.map((pkg) => `${pkg}@${PINS.kubernetes}`)], moduleDir, log);
  progress({ step: "download-kubernetes", state: "done" });
  // One command per build, so each reports its own step; they share the compile cache.
  for (const cmd of KUBE_COMMANDS) {
    log(`compiling ${cmd}`);
    await asStep(progress, `compile-${cmd}`, () =>
      runGo(["build", "-trimpath", "-ldflags", kubeVersionLdflags(release.Time), "-o", `${binDir}/`, `k8s.io/kubernetes/cmd/${cmd}`], moduleDir, log),
    );
  }
}

/** Copies a tree out of the module cache, whose files are read-only, so the copy can be deleted later. */
function copyWritable(from: string, to: string): void {
  cpSync(from, to, { recursive: true });
  chmodSync(to, 0o755);
  for (const entry of readdirSync(to, { recursive: true, withFileTypes: true })) {
    chmodSync(path.join(entry.parentPath, entry.name), entry.isDirectory() ? 0o755 : 0o644);
  }
}

/** The `k8s.io/X => ./staging/src/k8s.io/X` lines of a Kubernetes release's go.mod. */
function stagingModules(goMod: string): string[] {
  const modules = [...goMod.matchAll(/^\s*(k8s\.io\/[\w.-]+)\s+=>\s+\.\/staging\/src\//gm)].map((m) => m[1]!);
  if (modules.length === 0) throw new Error("no staging replaces found in the Kubernetes release go.mod");
  return modules;
}

/** Without these, `/version` reports v0.0.0-master instead of the release. */
function kubeVersionLdflags(commitTime: string): string {
  const [major, minor] = PINS.kubernetes.replace(/^v/, "").split(".");
  const values: Record<string, string> = {
    gitVersion: PINS.kubernetes,
    gitMajor: major!,
    gitMinor: minor!,
    // The module zip carries no git metadata; "archive" is what Kubernetes reports for tarball builds.
    gitTreeState: "archive",
    buildDate: commitTime,
  };
  const flags = ["-s", "-w"];
  for (const pkg of ["k8s.io/component-base/version", "k8s.io/client-go/pkg/version"]) {
    for (const [name, value] of Object.entries(values)) flags.push(`-X ${pkg}.${name}=${value}`);
  }
  return flags.join(" ");
}

async function buildEtcd(moduleDir: string, binDir: string, log: Log, progress: ClusterProgress): Promise<void> {
  // etcd's server module has relative replaces (../api, …), so it too needs a wrapper;
  // its package main calls etcdmain.Main, i.e. it is the etcd binary.
  const pkg = "go.etcd.io/etcd/server/v3";
  await asStep(progress, "download-etcd", () => initWrapper(moduleDir, "minicloud.local/build/etcd", pkg, PINS.etcd, log));
  log(`compiling etcd ${PINS.etcd}`);
  await asStep(progress, "compile-etcd", () => runGo(["build", "-trimpath", "-ldflags", "-s -w", "-o", path.join(binDir, "etcd"), pkg], moduleDir, log));
}

/** Builds kwok and returns its module directory (the source of its stage and CRD YAMLs). */
async function buildKwok(moduleDir: string, binDir: string, log: Log, progress: ClusterProgress): Promise<string> {
  const pkg = "sigs.k8s.io/kwok/cmd/kwok";
  const module = await asStep(progress, "download-kwok", async () => {
    await initWrapper(moduleDir, "minicloud.local/build/kwok", pkg, PINS.kwok, log);
    return downloadModule("sigs.k8s.io/kwok", PINS.kwok, moduleDir, log);
  });
  log(`compiling kwok ${PINS.kwok}`);
  await asStep(progress, "compile-kwok", () => runGo(["build", "-trimpath", "-ldflags", "-s -w", "-o", path.join(binDir, "kwok"), pkg], moduleDir, log));
  return module.Dir;
}

/** An empty wrapper module that requires `pkg` at `version` (with whatever `go get` resolves). */
async function initWrapper(moduleDir: string, name: string, pkg: string, version: string, log: Log): Promise<void> {
  mkdirSync(moduleDir, { recursive: true });
  writeFileSync(path.join(moduleDir, "go.mod"), `module ${name}\n`);
  await runGo(["get", `${pkg}@${version}`], moduleDir, log);
}

interface DownloadedModule {
  Dir: string;
  GoMod: string;
  Time: string;
}

async function downloadModule(mod: string, version: string, cwd: string, log: Log): Promise<DownloadedModule> {
  mkdirSync(cwd, { recursive: true });
  const json = await runGo(["mod", "download", "-json", `${mod}@${version}`], cwd, () => {});
  const info = JSON.parse(json) as Partial<DownloadedModule> & { Error?: string; Info?: string };
  if (info.Error || !info.Dir || !info.GoMod) throw new Error(`go mod download ${mod}@${version}: ${info.Error ?? "no module"}`);
  const time = info.Info ? (JSON.parse(readFileSync(info.Info, "utf8")) as { Time?: string }).Time : undefined;
  log(`downloaded ${mod}@${version}`);
  return { Dir: info.Dir, GoMod: info.GoMod, Time: time ?? "1970-01-01T00:00:00Z" };
}

/** A lock file holding the builder's pid; a lock whose owner died is taken over. */
export async function acquireLock(lockPath: string, log: Log): Promise<() => Promise<void>> {
  let waitingLogged = false;
  for (;;) {
    try {
      const handle = await open(lockPath, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => unlink(lockPath).catch(() => {});
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = Number(await readFile(lockPath, "utf8").catch(() => ""));
    // An empty lock is one being written right now; only a dead owner's lock is stale.
    if (owner && !isAlive(owner)) {
      await unlink(lockPath).catch(() => {});
      continue;
    }
    if (!waitingLogged) log(`waiting for the build already running in process ${owner}`);
    waitingLogged = true;
    await delay(2000);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
