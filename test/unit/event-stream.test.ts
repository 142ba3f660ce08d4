// The SSE response's own rules, over a stand-in hub: 401 when signed out, the retry hint
// first, heartbeats, a bounded queue that turns into one `resync` for a reader that does not
// keep up, and unsubscribing when the request is aborted.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Principal } from "@/lib/auth/policy";
import { createEventStream } from "@/lib/live/event-stream";
import type { LiveHub, LiveSubscriber } from "@/lib/live/hub";

/** Bytes to text, typed for the DOM lib's stricter stream generics. */
const textDecoder = () => new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>;


const principal: Principal = { userId: "u", isPlatformAdmin: false, orgRoles: {}, teamRoles: {} };

/** Just enough of a hub: remembers subscribers. */
function fakeHub() {
  const subscribers = new Set<LiveSubscriber>();
  const hub = {
    subscribe(subscriber: LiveSubscriber) {
      subscribers.add(subscriber);
      return () => void subscribers.delete(subscriber);
    },
  } as unknown as LiveHub;
  return { hub, subscribers };
}

async function readAll(body: ReadableStream<Uint8Array>): Promise<string> {
  let text = "";
  const reader = body.pipeThrough(textDecoder()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return text;
    text += value;
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe("event stream", () => {
  it("answers 401 without a session and subscribes nothing", async () => {
    const { hub, subscribers } = fakeHub();
    const response = await createEventStream(async () => hub, async () => null)(new Request("http://127.0.0.1/api/events"));
    expect(response.status).toBe(401);
    expect(subscribers.size).toBe(0);
  });

  it("starts with a retry hint, sends heartbeats, and unsubscribes on abort", async () => {
    vi.useFakeTimers();
    const { hub, subscribers } = fakeHub();
    const abort = new AbortController();
    const handle = createEventStream(async () => hub, async () => ({ principal, refresh: async () => principal }), { heartbeatMs: 15_000, retryMs: 2_500 });
    const response = await handle(new Request("http://127.0.0.1/api/events", { signal: abort.signal }));
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(subscribers.size).toBe(1);
    await vi.advanceTimersByTimeAsync(30_000);
    [...subscribers][0]!.send({ type: "pods-changed", teamId: "t" });
    abort.abort();
    expect(subscribers.size).toBe(0);
    expect(await readAll(response.body!)).toBe('retry: 2500\n: connected\n\n: heartbeat\n\n: heartbeat\n\ndata: {"type":"pods-changed","teamId":"t"}\n\n');
  });

  it("bounds what a slow reader can pile up: the backlog becomes one resync", async () => {
    const { hub, subscribers } = fakeHub();
    const abort = new AbortController();
    const handle = createEventStream(async () => hub, async () => ({ principal, refresh: async () => principal }), { maxQueue: 10 });
    const response = await handle(new Request("http://127.0.0.1/api/events", { signal: abort.signal }));
    const subscriber = [...subscribers][0]!;
    for (let i = 0; i < 10_000; i++) subscriber.send({ type: "pods-changed", teamId: `t${i}` });
    subscriber.send({ type: "pods-changed", teamId: "last" });
    const reader = response.body!.pipeThrough(textDecoder()).getReader();
    let text = "";
    while (!text.includes('"last"')) text += (await reader.read()).value;
    abort.abort();
    const frames = text.split("\n\n").filter((f) => f.startsWith("data: "));
    // A few frames were already in the stream's own small buffer, then one resync, then what came after.
    expect(frames.length).toBeLessThanOrEqual(8 + 10);
    expect(frames.filter((f) => f.includes('"resync"'))).toHaveLength(1);
    expect(frames.at(-1)).toBe('data: {"type":"pods-changed","teamId":"last"}');
  });

  it("the hub closing the stream (session revoked) ends it", async () => {
    const { hub, subscribers } = fakeHub();
    const response = await createEventStream(async () => hub, async () => ({ principal, refresh: async () => null }))(new Request("http://127.0.0.1/api/events"));
    const subscriber = [...subscribers][0]!;
    subscriber.close();
    expect(subscribers.size).toBe(0);
    expect(await readAll(response.body!)).toMatch(/^retry: /);
  });
});
