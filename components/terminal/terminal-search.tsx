"use client";
// A small find box over a terminal's scrollback (xterm's search addon): Enter finds the next
// match, Shift+Enter the previous one, Escape closes and gives the keyboard back to the terminal.
import { useEffect, useRef, useState } from "react";
import type { SearchAddon } from "@xterm/addon-search";

const DECORATIONS = { matchOverviewRuler: "#8a6100", activeMatchColorOverviewRuler: "#c62828", activeMatchBackground: "#f59e0b" };

/** The find box; `onClose` returns focus to the terminal. */
export function TerminalSearch({ search, onClose }: { search: SearchAddon; onClose: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [term, setTerm] = useState("");
  const [found, setFound] = useState<boolean | null>(null);
  useEffect(() => input.current?.focus(), []);
  useEffect(() => () => search.clearDecorations(), [search]);

  const find = (backwards: boolean) => {
    if (!term) return setFound(null);
    const options = { decorations: DECORATIONS };
    setFound(backwards ? search.findPrevious(term, options) : search.findNext(term, options));
  };

  return (
    <span className="terminal-search" role="search">
      <input
        ref={input}
        type="search"
        aria-label="Find in terminal"
        placeholder="Find…"
        value={term}
        onChange={(event) => {
          setTerm(event.target.value);
          setFound(null);
        }}
        onKeyDown={(event) => {
          if (event.key === "Enter") {
            event.preventDefault();
            find(event.shiftKey);
          } else if (event.key === "Escape") {
            event.preventDefault();
            onClose();
          }
        }}
      />
      <button type="button" onClick={() => find(true)} aria-label="Previous match">
        ↑
      </button>
      <button type="button" onClick={() => find(false)} aria-label="Next match">
        ↓
      </button>
      {found === false && <span className="muted small">Not found</span>}
    </span>
  );
}
