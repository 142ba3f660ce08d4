// The ssh bridge's adaptive receive window against the real ssh2 this build ships and the
// harness's OpenSSH server: the ssh2 internals it relies on are there (a dependency update that
// removed them would fail here), bulk output through a PTY widens the window, and every byte arrives.
import { appendFileSync } from "node:fs";
import { connect } from "node:net";
import ssh2, { type ClientChannel } from "ssh2";
import { expect, inject, test } from "vitest";
import { generateEd25519KeyPair } from "@/lib/ssh-keys/openssh-format";
import { adaptiveReceiveWindow, DEFAULT_WINDOW, WindowBudget } from "@/lib/console/bridges/ssh/ssh-window";

const BYTES = 48 * 1024 * 1024;

test("bulk output over ssh widens the window, and all of it arrives", async () => {
  const { sshd } = inject("cluster");
  // The panel's own key generator: ssh2's makes an unreadable ed25519 key about once in 256.
  const { publicKey, privateKey } = generateEd25519KeyPair("ssh-window-test");
  const keys = { public: publicKey, private: privateKey };
  appendFileSync(sshd.authorizedKeysPath, `${keys.public}\n`);
  const client = new ssh2.Client();
  await new Promise<void>((resolve, reject) => {
    client.once("ready", () => resolve());
    client.once("error", reject);
    client.connect({ sock: connect({ host: "127.0.0.1", port: sshd.port }), username: sshd.user, privateKey: keys.private, readyTimeout: 20_000 });
  });
  try {
    const channel = await new Promise<ClientChannel>((resolve, reject) =>
      client.exec(`head -c ${BYTES} /dev/zero`, { pty: { term: "xterm-256color", cols: 80, rows: 24, width: 0, height: 0 } }, (error, ch) => (error ? reject(error) : resolve(ch))),
    );
    const budget = new WindowBudget(64 * 1024 * 1024);
    const window = adaptiveReceiveWindow(client, channel, { budget });
    let received = 0;
    let largest = window.size;
    await new Promise<void>((resolve) => {
      channel.on("data", (chunk: Buffer) => {
        received += chunk.length;
        window.received(chunk.length);
        largest = Math.max(largest, window.size);
      });
      channel.on("close", () => resolve());
    });
    window.close();
    expect(received).toBe(BYTES);
    expect(largest).toBeGreaterThan(DEFAULT_WINDOW);
    expect(budget.remaining).toBe(64 * 1024 * 1024);
  } finally {
    client.end();
  }
});
