#!/usr/bin/env node
// minicloud ssh ProxyCommand helper: pipes stdin/stdout to a pod's port 22 through the panel
// (`/ws/tunnel`), so `ssh` reaches pods with no route to the cluster network. The panel
// forwards raw bytes; your own SSH key authenticates against the pod's sshd end to end.
//
// Usage (normally written into ssh_config by the panel's download):
//   ProxyCommand node minicloud-ssh-proxy.mjs --url https://panel.example.com --target <workload id>
// The personal API token comes from $MINICLOUD_TOKEN, else from --token-file (default
// ~/.minicloud/token). Refusals print one line on stderr ("minicloud: <reason>") and exit 1.
//
// Plain Node (>= 18), no dependencies: a minimal RFC 6455 client (client frames masked,
// fragmented and control frames handled, ping answered) with backpressure both ways.
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { homedir } from "node:os";
import path from "node:path";

const WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

function die(message) {
  process.stderr.write(`minicloud: ${message}\n`);
  process.exit(1);
}

function parseArgs(argv) {
  const args = { url: process.env.MINICLOUD_URL, target: undefined, tokenFile: path.join(homedir(), ".minicloud", "token") };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) die(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === "--url") args.url = value();
    else if (arg === "--target") args.target = value();
    else if (arg === "--token-file") args.tokenFile = value();
    else if (arg === "-h" || arg === "--help") {
      process.stdout.write("usage: minicloud-ssh-proxy --url <panel URL> --target <workload id | org/team/pod> [--token-file <path>]\n");
      process.exit(0);
    } else die(`unknown argument ${arg}`);
  }
  if (!args.url) die("no panel URL: pass --url https://<panel>");
  if (!args.target) die("no target: pass --target <workload id | org/team/pod>");
  return args;
}

function readToken(tokenFile) {
  const fromEnv = process.env.MINICLOUD_TOKEN?.trim();
  if (fromEnv) return fromEnv;
  try {
    const token = readFileSync(tokenFile.replace(/^~(?=$|\/)/, homedir()), "utf8").trim();
    if (token) return token;
  } catch {
    // fall through to the message below
  }
  die(`no API token: set MINICLOUD_TOKEN or put a personal API token in ${tokenFile}`);
}

/** One client frame: FIN set, masked as RFC 6455 requires of clients. */
function encodeFrame(opcode, payload) {
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + 4 + length);
  frame[0] = 0x80 | opcode;
  if (length < 126) frame[1] = 0x80 | length;
  else if (length < 65536) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  const mask = randomBytes(4);
  mask.copy(frame, headerLength);
  const offset = headerLength + 4;
  for (let i = 0; i < length; i++) frame[offset + i] = payload[i] ^ mask[i & 3];
  return frame;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const token = readToken(args.tokenFile);
  let base;
  try {
    base = new URL(args.url);
  } catch {
    die(`not a URL: ${args.url}`);
  }
  const secure = base.protocol === "https:" || base.protocol === "wss:";
  const key = randomBytes(16).toString("base64");
  const request = (secure ? https : http).request({
    host: base.hostname,
    port: base.port || (secure ? 443 : 80),
    path: `${base.pathname.replace(/\/$/, "")}/ws/tunnel?target=${encodeURIComponent(args.target)}`,
    headers: {
      Connection: "Upgrade",
      Upgrade: "websocket",
      "Sec-WebSocket-Version": "13",
      "Sec-WebSocket-Key": key,
      Authorization: `Bearer ${token}`,
      "User-Agent": "minicloud-ssh-proxy",
    },
  });
  request.on("error", (error) => die(`cannot reach ${base.origin}: ${error.message}`));
  request.on("response", (res) => {
    const reason = res.headers["x-minicloud-error"];
    die(typeof reason === "string" && reason ? reason : `the panel refused the tunnel (HTTP ${res.statusCode})`);
  });
  request.on("upgrade", (res, socket, head) => {
    const expected = createHash("sha1").update(key + WS_GUID).digest("base64");
    if (res.headers["sec-websocket-accept"] !== expected) die("the panel's websocket handshake was invalid");
    pipe(socket, head);
  });
  request.end();
}

function pipe(socket, head) {
  socket.setNoDelay(true);
  let buffer = head.length > 0 ? Buffer.from(head) : Buffer.alloc(0);
  let closing = false;

  const send = (opcode, payload) => socket.write(encodeFrame(opcode, payload));
  const finish = (code) => {
    process.stdin.pause();
    process.stdout.write("", () => process.exit(code));
  };

  // stdin → panel, pausing stdin while the socket's buffer is full.
  process.stdin.on("data", (chunk) => {
    if (!send(0x2, chunk)) {
      process.stdin.pause();
      socket.once("drain", () => process.stdin.resume());
    }
  });
  process.stdin.on("end", () => {
    closing = true;
    const body = Buffer.alloc(2);
    body.writeUInt16BE(1000, 0);
    send(0x8, body);
    socket.end();
  });

  // panel → stdout, pausing the socket while stdout is full.
  const deliver = (payload) => {
    if (payload.length > 0 && !process.stdout.write(payload)) {
      socket.pause();
      process.stdout.once("drain", () => socket.resume());
    }
  };

  const parse = () => {
    while (buffer.length >= 2) {
      const opcode = buffer[0] & 0x0f;
      const masked = (buffer[1] & 0x80) !== 0;
      let length = buffer[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffer.length < 4) return;
        length = buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffer.length < 10) return;
        length = Number(buffer.readBigUInt64BE(2));
        offset = 10;
      }
      const maskOffset = offset;
      if (masked) offset += 4;
      if (buffer.length < offset + length) return;
      let payload = buffer.subarray(offset, offset + length);
      if (masked) {
        const mask = buffer.subarray(maskOffset, maskOffset + 4);
        payload = Buffer.from(payload.map((byte, i) => byte ^ mask[i & 3]));
      }
      buffer = buffer.subarray(offset + length);
      if (opcode === 0x0 || opcode === 0x1 || opcode === 0x2) deliver(payload);
      else if (opcode === 0x9) send(0xa, payload);
      else if (opcode === 0x8) {
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        const reason = payload.subarray(2).toString("utf8");
        if (!closing) send(0x8, payload.subarray(0, 2));
        socket.end();
        // "<reason>: <message>" from the panel; a normal end of the ssh connection needs no words.
        const quiet = code === 1000 && /^(exited|client-closed)\b/.test(reason);
        if (!quiet && reason) process.stderr.write(`minicloud: ${reason.replace(/^[a-z-]+: /, "")}\n`);
        return finish(code === 1000 ? 0 : 1);
      }
    }
  };

  socket.on("data", (chunk) => {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    parse();
  });
  socket.on("error", (error) => {
    process.stderr.write(`minicloud: connection to the panel failed: ${error.message}\n`);
    finish(1);
  });
  socket.on("close", () => finish(0));
  if (buffer.length > 0) parse();
}

main();
