// Runs the `go` tool for the binary build: module proxy only, static binaries.
import { spawn } from "node:child_process";
import { chmodSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * The Go fetched when the machine's is too old to fetch one itself: Go 1.21+ switches to the
 * toolchain a module asks for, through the module proxy; Debian 12's golang-go is 1.19.
 */
const BOOTSTRAP_GO = "1.25.4";

/** The first Go that switches toolchains by itself. */
const SELF_SWITCHING = [1, 21] as const;

let goCommand: Promise<{ binary: string; goroot?: string }> | undefined;

/** Parses `go1.19.8` into [1, 19]. */
export function goMinorVersion(version: string): [number, number] | null {
  const match = /^go(\d+)\.(\d+)/.exec(version.trim());
  return match ? [Number(match[1]), Number(match[2])] : null;
}

/**
 * The Go to build with: the one on PATH, or — when it predates toolchain switching — Go
 * BOOTSTRAP_GO fetched as the module golang.org/toolchain through the same proxy (Go 1.21+ does
 * exactly that by itself; older ones can download the module but not mark its programs executable).
 */
function resolveGo(log: (line: string) => void): Promise<{ binary: string; goroot?: string }> {
  goCommand ??= (async () => {
    const version = (await spawnGo("go", ["env", "GOVERSION"], tmpdir(), {}, () => {})).trim();
    const minor = goMinorVersion(version);
    if (!minor || minor[0] > SELF_SWITCHING[0] || (minor[0] === SELF_SWITCHING[0] && minor[1] >= SELF_SWITCHING[1])) return { binary: "go" };
    const arch = { x64: "amd64", arm64: "arm64" }[process.arch as string] ?? process.arch;
    log(`${version} predates toolchain switching: fetching Go ${BOOTSTRAP_GO} through the module proxy`);
    const json = await spawnGo("go", ["mod", "download", "-json", `golang.org/toolchain@v0.0.1-go${BOOTSTRAP_GO}.linux-${arch}`], tmpdir(), {}, () => {});
    const dir = (JSON.parse(json) as { Dir?: string }).Dir;
    if (!dir) throw new Error(`could not fetch Go ${BOOTSTRAP_GO}: ${json.slice(0, 400)}`);
    for (const tools of [path.join(dir, "bin"), path.join(dir, "pkg", "tool", `linux_${arch}`)]) {
      for (const file of readdirSync(tools)) chmodSync(path.join(tools, file), 0o555);
    }
    return { binary: path.join(dir, "bin", "go"), goroot: dir };
  })().catch((error: NodeJS.ErrnoException) => {
    goCommand = undefined;
    if (error.code === "ENOENT") throw new Error("Go is not installed: run scripts/ensure-system-packages.sh (it installs Debian's golang-go)");
    throw error;
  });
  return goCommand;
}

/** Runs `go …` in `cwd`, streaming its output to `log`; rejects with the tail of the output on failure. */
export async function runGo(args: string[], cwd: string, log: (line: string) => void): Promise<string> {
  const go = await resolveGo(log);
  return spawnGo(go.binary, args, cwd, go.goroot ? { GOROOT: go.goroot } : {}, log);
}

function spawnGo(binary: string, args: string[], cwd: string, extraEnv: Record<string, string>, log: (line: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, {
      cwd,
      env: {
        ...process.env,
        ...extraEnv,
        // Static binaries; module zips carry no VCS data to stamp. A `go` older than a
        // module's go line fetches the newer toolchain as a module, through the same proxy.
        CGO_ENABLED: "0",
        GOFLAGS: "-buildvcs=false",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const collect = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      for (const line of text.split("\n")) if (line.trim()) log(line);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(`go ${args.join(" ")} failed (exit ${code}):\n${output.slice(-4000)}`));
    });
  });
}
