// The VMI serial console stand-in: `GET .../virtualmachineinstances/{name}/console` upgraded to a websocket
// with subprotocol `plain.kubevirt.io` (raw bytes in binary frames, no channel byte), bridged to a fresh
// PTY per connection running a login-like prompt. The PTY comes from util-linux `script`: no native modules.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import { fileURLToPath } from "node:url";
import { WebSocketServer, type WebSocket } from "ws";
import { ApiError, refuseUpgrade } from "./http-replies";
import { orNotFound, type Kube } from "./kube";
import { kubevirtGroup, kubevirtVersion, vmiPlural, type VirtualMachineInstance } from "./kubevirt";

/** The websocket subprotocol of KubeVirt's console and VNC streams. */
export const plainKubevirtProtocol = "plain.kubevirt.io";

const loginScript = fileURLToPath(new URL("./console-login.sh", import.meta.url));

/** Accepts console websockets and owns their PTY processes. */
export class SerialConsoles {
  private readonly wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => (offered.has(plainKubevirtProtocol) ? plainKubevirtProtocol : false),
  });
  private readonly ptys = new Set<ChildProcess>();

  constructor(
    private readonly kube: Kube,
    private readonly scratchDir: string,
    private readonly log: (line: string) => void,
  ) {}

  /** Handles an upgrade request for the console of `namespace/name`. */
  async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, namespace: string, name: string): Promise<void> {
    try {
      const vmi = (await orNotFound(
        this.kube.custom.getNamespacedCustomObject({ group: kubevirtGroup, version: kubevirtVersion, namespace, plural: vmiPlural, name }),
      )) as VirtualMachineInstance | undefined;
      if (!vmi) throw ApiError.notFound(vmiPlural, kubevirtGroup, name);
      if (vmi.status?.phase !== "Running") throw ApiError.conflict("virtualmachineinstance", kubevirtGroup, name, "VMI is not running");
      const cwd = join(this.scratchDir, `${namespace}_${name}`);
      await mkdir(cwd, { recursive: true });
      this.wss.handleUpgrade(req, socket, head, (ws) => this.bridge(ws, cwd, `${namespace}/${name}`, name));
    } catch (error) {
      refuseUpgrade(socket, error);
    }
  }

  /** Kills every console PTY and closes their sockets. */
  stop(): void {
    for (const pty of this.ptys) killGroup(pty);
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
  }

  private bridge(ws: WebSocket, cwd: string, label: string, hostname: string): void {
    // `script` gives the shell a real terminal (echo, line editing, job control); detached so the
    // whole process group can be killed when the socket closes.
    const pty = spawn("script", ["-qfc", `bash ${shellQuote(loginScript)} ${shellQuote(hostname)}`, "/dev/null"], {
      cwd,
      detached: true,
      stdio: ["pipe", "pipe", "ignore"],
      env: consoleEnv(cwd),
    });
    this.ptys.add(pty);
    this.log(`console stand-in: opened ${label} (pid ${pty.pid})`);
    pty.stdout!.on("data", (chunk: Buffer) => {
      if (ws.readyState === ws.OPEN) ws.send(chunk, { binary: true });
    });
    pty.stdin!.on("error", () => undefined); // the shell may exit while bytes are in flight
    ws.on("message", (data: Buffer | ArrayBuffer | Buffer[]) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      pty.stdin!.write(bytes);
    });
    ws.on("close", () => killGroup(pty));
    ws.on("error", () => killGroup(pty));
    pty.on("exit", () => {
      this.ptys.delete(pty);
      this.log(`console stand-in: closed ${label}`);
      if (ws.readyState === ws.OPEN) ws.close(1000, "console session ended");
    });
  }
}

/** A small, fixed environment: the console shell sees none of the harness's variables. */
function consoleEnv(home: string): NodeJS.ProcessEnv {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, SHELL: "/bin/bash", TERM: "xterm-256color", LANG: "C.UTF-8" };
  return env as NodeJS.ProcessEnv; // ProcessEnv is augmented with required keys (NODE_ENV) this child does not need
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // already gone
  }
}

const shellQuote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;
