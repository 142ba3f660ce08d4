"use client";
// What the team's pods and VMs lists share around their table: the All / Mine switch, the
// refresh hint, the query's error, and the empty state (said differently for "mine").
import { useState, type ReactNode } from "react";

export function TeamWorkloadList<T extends { owner: { id: string } }>({
  label,
  rows,
  currentUserId,
  error,
  isFetching,
  emptyAll,
  emptyMine,
  children,
}: {
  /** What the switch chooses among, for its accessible name ("Show <label>"). */
  label: string;
  rows: T[];
  currentUserId: string;
  error: Error | null;
  isFetching: boolean;
  emptyAll: string;
  emptyMine: string;
  /** The table of the rows shown (never called with none). */
  children: (shown: T[]) => ReactNode;
}) {
  const [show, setShow] = useState<"all" | "mine">("all");
  const shown = show === "mine" ? rows.filter((row) => row.owner.id === currentUserId) : rows;
  return (
    <>
      <div className="toolbar" role="group" aria-label={`Show ${label}`}>
        {(["all", "mine"] as const).map((value) => (
          <button key={value} type="button" className={show === value ? "primary" : undefined} aria-pressed={show === value} onClick={() => setShow(value)}>
            {value === "all" ? "All" : "Mine"}
          </button>
        ))}
        {isFetching && <span className="muted small">Refreshing…</span>}
      </div>
      {error && (
        <div className="alert error" role="alert">
          {error.message}
        </div>
      )}
      {shown.length === 0 ? <p className="empty">{show === "mine" ? emptyMine : emptyAll}</p> : children(shown)}
    </>
  );
}
