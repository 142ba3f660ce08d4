// Clients for the tests of the real guests behind the KubeVirt stand-in, all through the kube-apiserver
// with the admin client certificate: plain HTTPS calls, `plain.kubevirt.io` websockets (console, vnc,
// portforward), a minimal RFB (VNC) client and a serial console reader.
import { request as httpsRequest, type RequestOptions } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import WebSocket from "ws";

export interface ApiResponse {
  status: number;
  body: Buffer;
  json<T = any>(): T;
}

export function send(url: URL, options: RequestOptions, body?: string | Buffer): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const bytes = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, body: bytes, json: () => JSON.parse(bytes.toString("utf8")) });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** One request to the apiserver as the admin. */
export async function apiRequest(kc: KubeConfig, method: string, path: string, body?: unknown): Promise<ApiResponse> {
  const options: RequestOptions = { method, headers: { Accept: "application/json", "Content-Type": "application/json" } };
  await kc.applyToHTTPSOptions(options);
  return send(new URL(kc.getCurrentCluster()!.server + path), options, body === undefined ? undefined : JSON.stringify(body));
}

export const vmiPath = (namespace: string, name: string, sub: string) =>
  `/apis/subresources.kubevirt.io/v1/namespaces/${namespace}/virtualmachineinstances/${name}/${sub}`;

/** Opens a VMI stream websocket (`console`, `vnc`, `portforward/22`) and resolves once it is open. */
export async function openStream(kc: KubeConfig, namespace: string, name: string, sub: string): Promise<WebSocket> {
  const options: WebSocket.ClientOptions = {};
  await kc.applyToHTTPSOptions(options);
  const server = kc.getCurrentCluster()!.server.replace(/^https/, "wss");
  const ws = new WebSocket(`${server}${vmiPath(namespace, name, sub)}`, ["plain.kubevirt.io"], options);
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("unexpected-response", (_req, res) => reject(new Error(`${sub}: HTTP ${res.statusCode}`)));
    ws.once("error", reject);
  });
  return ws;
}

/** Bounded wait: resolves when `check` holds (re-checked on `subscribe`'s notifications), or fails saying what was awaited. */
function waitUntil(check: () => boolean, subscribe: (notify: () => void) => () => void, timeoutMs: number, what: () => string): Promise<void> {
  if (check()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`));
    }, timeoutMs);
    const unsubscribe = subscribe(() => {
      if (!check()) return;
      clearTimeout(timer);
      unsubscribe();
      resolve();
    });
  });
}

/** A serial console session: everything received so far, and waits for patterns in it. */
export class ConsoleSession {
  output = "";
  textFrames = 0;
  closed: { code: number; reason: string } | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(readonly ws: WebSocket) {
    ws.on("message", (data, isBinary) => {
      if (!isBinary) this.textFrames++;
      this.output += Buffer.from(data as Buffer).toString("latin1");
      for (const listener of this.listeners) listener();
    });
    ws.on("close", (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      for (const listener of this.listeners) listener();
    });
  }

  /** Waits until the output after `from` matches `pattern`; returns the output from `from` on. */
  async expect(pattern: RegExp, what: string, timeoutMs = 20_000, from = 0): Promise<string> {
    const tail = () => this.output.slice(from);
    await waitUntil(() => pattern.test(tail()), (notify) => this.subscribe(notify), timeoutMs, () => `${what} (got ${JSON.stringify(tail().slice(-600))})`);
    return tail();
  }

  waitClosed(timeoutMs = 10_000): Promise<void> {
    return waitUntil(() => this.closed !== undefined, (notify) => this.subscribe(notify), timeoutMs, () => "the console to be closed");
  }

  type(text: string): void {
    this.ws.send(Buffer.from(text));
  }

  private subscribe(notify: () => void): () => void {
    this.listeners.add(notify);
    return () => this.listeners.delete(notify);
  }
}

/** A minimal RFB 3.8 client (security None, raw encoding, 32-bit true colour) over a websocket. */
export class RfbClient {
  width = 0;
  height = 0;
  name = "";
  framebuffer = Buffer.alloc(0);
  private buffered = Buffer.alloc(0);
  private readonly listeners = new Set<() => void>();

  constructor(private readonly ws: WebSocket) {
    ws.on("message", (data) => {
      this.buffered = Buffer.concat([this.buffered, Buffer.from(data as Buffer)]);
      for (const listener of this.listeners) listener();
    });
  }

  private async read(n: number, timeoutMs = 15_000): Promise<Buffer> {
    await waitUntil(
      () => this.buffered.length >= n,
      (notify) => (this.listeners.add(notify), () => this.listeners.delete(notify)),
      timeoutMs,
      () => `${n} bytes of RFB (have ${this.buffered.length})`,
    );
    const bytes = this.buffered.subarray(0, n);
    this.buffered = this.buffered.subarray(n);
    return bytes;
  }

  /** Version, security (None), ClientInit (shared), ServerInit; then pixel format and encodings. */
  async handshake(): Promise<string> {
    const version = (await this.read(12)).toString("latin1");
    this.ws.send(Buffer.from("RFB 003.008\n"));
    const count = (await this.read(1))[0]!;
    if (count === 0) throw new Error("the VNC server refused the connection");
    const types = [...(await this.read(count))];
    if (!types.includes(1)) throw new Error(`no security type None offered (${types})`);
    this.ws.send(Buffer.from([1]));
    const result = (await this.read(4)).readUInt32BE(0);
    if (result !== 0) throw new Error(`security handshake failed (${result})`);
    this.ws.send(Buffer.from([1]));
    const init = await this.read(24);
    this.width = init.readUInt16BE(0);
    this.height = init.readUInt16BE(2);
    this.name = (await this.read(init.readUInt32BE(20))).toString("utf8");
    // SetPixelFormat: 32 bpp, depth 24, little endian, true colour, 8 bits per channel.
    const format = Buffer.from([0, 0, 0, 0, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0]);
    const encodings = Buffer.alloc(8);
    encodings.writeUInt8(2, 0);
    encodings.writeUInt16BE(1, 2);
    encodings.writeInt32BE(0, 4); // Raw only
    this.ws.send(format);
    this.ws.send(encodings);
    this.framebuffer = Buffer.alloc(this.width * this.height * 4);
    return version.trim();
  }

  /** Asks for the whole screen and applies one FramebufferUpdate (raw rectangles). */
  async refresh(): Promise<Buffer> {
    const request = Buffer.alloc(10);
    request.writeUInt8(3, 0);
    request.writeUInt8(0, 1); // not incremental
    request.writeUInt16BE(this.width, 6);
    request.writeUInt16BE(this.height, 8);
    this.ws.send(request);
    for (;;) {
      const type = (await this.read(1))[0];
      if (type === 2) continue; // Bell
      if (type === 3) {
        const length = (await this.read(7)).readUInt32BE(3);
        await this.read(length); // ServerCutText
        continue;
      }
      if (type !== 0) throw new Error(`unexpected RFB message ${type}`);
      const rects = (await this.read(3)).readUInt16BE(1);
      for (let i = 0; i < rects; i++) {
        const header = await this.read(12);
        const [x, y, w, h] = [0, 2, 4, 6].map((at) => header.readUInt16BE(at)) as [number, number, number, number];
        const encoding = header.readInt32BE(8);
        if (encoding !== 0) throw new Error(`unexpected encoding ${encoding}`);
        const pixels = await this.read(w * h * 4);
        for (let row = 0; row < h; row++) pixels.copy(this.framebuffer, ((y + row) * this.width + x) * 4, row * w * 4, (row + 1) * w * 4);
      }
      return Buffer.from(this.framebuffer);
    }
  }

  /** Types `text` as key presses (keysyms = Latin-1 codes; "\r" is Return; capitals with Shift). */
  type(text: string): void {
    const key = (down: boolean, keysym: number) => {
      const event = Buffer.alloc(8);
      event.writeUInt8(4, 0);
      event.writeUInt8(down ? 1 : 0, 1);
      event.writeUInt32BE(keysym, 4);
      this.ws.send(event);
    };
    for (const char of text) {
      const keysym = char === "\r" ? 0xff0d : char.charCodeAt(0);
      const shift = /[A-Z]/.test(char);
      if (shift) key(true, 0xffe1);
      key(true, keysym);
      key(false, keysym);
      if (shift) key(false, 0xffe1);
    }
  }
}

/** How many pixels differ between two frames of the same size. */
export function pixelsChanged(a: Buffer, b: Buffer): number {
  let changed = 0;
  for (let i = 0; i < a.length; i += 4) if (a.readUInt32LE(i) !== b.readUInt32LE(i)) changed++;
  return changed;
}

/** How many distinct colours a frame has (1 = blank). */
export function distinctColours(frame: Buffer): number {
  const colours = new Set<number>();
  for (let i = 0; i < frame.length && colours.size < 16; i += 4) colours.add(frame.readUInt32LE(i) & 0xffffff);
  return colours.size;
}
