// A throwaway PostgreSQL server on 127.0.0.1 for the integration suite: Debian's binaries,
// a data directory in a fresh temp dir, durability off (fsync=off), removed on stop.
// PostgreSQL refuses to run as root, so as root it runs as the `postgres` system user.

import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";

/** A running server and how to stop it. */
export interface PostgresServer {
  /** Superuser URL of the `postgres` database. */
  url: string;
  /**
   * Stops the server at once (immediate shutdown: every connection drops), runs `whileDown`,
   * and starts it again on the same port and data; resolves once it answers.
   */
  restart(whileDown?: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

function findBinDir(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(path.join(root, v, "bin", "postgres")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error("PostgreSQL binaries not found under /usr/lib/postgresql; run scripts/ensure-system-packages.sh");
  }
  return path.join(root, versions[0]!, "bin");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

// As root: the command runs as the postgres user (setpriv execs, so signals reach postgres itself).
function asServerUser(command: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [command, args];
  return ["setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", command, ...args]];
}

class ServerExited extends Error {}

// Ready when *our* server answers: another run may have taken the port between freePort()
// and postgres binding it, so the data directory must be the one we created.
async function waitUntilReady(url: string, dataDir: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new ServerExited(`postgres exited with code ${child.exitCode}:\n${log()}`);
    const client = new pg.Client({ connectionString: url });
    client.on("error", () => {});
    try {
      await client.connect();
      const { rows } = await client.query<{ dir: string }>("select current_setting('data_directory') as dir");
      if (rows[0]?.dir === dataDir) return;
      throw new Error(`port taken by another server (${rows[0]?.dir})`);
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`postgres did not become ready: ${String(error)}\n${log()}`);
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await client.end().catch(() => {});
    }
  }
}

/** Starts a fresh server; everything it created is removed by stop() — or at process exit if stop() never ran. */
export async function startPostgresServer(options: { durable?: boolean } = {}): Promise<PostgresServer> {
  const bin = findBinDir();
  const dir = mkdtempSync(path.join(tmpdir(), "minicloud-pg-"));
  const dataDir = path.join(dir, "data");
  let child: ChildProcess | undefined;
  const cleanUpNow = () => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", cleanUpNow);
  try {
    if (process.getuid?.() === 0) {
      const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
      const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
      chownSync(dir, uid, gid);
    }
    const [initdb, initdbArgs] = asServerUser(path.join(bin, "initdb"), [
      "-D", dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync",
    ]);
    execFileSync(initdb, initdbArgs, { stdio: "pipe" });
    let url = "";
    let port = 0;
    const launch = async (onPort: number) => {
      const [postgres, postgresArgs] = asServerUser(path.join(bin, "postgres"), [
        "-D", dataDir,
        "-h", "127.0.0.1",
        "-p", String(onPort),
        "-k", dir,
        "-c", "fsync=off",
        // A commit is acknowledged before its WAL is written: fast, but a crash of the server
        // loses the last commits. Fault tests that crash it need what production has.
        "-c", `synchronous_commit=${options.durable ? "on" : "off"}`,
        "-c", "full_page_writes=off",
        "-c", "max_connections=200",
      ]);
      const started = spawn(postgres, postgresArgs, { stdio: ["ignore", "pipe", "pipe"] });
      child = started;
      let output = "";
      started.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
      started.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
      url = `postgres://postgres@127.0.0.1:${onPort}/postgres`;
      await waitUntilReady(url, dataDir, started, () => output);
    };
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        await launch(port);
        break;
      } catch (error) {
        // Lost the port to another process: try another one.
        if (!(error instanceof ServerExited) || attempt >= 3) throw error;
      }
    }
    const halt = async (signal: NodeJS.Signals) => {
      const running = child!;
      if (running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()));
      running.kill(signal);
      const timer = setTimeout(() => running.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    };
    return {
      url,
      async restart(whileDown) {
        await halt("SIGQUIT"); // immediate shutdown, as a crash would end the connections
        await whileDown?.();
        await launch(port);
      },
      async stop() {
        await halt("SIGINT"); // fast shutdown
        rmSync(dir, { recursive: true, force: true });
        process.removeListener("exit", cleanUpNow);
      },
    };
  } catch (error) {
    cleanUpNow();
    process.removeListener("exit", cleanUpNow);
    throw error;
  }
}
