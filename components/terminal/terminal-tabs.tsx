"use client";
// Several terminals on one workload as tabs: one per mode to start with, "+" opens another of
// either kind. Each tab is its own session; a tab opens its session the first time it is
// shown, and hidden tabs stay connected (and refit when shown again). Closing a tab ends its
// session.
import { useState } from "react";
import { LiveTerminal } from "@/components/terminal/live-terminal";
import type { LiveTerminalMode, TicketAction } from "@/components/terminal/ticket";

const MODE_LABEL: Record<LiveTerminalMode, string> = { exec: "Shell (exec)", ssh: "SSH", serial: "Serial console" };

interface Tab {
  id: number;
  mode: LiveTerminalMode;
  title: string;
  /** Set once the tab has been shown: its terminal then stays mounted (and connected). */
  opened: boolean;
}

function titleFor(tabs: Tab[], mode: LiveTerminalMode): string {
  const same = tabs.filter((t) => t.mode === mode).length;
  return same === 0 ? MODE_LABEL[mode] : `${MODE_LABEL[mode]} ${same + 1}`;
}

/** Terminal tabs for workload `workloadId`, one per mode in `modes` to begin with. */
export function TerminalTabs({ workloadId, modes, openTicket }: { workloadId: string; modes: LiveTerminalMode[]; openTicket: TicketAction }) {
  const [tabs, setTabs] = useState<Tab[]>(() => modes.map((mode, i) => ({ id: i + 1, mode, title: MODE_LABEL[mode], opened: i === 0 })));
  const [activeId, setActiveId] = useState(1);
  const [nextId, setNextId] = useState(modes.length + 1);

  const show = (id: number) => {
    setActiveId(id);
    setTabs((all) => all.map((t) => (t.id === id ? { ...t, opened: true } : t)));
  };
  const add = (mode: LiveTerminalMode) => {
    const id = nextId;
    setNextId(id + 1);
    setTabs((all) => [...all, { id, mode, title: titleFor(all, mode), opened: true }]);
    setActiveId(id);
  };
  const close = (id: number) => {
    const rest = tabs.filter((t) => t.id !== id);
    setTabs(rest);
    if (activeId === id && rest.length > 0) show(rest[rest.length - 1]!.id);
  };

  return (
    <div className="terminal-tabs">
      <div className="tab-strip">
        <div role="tablist" aria-label="Terminals">
          {tabs.map((tab) => (
            <span key={tab.id} className={`tab${tab.id === activeId ? " active" : ""}`}>
              <button
                type="button"
                role="tab"
                id={`terminal-tab-${tab.id}`}
                aria-selected={tab.id === activeId}
                aria-controls={`terminal-panel-${tab.id}`}
                onClick={() => show(tab.id)}
              >
                {tab.title}
              </button>
              <button type="button" className="tab-close" aria-label={`Close ${tab.title}`} title="Close this terminal" onClick={() => close(tab.id)}>
                ×
              </button>
            </span>
          ))}
        </div>
        <span className="tab-add">
          {modes.map((mode) => (
            <button key={mode} type="button" onClick={() => add(mode)} title={`Open another ${MODE_LABEL[mode]} terminal`}>
              + {MODE_LABEL[mode]}
            </button>
          ))}
        </span>
      </div>
      {tabs.length === 0 && <p className="empty">All terminals are closed. Open one with the buttons above.</p>}
      {tabs.map((tab) => (
        <div key={tab.id} role="tabpanel" id={`terminal-panel-${tab.id}`} aria-labelledby={`terminal-tab-${tab.id}`} hidden={tab.id !== activeId}>
          {tab.opened && <LiveTerminal workloadId={workloadId} mode={tab.mode} openTicket={openTicket} active={tab.id === activeId} label={tab.title} />}
        </div>
      ))}
    </div>
  );
}
