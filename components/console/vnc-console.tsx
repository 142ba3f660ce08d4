"use client";
// The graphical console of a VM: noVNC drawing the guest's screen through the panel's ticketed
// websocket (vnc-connection.ts), with what people reach for — send keys (Ctrl+Alt+Del, Ctrl+Alt+F1…F7,
// Alt+Tab, Esc, the shortcuts a browser keeps for itself such as Ctrl+W, and any typed combination),
// paste as keystrokes (Shift sent explicitly for capitals and symbols), scale to window, full screen,
// view only, a screenshot download, shared or exclusive viewing with take-over, and a status line
// that says what the connection is doing. Keys go to the VM only while its screen has the focus
// (click it); anywhere else the browser's shortcuts are the browser's.
import "@/components/console/console.css";
import type RFB from "@novnc/novnc";
import { useEffect, useRef, useState } from "react";
import { MENU_COMBINATIONS, parseCombination, pressKeystroke, textKeystrokes, type Keystroke } from "@/components/console/keystrokes";
import { VncConnection, type VncState } from "@/components/console/vnc-connection";
import { timeOf } from "@/components/terminal/terminal-status";
import { requestTicket, type TicketAction } from "@/components/terminal/ticket";
import { useFullscreen } from "@/components/terminal/use-fullscreen";

/** Delay between typed keys: QEMU's PS/2 keyboard queue is short, and a guest under emulation reads it slowly. */
const KEY_INTERVAL_MS = 30;
/** The longest text typed in one paste. */
const PASTE_MAX_CHARS = 4096;

function describe(state: VncState): string {
  switch (state.phase) {
    case "connecting":
      return state.attempt > 1 ? `Connecting (attempt ${state.attempt})…` : "Connecting…";
    case "connected":
      return state.desktop ? `Connected: ${state.desktop}` : "Connected";
    case "reconnecting":
      return `Connection lost — reconnecting in ${state.seconds} s (attempt ${state.attempt})`;
    case "busy":
      return state.holder.you
        ? `This console is open in another window of yours${state.holder.since ? ` (since ${timeOf(state.holder.since)})` : ""}.`
        : `This console is in use by ${state.holder.user}${state.holder.since ? ` (since ${timeOf(state.holder.since)})` : ""}.`;
    case "ended":
      return state.message;
  }
}

export function VncConsole({ workloadId, openTicket }: { workloadId: string; openTicket: TicketAction }) {
  const frame = useRef<HTMLDivElement>(null);
  const screen = useRef<HTMLDivElement>(null);
  const connection = useRef<VncConnection | null>(null);
  const [state, setState] = useState<VncState>({ phase: "connecting", attempt: 1 });
  const [viewOnly, setViewOnly] = useState(false);
  const [scale, setScale] = useState(true);
  const [shared, setShared] = useState(true);
  const [focused, setFocused] = useState(false);
  const [pasting, setPasting] = useState<{ text: string; progress: number | null } | null>(null);
  const [combination, setCombination] = useState("");
  const [combinationError, setCombinationError] = useState<string | null>(null);
  const { fullscreen, fallback, toggle: toggleFullscreen } = useFullscreen(frame);
  const settings = useRef({ viewOnly, scale, shared });
  settings.current = { viewOnly, scale, shared };
  const openTicketRef = useRef(openTicket);
  openTicketRef.current = openTicket;

  useEffect(() => {
    const conn = new VncConnection({
      getTicket: () => requestTicket(openTicketRef.current, workloadId, "vnc"),
      screen: screen.current!,
      loadRfb: async () => (await import("@novnc/novnc")).default,
      shared: () => settings.current.shared,
      configure(rfb) {
        rfb.viewOnly = settings.current.viewOnly;
        rfb.scaleViewport = settings.current.scale;
        rfb.clipViewport = false;
        rfb.focusOnClick = true;
        rfb.background = "#111";
      },
      state: setState,
    });
    connection.current = conn;
    conn.connect();
    return () => {
      conn.dispose();
      connection.current = null;
    };
  }, [workloadId]);

  useEffect(() => {
    const rfb = connection.current?.rfb;
    if (rfb) rfb.viewOnly = viewOnly;
  }, [viewOnly, state]);
  useEffect(() => {
    const rfb = connection.current?.rfb;
    if (rfb) rfb.scaleViewport = scale;
  }, [scale, state, fullscreen]);

  const rfb = (): RFB | null => (state.phase === "connected" ? (connection.current?.rfb ?? null) : null);
  const press = (stroke: Keystroke) => {
    const client = rfb();
    if (!client) return;
    pressKeystroke((keysym, code, down) => client.sendKey(keysym, code, down), stroke);
    client.focus();
  };

  const typeText = async (text: string) => {
    const strokes = textKeystrokes(text.slice(0, PASTE_MAX_CHARS));
    for (let i = 0; i < strokes.length; i++) {
      const client = rfb();
      if (!client) break;
      pressKeystroke((keysym, code, down) => client.sendKey(keysym, code, down), strokes[i]!);
      setPasting((p) => (p ? { ...p, progress: (i + 1) / strokes.length } : p));
      await new Promise((resolve) => setTimeout(resolve, KEY_INTERVAL_MS));
    }
    setPasting(null);
    rfb()?.focus();
  };

  const openPaste = async () => {
    let text = "";
    try {
      text = await navigator.clipboard.readText();
    } catch {
      // No clipboard access (plain http, or refused): the user pastes into the box.
    }
    setPasting({ text, progress: null });
  };

  const sendCombination = (event: React.FormEvent) => {
    event.preventDefault();
    const stroke = parseCombination(combination);
    if (!stroke) return setCombinationError("Type keys joined by +, e.g. ctrl+alt+f2, ctrl+w or super.");
    setCombinationError(null);
    press(stroke);
  };

  const connected = state.phase === "connected";
  return (
    <div ref={frame} className={`terminal-frame vnc-frame${fallback ? " terminal-fallback-fullscreen" : ""}`} data-testid="vnc" role="group" aria-label="VNC console">
      <div className="terminal-bar">
        <span className="terminal-status">
          <span className={`live-dot terminal-dot-${state.phase}`} aria-hidden />
          <span data-testid="vnc-status" data-state={state.phase} role="status">
            {describe(state)}
          </span>
          {connected && <span className={`badge${focused ? " warn" : ""}`}>{focused ? "Keyboard goes to the VM" : "Click the screen to type"}</span>}
        </span>
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
          <button type="button" data-testid="vnc-ctrl-alt-del" disabled={!connected || viewOnly} onClick={() => rfb()?.sendCtrlAltDel()} title="Send Ctrl+Alt+Del to the VM">
            Ctrl+Alt+Del
          </button>
          <details className="vnc-menu">
            <summary>Send keys</summary>
            <div className="vnc-menu-body">
              {MENU_COMBINATIONS.map(({ label, keystroke }) => (
                <button key={label} type="button" disabled={!connected || viewOnly} onClick={() => press(keystroke)}>
                  {label}
                </button>
              ))}
              <form onSubmit={sendCombination} className="vnc-combination">
                <input aria-label="Key combination" placeholder="ctrl+alt+f2" value={combination} onChange={(e) => setCombination(e.target.value)} maxLength={40} />
                <button type="submit" disabled={!connected || viewOnly}>
                  Send
                </button>
                {combinationError && <span className="field-error">{combinationError}</span>}
              </form>
            </div>
          </details>
          <button type="button" data-testid="vnc-paste" disabled={!connected || viewOnly} onClick={() => void openPaste()} title="Type text into the VM key by key">
            Paste as keys
          </button>
          <label className="inline-check" title="Scale the VM's screen to fit the window">
            <input type="checkbox" checked={scale} onChange={(e) => setScale(e.target.checked)} /> Scale
          </label>
          <label className="inline-check" title="Watch without sending keys or mouse">
            <input type="checkbox" data-testid="vnc-view-only" checked={viewOnly} onChange={(e) => setViewOnly(e.target.checked)} /> View only
          </label>
          <label className="inline-check" title="Shared: never disconnect a viewer someone opened outside the panel. Exclusive: take the console from anyone (applies when you next connect).">
            <input type="checkbox" data-testid="vnc-shared" checked={shared} onChange={(e) => setShared(e.target.checked)} /> Shared
          </label>
          <a className="button" href={`/api/vms/${workloadId}/screenshot`} download data-testid="vnc-screenshot">
            Screenshot
          </a>
          <button type="button" onClick={() => void toggleFullscreen()} aria-pressed={fullscreen}>
            {fullscreen ? "Exit full screen" : "Full screen"}
          </button>
        </span>
      </div>
      {pasting && (
        <form
          className="vnc-paste"
          onSubmit={(e) => {
            e.preventDefault();
            setPasting((p) => (p ? { ...p, progress: 0 } : p));
            void typeText(pasting.text);
          }}
        >
          <label>
            Text to type into the VM ({PASTE_MAX_CHARS} characters at most; new lines are Enter)
            <textarea data-testid="vnc-paste-text" rows={3} value={pasting.text} maxLength={PASTE_MAX_CHARS} onChange={(e) => setPasting({ text: e.target.value, progress: null })} />
          </label>
          <span className="form-actions">
            <button type="submit" className="primary" data-testid="vnc-paste-send" disabled={!connected || pasting.progress !== null || !pasting.text}>
              {pasting.progress !== null ? `Typing… ${Math.round(pasting.progress * 100)}%` : "Type it"}
            </button>
            <button type="button" onClick={() => setPasting(null)}>
              Cancel
            </button>
          </span>
        </form>
      )}
      <div
        ref={screen}
        className="vnc-screen"
        data-testid="vnc-screen"
        onFocus={() => setFocused(true)}
        onBlur={() => setFocused(false)}
      />
    </div>
  );
}
