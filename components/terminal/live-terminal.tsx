"use client";
// One browser terminal on a workload: xterm.js wired to the panel's `/ws/terminal` through
// TerminalConnection, with a status line, find (Ctrl+Shift+F), copy (selecting copies; a Copy
// button too; Ctrl+Shift+C / Ctrl+Shift+V), full screen, and a Reconnect button once a
// session has ended. Inactive tabs stay connected; they refit when shown again.
import "@xterm/xterm/css/xterm.css";
import type { Terminal } from "@xterm/xterm";
import { useCallback, useEffect, useRef, useState } from "react";
import { TerminalConnection, type ConnectionState } from "@/components/terminal/terminal-connection";
import { TerminalSearch } from "@/components/terminal/terminal-search";
import { TerminalStatus } from "@/components/terminal/terminal-status";
import { useFullscreen } from "@/components/terminal/use-fullscreen";
import { mountXterm, type MountedXterm } from "@/components/terminal/xterm-host";
import { requestTicket, type LiveTerminalMode, type TicketAction } from "@/components/terminal/ticket";

/** A dimmed line of the panel's own, on a line of its own (a new line first only when the cursor is mid-line). */
const writeNotice = (term: Terminal, text: string) => term.write(`${term.buffer.active.cursorX > 0 ? "\r\n" : ""}\x1b[2m[minicloud] ${text}\x1b[0m\r\n`);

/** A live terminal; `active` tells it when its tab is visible (to refit and take the focus). */
export function LiveTerminal({
  workloadId,
  mode,
  openTicket,
  active = true,
  label,
  console: isConsole = false,
}: {
  workloadId: string;
  mode: LiveTerminalMode;
  openTicket: TicketAction;
  active?: boolean;
  label: string;
  /** A VM's serial console: one viewer at a time (take over), a dropped stream is retried, a reconnect redraws. */
  console?: boolean;
}) {
  const frame = useRef<HTMLDivElement>(null);
  const screen = useRef<HTMLDivElement>(null);
  const xterm = useRef<MountedXterm | null>(null);
  const connection = useRef<TerminalConnection | null>(null);
  const [state, setState] = useState<ConnectionState>({ phase: "connecting", attempt: 1 });
  const [size, setSize] = useState<{ cols: number; rows: number } | null>(null);
  const [searching, setSearching] = useState(false);
  const [copied, setCopied] = useState<string | null>(null);
  const { fullscreen, fallback, toggle: toggleFullscreen } = useFullscreen(frame);
  // The action's identity may change across renders; the connection always uses the latest.
  const openTicketRef = useRef(openTicket);
  openTicketRef.current = openTicket;

  const copySelection = useCallback(async (quiet: boolean) => {
    const text = xterm.current?.term.getSelection() ?? "";
    if (!text) {
      if (!quiet) setCopied("Select text first");
      return;
    }
    try {
      await navigator.clipboard.writeText(text);
      if (!quiet) setCopied("Copied");
    } catch {
      // No clipboard access (plain http): the selection stays for the browser's own copy.
      if (!quiet) setCopied("Use the browser's copy");
    }
  }, []);

  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(null), 2000);
    return () => clearTimeout(timer);
  }, [copied]);

  useEffect(() => {
    let cancelled = false;
    let hadSession = false;
    const host = screen.current!;
    void mountXterm(host, { links: true }).then((mounted) => {
      if (cancelled) return mounted.dispose();
      xterm.current = mounted;
      const { term } = mounted;
      setSize({ cols: term.cols, rows: term.rows });
      const conn = new TerminalConnection({
        getTicket: () => requestTicket(openTicketRef.current, workloadId, mode),
        size: () => ({ cols: term.cols, rows: term.rows }),
        output: (data) => term.write(data),
        notice: (message) => writeNotice(term, message),
        state: (next) => {
          if (next.phase === "connected") {
            // A console replays what the guest printed lately: start from a clean screen so it is not shown twice.
            if (hadSession && isConsole) term.reset();
            if (hadSession) writeNotice(term, isConsole ? "Reconnected to the console." : "Reconnected: this is a new session.");
            hadSession = true;
          }
          setState(next);
        },
        console: isConsole,
      });
      connection.current = conn;
      term.onData((data) => conn.send(data));
      term.onBinary((data) => conn.send(Uint8Array.from(data, (c) => c.charCodeAt(0))));
      term.onResize(({ cols, rows }) => {
        setSize({ cols, rows });
        conn.resize(cols, rows);
      });
      term.onSelectionChange(() => void copySelection(true));
      term.attachCustomKeyEventHandler((event) => {
        if (event.type !== "keydown" || !event.ctrlKey || !event.shiftKey) return true;
        const key = event.key.toLowerCase();
        if (key === "f") {
          setSearching(true);
          return false;
        }
        if (key === "c") {
          void copySelection(false);
          return false;
        }
        // Ctrl+Shift+V: let the browser paste into xterm's input, which sends it.
        return key !== "v";
      });
      conn.connect();
      term.focus();
    });
    return () => {
      cancelled = true;
      connection.current?.dispose();
      connection.current = null;
      xterm.current?.dispose();
      xterm.current = null;
    };
  }, [workloadId, mode, copySelection, isConsole]);

  useEffect(() => {
    if (!active || !xterm.current) return;
    xterm.current.refit();
    xterm.current.term.focus();
  }, [active, fullscreen]);

  return (
    <div ref={frame} className={`terminal-frame${fallback ? " terminal-fallback-fullscreen" : ""}`} data-testid="terminal" data-mode={mode} aria-label={label} role="group">
      <div className="terminal-bar">
        <TerminalStatus state={state} size={size} />
        <span className="terminal-tools">
          {(state.phase === "busy" || (state.phase === "ended" && state.reason === "taken-over")) && (
            <button type="button" className="primary" data-testid="take-over" onClick={() => connection.current?.connect({ takeOver: true })}>
              {state.phase === "busy" ? "Take over" : "Take back"}
            </button>
          )}
          {state.phase === "ended" && state.reason !== "taken-over" && (
            <button type="button" className="primary" onClick={() => connection.current?.connect()}>
              Reconnect
            </button>
          )}
          {searching && xterm.current ? (
            <TerminalSearch
              search={xterm.current.search}
              onClose={() => {
                setSearching(false);
                xterm.current?.term.focus();
              }}
            />
          ) : (
            <button type="button" onClick={() => setSearching(true)} title="Find (Ctrl+Shift+F)">
              Find
            </button>
          )}
          <button type="button" onClick={() => void copySelection(false)} title="Copy the selection (Ctrl+Shift+C); selecting text copies it too" aria-live="polite">
            {copied ?? "Copy"}
          </button>
          <button type="button" onClick={() => void toggleFullscreen()} aria-pressed={fullscreen} title={fallback ? "Leave full screen (Shift+Escape)" : "Full screen"}>
            {fullscreen ? "Exit full screen" : "Full screen"}
          </button>
        </span>
      </div>
      <div ref={screen} className="terminal-screen" data-testid="terminal-screen" data-cols={size?.cols} data-rows={size?.rows} />
    </div>
  );
}
