"use client";
// A clock for relative times: starts at the server's render time (so hydration matches) and
// ticks every `intervalMs` after mount.
import { useEffect, useState } from "react";

export function useNow(start: number, intervalMs = 15_000): number {
  const [now, setNow] = useState(start);
  useEffect(() => {
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
