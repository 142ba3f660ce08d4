// The list+watch loop against a scripted fake API: resume after normal closes, exactly one
// relist per 410 Gone (reporting only the diff), growing and capped backoff on errors, and no
// tight loop when the server misbehaves.
import type { V1Pod } from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Backoff } from "@/lib/kube/backoff";
import { Reflector, type ListResult, type ListWatch, type StoreChange, type WatchHandle } from "@/lib/kube/reflector";

const pod = (name: string, rv: string): V1Pod => ({ metadata: { name, namespace: "ns", uid: `uid-${name}`, resourceVersion: rv } });

/** One watch the reflector opened: the test sends events into it and ends it. */
interface FakeWatch {
  resourceVersion: string;
  openedAt: number;
  aborted: boolean;
  send(type: string, object: unknown): void;
  close(error?: unknown): void;
}

/** A fake API: lists answer from a script (or an error), watches are handed to the test. */
class FakeApi implements ListWatch<V1Pod> {
  listCalls = 0;
  watches: FakeWatch[] = [];
  onWatch?: (watch: FakeWatch) => void;

  constructor(public nextList: () => ListResult<V1Pod> | Error) {}

  async list(): Promise<ListResult<V1Pod>> {
    this.listCalls += 1;
    const result = this.nextList();
    if (result instanceof Error) throw result;
    return { items: [...result.items], resourceVersion: result.resourceVersion };
  }

  async watch(resourceVersion: string, onEvent: (type: string, object: unknown) => void, onClose: (error: unknown) => void): Promise<WatchHandle> {
    const watch: FakeWatch = {
      resourceVersion,
      openedAt: Date.now(),
      aborted: false,
      send: (type, object) => onEvent(type, object),
      close: (error) => onClose(error ?? null),
    };
    this.watches.push(watch);
    queueMicrotask(() => this.onWatch?.(watch));
    return { abort: () => void (watch.aborted = true) };
  }

  get lastWatch(): FakeWatch {
    return this.watches.at(-1)!;
  }
}

const httpError = (statusCode: number) => Object.assign(new Error(`HTTP ${statusCode}`), { statusCode });
const noJitter = () => new Backoff({ random: () => 0.5 });

function startReflector(api: FakeApi, options: { backoff?: Backoff } = {}) {
  const changes: StoreChange<V1Pod>[] = [];
  const reflector = new Reflector<V1Pod>({ listWatch: api, onChange: (change) => changes.push(change), backoff: options.backoff ?? noJitter() });
  reflector.start();
  return { reflector, changes, news: () => changes.filter((c) => !c.initial).map((c) => `${c.type} ${c.object.metadata?.name}@${c.object.metadata?.resourceVersion}`) };
}

describe("Reflector", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("lists, then applies watch events, dropping duplicates and ignoring unknown deletions", async () => {
    const api = new FakeApi(() => ({ items: [pod("a", "1")], resourceVersion: "10" }));
    const { reflector, news } = startReflector(api);
    await reflector.whenSynced();
    await vi.advanceTimersByTimeAsync(0);
    expect(api.lastWatch.resourceVersion).toBe("10");
    api.lastWatch.send("ADDED", pod("b", "11"));
    api.lastWatch.send("MODIFIED", pod("a", "12"));
    api.lastWatch.send("MODIFIED", pod("a", "12"));
    api.lastWatch.send("DELETED", pod("b", "13"));
    api.lastWatch.send("DELETED", pod("zzz", "14"));
    expect(news()).toEqual(["ADDED b@11", "MODIFIED a@12", "DELETED b@13"]);
    expect(reflector.stats()).toMatchObject({ objects: 1, lists: 1, relists: 0, synced: true });
    reflector.stop();
  });

  it("after a normal close, watches again from the last resourceVersion (bookmarks included) without relisting", async () => {
    const api = new FakeApi(() => ({ items: [], resourceVersion: "10" }));
    const { reflector, news } = startReflector(api);
    await vi.advanceTimersByTimeAsync(0);
    api.lastWatch.send("ADDED", pod("a", "11"));
    api.lastWatch.send("BOOKMARK", { metadata: { resourceVersion: "15" } });
    await vi.advanceTimersByTimeAsync(5_000);
    api.lastWatch.close();
    await vi.advanceTimersByTimeAsync(0);
    expect(api.watches).toHaveLength(2);
    expect(api.lastWatch.resourceVersion).toBe("15");
    expect(api.listCalls).toBe(1);
    expect(news()).toEqual(["ADDED a@11"]);
    expect(reflector.stats()).toMatchObject({ watches: 2, watchRestarts: 1, relists: 0 });
    reflector.stop();
  });

  it("on a 410 ERROR event relists exactly once, reports only the diff, and watches from the new list", async () => {
    let list = 0;
    const api = new FakeApi(() =>
      ++list === 1
        ? { items: [pod("a", "1"), pod("b", "1"), pod("c", "1")], resourceVersion: "10" }
        : { items: [pod("a", "1"), pod("b", "7"), pod("d", "8")], resourceVersion: "20" },
    );
    const { reflector, news } = startReflector(api);
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(5_000);
    api.lastWatch.send("ERROR", { kind: "Status", code: 410, reason: "Expired", message: "too old resource version: 10 (15)" });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(api.listCalls).toBe(2);
    expect(api.watches).toHaveLength(2);
    expect(api.watches[0]!.aborted).toBe(true);
    expect(api.lastWatch.resourceVersion).toBe("20");
    expect(news().sort()).toEqual(["ADDED d@8", "DELETED c@1", "MODIFIED b@7"]);
    expect(reflector.stats()).toMatchObject({ objects: 3, lists: 2, relists: 1 });
    reflector.stop();
  });

  it("treats an HTTP 410 on connect the same way: one relist, then a watch", async () => {
    const api = new FakeApi(() => ({ items: [pod("a", "1")], resourceVersion: "10" }));
    let first = true;
    api.onWatch = (watch) => {
      if (first) watch.close(httpError(410));
      first = false;
    };
    const { reflector, news } = startReflector(api);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(api.listCalls).toBe(2);
    expect(api.watches).toHaveLength(2);
    expect(reflector.stats().relists).toBe(1);
    expect(news()).toEqual([]); // nothing changed, so nothing is reported
    reflector.stop();
  });

  it("backs off on errors: the delay doubles from 0.5 s and stays capped at 30 s", async () => {
    const api = new FakeApi(() => ({ items: [], resourceVersion: "10" }));
    api.onWatch = (watch) => watch.close(httpError(500));
    const { reflector } = startReflector(api);
    await vi.advanceTimersByTimeAsync(200_000);
    const gaps = api.watches.slice(1).map((w, i) => w.openedAt - api.watches[i]!.openedAt);
    expect(gaps.slice(0, 9)).toEqual([500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    expect(api.listCalls).toBe(1); // a failed watch resumes; it does not relist
    expect(reflector.stats().errors).toBe(api.watches.length);
    reflector.stop();
  });

  it("jitters delays within ±20 % and never beyond the cap", () => {
    const low = new Backoff({ random: () => 0 });
    const high = new Backoff({ random: () => 0.999999 });
    expect(low.next()).toBe(400);
    expect(high.next()).toBe(600);
    for (let i = 0; i < 20; i++) expect(high.next()).toBeLessThanOrEqual(30_000);
  });

  it("retries a failing list (429 right after CRDs appear) with backoff until it succeeds", async () => {
    let attempts = 0;
    const api = new FakeApi(() => (++attempts < 4 ? httpError(429) : { items: [pod("a", "1")], resourceVersion: "10" }));
    const { reflector } = startReflector(api);
    expect(reflector.hasSynced).toBe(false);
    await vi.advanceTimersByTimeAsync(499);
    expect(api.listCalls).toBe(1);
    await vi.advanceTimersByTimeAsync(1 + 1_000 + 2_000);
    expect(api.listCalls).toBe(4);
    expect(reflector.hasSynced).toBe(true);
    expect(reflector.lastError).toBeUndefined();
    reflector.stop();
  });

  it("does not flood a server that ends every watch at once or answers every watch with 410", async () => {
    const closing = new FakeApi(() => ({ items: [], resourceVersion: "1" }));
    closing.onWatch = (watch) => watch.close();
    const gone = new FakeApi(() => ({ items: [], resourceVersion: "1" }));
    gone.onWatch = (watch) => watch.send("ERROR", { code: 410, message: "too old" });
    const a = startReflector(closing);
    const b = startReflector(gone);
    await vi.advanceTimersByTimeAsync(60_000);
    // Without backoff these would be thousands; with it, 0.5+1+2+4+8+16+30 s spans a minute.
    expect(closing.watches.length).toBeLessThanOrEqual(8);
    expect(gone.listCalls).toBeLessThanOrEqual(9);
    expect(gone.watches.length).toBeLessThanOrEqual(8);
    a.reflector.stop();
    b.reflector.stop();
  });

  it("resets the backoff after a watch stayed healthy for a minute", async () => {
    const api = new FakeApi(() => ({ items: [], resourceVersion: "1" }));
    let failFast = 4;
    api.onWatch = (watch) => {
      if (failFast-- > 0) watch.close(httpError(500));
      else setTimeout(() => watch.close(httpError(500)), 61_000);
    };
    const { reflector } = startReflector(api);
    await vi.advanceTimersByTimeAsync(500 + 1_000 + 2_000 + 4_000 + 61_000 + 1);
    expect(api.watches).toHaveLength(5);
    const healthyEnd = Date.now();
    await vi.advanceTimersByTimeAsync(600);
    expect(api.watches).toHaveLength(6);
    expect(api.lastWatch.openedAt - healthyEnd).toBeLessThanOrEqual(500);
    reflector.stop();
  });

  it("stop() closes the open watch and nothing runs afterwards", async () => {
    const api = new FakeApi(() => ({ items: [], resourceVersion: "1" }));
    const { reflector } = startReflector(api);
    await vi.advanceTimersByTimeAsync(0);
    reflector.stop();
    expect(api.lastWatch.aborted).toBe(true);
    api.lastWatch.close(httpError(500));
    await vi.advanceTimersByTimeAsync(120_000);
    expect(api.watches).toHaveLength(1);
    expect(api.listCalls).toBe(1);
  });
});
