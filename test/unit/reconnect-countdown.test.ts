// The automatic reconnects of the browser consoles: each retry counted down second by second,
// 1, 2, 4, 8, then 15 s, until the retries are used up; a reset starts over, a cancel drops a
// pending retry.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ReconnectCountdown, RECONNECT_DELAYS_SECONDS } from "@/components/console/reconnect-countdown";

describe("reconnect countdown", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("counts each retry down aloud, runs it when the count ends, and gives up after the last", () => {
    const heard: string[] = [];
    const countdown = new ReconnectCountdown(({ seconds, attempt }) => heard.push(`${attempt}:${seconds}`));
    let retried = 0;
    for (const [index, delay] of RECONNECT_DELAYS_SECONDS.entries()) {
      heard.length = 0;
      expect(countdown.schedule(() => retried++)).toBe(true);
      expect(countdown.retries).toBe(index + 1);
      vi.advanceTimersByTime(delay * 1000 - 1);
      expect(retried).toBe(index);
      vi.advanceTimersByTime(1);
      expect(retried).toBe(index + 1);
      expect(heard).toEqual(Array.from({ length: delay }, (_, i) => `${index + 1}:${delay - i}`));
    }
    expect(RECONNECT_DELAYS_SECONDS).toEqual([1, 2, 4, 8, 15, 15, 15, 15]);
    expect(countdown.schedule(() => retried++)).toBe(false);
    vi.advanceTimersByTime(60_000);
    expect(retried).toBe(RECONNECT_DELAYS_SECONDS.length);
  });

  it("a reset starts the count over and drops the pending retry; a cancel drops it and keeps the count", () => {
    const countdown = new ReconnectCountdown(() => {});
    let retried = 0;
    countdown.schedule(() => retried++);
    vi.advanceTimersByTime(1000);
    countdown.schedule(() => retried++);
    expect(countdown.retries).toBe(2);
    countdown.cancel();
    vi.advanceTimersByTime(10_000);
    expect(retried).toBe(1);
    expect(countdown.retries).toBe(2);
    countdown.schedule(() => retried++);
    countdown.reset();
    vi.advanceTimersByTime(10_000);
    expect(retried).toBe(1);
    expect(countdown.retries).toBe(0);
    countdown.schedule(() => retried++);
    vi.advanceTimersByTime(1000);
    expect(retried).toBe(2);
  });
});
