// A QEMU Machine Protocol client over QEMU's unix socket: commands in, answers and events out.
import { EventEmitter } from "node:events";
import { connect, type Socket } from "node:net";

export interface QmpEvent {
  event: string;
  data?: Record<string, unknown>;
}

/** One QMP connection; `execute` serialises nothing (QMP answers in order), `events` emits every event. */
export class QmpClient {
  readonly events = new EventEmitter();
  private readonly pending: { resolve: (value: unknown) => void; reject: (error: Error) => void; command: string }[] = [];
  private buffer = "";
  private closed = false;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => this.onData(chunk));
    socket.on("close", () => this.onClose());
    socket.on("error", () => undefined); // followed by close
  }

  /** Connects, reads the greeting and leaves capabilities negotiation mode. */
  static async connect(path: string): Promise<QmpClient> {
    const socket = connect(path);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const client = new QmpClient(socket);
    const greeting = new Promise<void>((resolve, reject) => {
      client.pending.push({ resolve: () => resolve(), reject, command: "(greeting)" });
    });
    await greeting;
    await client.execute("qmp_capabilities");
    return client;
  }

  /** Runs a command and resolves with its `return` value; a QMP error rejects with QEMU's description. */
  execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    if (this.closed) return Promise.reject(new Error(`QMP ${command}: QEMU is gone`));
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ resolve: resolve as (value: unknown) => void, reject, command });
      this.socket.write(JSON.stringify(args ? { execute: command, arguments: args } : { execute: command }) + "\n");
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    for (let newline = this.buffer.indexOf("\n"); newline >= 0; newline = this.buffer.indexOf("\n")) {
      const line = this.buffer.slice(0, newline).trim();
      this.buffer = this.buffer.slice(newline + 1);
      if (line) this.onMessage(JSON.parse(line) as Record<string, unknown>);
    }
  }

  private onMessage(message: Record<string, unknown>): void {
    if ("event" in message) {
      this.events.emit("event", message as unknown as QmpEvent);
      return;
    }
    const waiter = this.pending.shift();
    if (!waiter) return;
    if ("QMP" in message) waiter.resolve(undefined);
    else if ("error" in message) {
      const error = message.error as { class?: string; desc?: string };
      waiter.reject(new Error(`QMP ${waiter.command}: ${error.desc ?? error.class ?? "error"}`));
    } else waiter.resolve(message.return);
  }

  private onClose(): void {
    this.closed = true;
    for (const waiter of this.pending.splice(0)) waiter.reject(new Error(`QMP ${waiter.command}: QEMU closed the connection`));
    this.events.emit("close");
  }
}
