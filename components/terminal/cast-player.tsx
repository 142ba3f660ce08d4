"use client";
// Replays a recorded terminal session (asciicast v2) in xterm.js: play / pause, 1× 2× 4×,
// jump to the end, start over. Long pauses in the recording are shortened to two seconds, as
// asciinema does, so an idle session does not replay as minutes of nothing.
import "@xterm/xterm/css/xterm.css";
import { useCallback, useEffect, useRef, useState } from "react";
import { parseCastText, parseResize, type Cast, type CastEvent } from "@/components/terminal/cast";
import { mountXterm, type MountedXterm } from "@/components/terminal/xterm-host";

const MAX_GAP_SECONDS = 2;
const SPEEDS = [1, 2, 4] as const;

type Phase = "loading" | "paused" | "playing" | "ended" | "failed";

/** The player for the recording at `src` (the recording route, which authorizes the download). */
export function CastPlayer({ src }: { src: string }) {
  const host = useRef<HTMLDivElement>(null);
  const xterm = useRef<MountedXterm | null>(null);
  const cast = useRef<Cast | null>(null);
  const index = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const speedRef = useRef<number>(1);
  const [phase, setPhase] = useState<Phase>("loading");
  const [error, setError] = useState<string | null>(null);
  const [speed, setSpeed] = useState<number>(1);
  const [position, setPosition] = useState(0);
  const [duration, setDuration] = useState(0);

  const apply = useCallback((event: CastEvent) => {
    const term = xterm.current?.term;
    if (!term) return;
    if (event.code === "o") term.write(event.data);
    else if (event.code === "r") {
      const size = parseResize(event.data);
      if (size) term.resize(size.cols, size.rows);
    } else term.write(`\r\n\x1b[2m[recording] ${event.data}\x1b[0m\r\n`);
  }, []);

  const stop = () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
  };

  const scheduleNext = useCallback(() => {
    const events = cast.current?.events ?? [];
    const i = index.current;
    const next = events[i];
    if (!next) {
      setPhase("ended");
      return;
    }
    const previous = i > 0 ? events[i - 1]!.time : 0;
    const gap = Math.min(Math.max(next.time - previous, 0), MAX_GAP_SECONDS);
    timer.current = setTimeout(() => {
      apply(next);
      index.current = i + 1;
      setPosition(next.time);
      scheduleNext();
    }, (gap * 1000) / speedRef.current);
  }, [apply]);

  const play = () => {
    if (!cast.current) return;
    if (index.current >= cast.current.events.length) restart();
    stop();
    setPhase("playing");
    scheduleNext();
  };
  const pause = () => {
    stop();
    setPhase("paused");
  };
  const toEnd = () => {
    stop();
    const events = cast.current?.events ?? [];
    for (let i = index.current; i < events.length; i++) apply(events[i]!);
    index.current = events.length;
    setPosition(cast.current?.duration ?? 0);
    setPhase("ended");
  };
  function restart() {
    stop();
    const term = xterm.current?.term;
    if (!term || !cast.current) return;
    term.reset();
    term.resize(cast.current.cols, cast.current.rows);
    index.current = 0;
    setPosition(0);
  }
  const changeSpeed = (value: number) => {
    speedRef.current = value;
    setSpeed(value);
  };

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      try {
        const response = await fetch(src, { cache: "no-store" });
        if (!response.ok) {
          const body = (await response.json().catch(() => null)) as { error?: string } | null;
          throw new Error(body?.error ?? `The recording could not be loaded (HTTP ${response.status}).`);
        }
        const parsed = parseCastText(await response.text());
        if (cancelled) return;
        const mounted = await mountXterm(host.current!, { links: false, readOnly: true, cols: parsed.cols, rows: parsed.rows });
        if (cancelled) return mounted.dispose();
        xterm.current = mounted;
        cast.current = parsed;
        setDuration(parsed.duration);
        setPhase("playing");
        scheduleNext();
      } catch (e) {
        if (cancelled) return;
        setError(e instanceof Error ? e.message : String(e));
        setPhase("failed");
      }
    })();
    return () => {
      cancelled = true;
      stop();
      xterm.current?.dispose();
      xterm.current = null;
    };
  }, [src, scheduleNext]);

  return (
    <div className="terminal-frame">
      <div className="terminal-bar">
        <span className="replay-controls" role="group" aria-label="Replay controls">
          {phase === "playing" ? (
            <button type="button" onClick={pause}>
              Pause
            </button>
          ) : (
            <button type="button" className="primary" onClick={play} disabled={phase === "loading" || phase === "failed"}>
              {phase === "ended" ? "Play again" : "Play"}
            </button>
          )}
          {SPEEDS.map((value) => (
            <button key={value} type="button" aria-pressed={speed === value} className={speed === value ? "primary" : undefined} onClick={() => changeSpeed(value)}>
              {value}×
            </button>
          ))}
          <button type="button" onClick={toEnd} disabled={phase === "loading" || phase === "failed"}>
            Skip to end
          </button>
        </span>
        <span className="muted small mono" data-testid="replay-status" data-state={phase}>
          {phase === "loading" ? "Loading…" : `${position.toFixed(1)} s / ${duration.toFixed(1)} s`}
        </span>
      </div>
      {error && (
        <div className="alert error" role="alert">
          {error}
        </div>
      )}
      <div ref={host} className="terminal-screen" data-testid="terminal-screen" />
    </div>
  );
}
