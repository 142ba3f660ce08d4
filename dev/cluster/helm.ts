// Builds the `helm` command from the Go module proxy, once per pin, for the chart tests
// (deploy/helm/minicloud). The panel itself never runs it.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { acquireLock } from "./binaries";
import { runGo } from "./go";
import { PINS, cacheRoot } from "./pins";

type Log = (line: string) => void;

function helmDir(): string {
  return path.join(cacheRoot(), `helm-${PINS.helm}`);
}

/** Path of the pinned `helm` binary, built first when the cache has none. */
export async function ensureHelm(log: Log = () => {}): Promise<string> {
  const dir = helmDir();
  const binary = path.join(dir, "bin", "helm");
  if (existsSync(binary)) return binary;
  mkdirSync(cacheRoot(), { recursive: true });
  const release = await acquireLock(`${dir}.lock`, log);
  try {
    if (!existsSync(binary)) await buildInto(dir, log);
  } finally {
    await release();
  }
  return binary;
}

async function buildInto(dir: string, log: Log): Promise<void> {
  const started = performance.now();
  const staging = `${dir}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  // helm's module has no replaces, so a wrapper module that requires it is enough.
  writeFileSync(path.join(staging, "go.mod"), "module minicloud.local/build/helm\n");
  log(`compiling helm ${PINS.helm} from the Go module proxy`);
  const pkg = "helm.sh/helm/v4/cmd/helm";
  await runGo(["get", `${pkg}@${PINS.helm}`], staging, log);
  await runGo(["build", "-trimpath", "-ldflags", "-s -w", "-o", path.join(staging, "bin", "helm"), pkg], staging, log);
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  log(`helm built in ${((performance.now() - started) / 1000).toFixed(0)} s → ${dir}`);
}
