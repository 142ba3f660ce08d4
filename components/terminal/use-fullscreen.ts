"use client";
// Full screen for one element: the Fullscreen API where the browser allows it, otherwise a
// CSS fallback (the element covers the window) — e.g. inside an iframe without permission.
import { useCallback, useEffect, useState, type RefObject } from "react";

/** Whether `ref` is full screen, and a toggle. Escape leaves the CSS fallback too. */
export function useFullscreen(ref: RefObject<HTMLElement | null>) {
  const [native, setNative] = useState(false);
  const [fallback, setFallback] = useState(false);

  useEffect(() => {
    const onChange = () => setNative(document.fullscreenElement !== null && document.fullscreenElement === ref.current);
    document.addEventListener("fullscreenchange", onChange);
    return () => document.removeEventListener("fullscreenchange", onChange);
  }, [ref]);

  useEffect(() => {
    if (!fallback) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape" && event.shiftKey) setFallback(false);
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [fallback]);

  const toggle = useCallback(async () => {
    if (native) return void (await document.exitFullscreen().catch(() => {}));
    if (fallback) return setFallback(false);
    const element = ref.current;
    if (element && document.fullscreenEnabled && element.requestFullscreen) {
      try {
        await element.requestFullscreen();
        return;
      } catch {
        // Refused (no permission): fall back to covering the window.
      }
    }
    setFallback(true);
  }, [native, fallback, ref]);

  return { fullscreen: native || fallback, fallback, toggle };
}
