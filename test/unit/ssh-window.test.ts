// The ssh bridge's adaptive receive window over a fake ssh2 channel (the three internals it
// uses): bulk output widens it, ordinary output does not, a paused session is granted nothing,
// growth comes out of a shared budget and goes back to it, and without the internals it stays out of the way.
import type { Client, ClientChannel } from "ssh2";
import { describe, expect, it } from "vitest";
import { adaptiveReceiveWindow, DEFAULT_WINDOW, WindowBudget } from "@/lib/console/bridges/ssh/ssh-window";

const MiB = 1024 * 1024;

/** A channel as ssh2 keeps it, and what the window granted. */
function fakeSsh() {
  const grants: number[] = [];
  const channel = { incoming: { window: DEFAULT_WINDOW }, outgoing: { id: 7, state: "open" } };
  const client = { _protocol: { channelWindowAdjust: (id: number, amount: number) => (expect(id).toBe(7), grants.push(amount)) } };
  let clock = 0;
  return {
    client: client as unknown as Client,
    channel: channel as unknown as ClientChannel,
    incoming: channel.incoming,
    outgoing: channel.outgoing,
    grants,
    now: () => clock,
    advance: (ms: number) => void (clock += ms),
    /** The sshd sends `bytes` (ssh2 takes them off the window before the bridge sees them). */
    send(window: { received(bytes: number): void }, bytes: number, chunk = 32 * 1024) {
      for (let sent = 0; sent < bytes; sent += chunk) {
        const n = Math.min(chunk, bytes - sent);
        expect(channel.incoming.window).toBeGreaterThanOrEqual(n); // the sshd never sends beyond the window
        channel.incoming.window -= n;
        window.received(n);
      }
    },
  };
}

describe("adaptive ssh receive window", () => {
  it("doubles for bulk output up to the maximum, and tops the window up as output flows", () => {
    const ssh = fakeSsh();
    const budget = new WindowBudget(100 * MiB);
    const window = adaptiveReceiveWindow(ssh.client, ssh.channel, { max: 16 * MiB, budget, now: ssh.now });
    ssh.send(window, 64 * MiB); // all within the same instant: bulk
    expect(window.size).toBe(16 * MiB);
    expect(budget.remaining).toBe(100 * MiB - 14 * MiB);
    expect(ssh.incoming.window).toBeGreaterThanOrEqual(8 * MiB);
    expect(ssh.grants.reduce((a, b) => a + b, 0)).toBe(64 * MiB + ssh.incoming.window - DEFAULT_WINDOW);
    window.close();
    expect(budget.remaining).toBe(100 * MiB);
  });

  it("does not widen for output that trickles (a window's worth takes longer than a second)", () => {
    const ssh = fakeSsh();
    const window = adaptiveReceiveWindow(ssh.client, ssh.channel, { budget: new WindowBudget(100 * MiB), now: ssh.now });
    for (let i = 0; i < 64; i++) {
      ssh.send(window, 256 * 1024);
      ssh.advance(200); // 1.25 MiB/s
    }
    expect(window.size).toBe(DEFAULT_WINDOW);
    expect(ssh.incoming.window).toBeGreaterThan(DEFAULT_WINDOW / 2);
  });

  it("grants nothing while paused, so a paused session holds at most one window; resuming tops it up", () => {
    const ssh = fakeSsh();
    const window = adaptiveReceiveWindow(ssh.client, ssh.channel, { budget: new WindowBudget(100 * MiB), now: ssh.now });
    ssh.send(window, 8 * MiB);
    const size = window.size;
    window.pause();
    const granted = ssh.grants.length;
    ssh.send(window, ssh.incoming.window); // the sshd uses up what it had
    expect(ssh.incoming.window).toBe(0);
    expect(ssh.grants.length).toBe(granted);
    window.resume();
    expect(ssh.incoming.window).toBe(size);
  });

  it("grows only as far as the shared budget allows, and a closed session's growth goes back", () => {
    const budget = new WindowBudget(6 * MiB);
    const a = fakeSsh();
    const b = fakeSsh();
    const wa = adaptiveReceiveWindow(a.client, a.channel, { budget, now: a.now });
    const wb = adaptiveReceiveWindow(b.client, b.channel, { budget, now: b.now });
    a.send(wa, 64 * MiB);
    expect(wa.size).toBe(DEFAULT_WINDOW + 6 * MiB);
    b.send(wb, 64 * MiB);
    expect(wb.size).toBe(DEFAULT_WINDOW); // nothing left: b keeps ssh2's own window, and still flows
    wa.close();
    expect(budget.remaining).toBe(6 * MiB);
    b.send(wb, 64 * MiB);
    expect(wb.size).toBe(DEFAULT_WINDOW + 6 * MiB);
  });

  it("stops granting once the channel is closing", () => {
    const ssh = fakeSsh();
    const window = adaptiveReceiveWindow(ssh.client, ssh.channel, { budget: new WindowBudget(100 * MiB), now: ssh.now });
    ssh.outgoing.state = "closing";
    ssh.send(window, DEFAULT_WINDOW);
    expect(ssh.grants).toEqual([]);
  });

  it("leaves ssh2's own window in charge when its internals are not there", () => {
    const window = adaptiveReceiveWindow({} as Client, {} as ClientChannel);
    window.received(64 * MiB);
    window.resume();
    expect(window.size).toBe(DEFAULT_WINDOW);
  });
});
