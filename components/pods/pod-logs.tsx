"use client";
// The tail of a pod's sshd log, with a Refresh button (no polling: logs are read on demand).
import { useState } from "react";
import type { SshPodLogs } from "@/lib/pods/types";

export function PodLogs({ teamId, podId, initial, initialError }: { teamId: string; podId: string; initial: SshPodLogs | null; initialError: string | null }) {
  const [logs, setLogs] = useState(initial);
  const [error, setError] = useState(initialError);
  const [loading, setLoading] = useState(false);
  async function refresh() {
    setLoading(true);
    try {
      const response = await fetch(`/api/teams/${encodeURIComponent(teamId)}/pods/${encodeURIComponent(podId)}/logs`, { headers: { accept: "application/json" } });
      const body = (await response.json().catch(() => null)) as (SshPodLogs & { error?: { message?: string } }) | null;
      if (!response.ok || !body) throw new Error(body?.error?.message ?? `The log could not be read (HTTP ${response.status}).`);
      setLogs(body);
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setLoading(false);
    }
  }
  return (
    <section className="card" aria-labelledby="pod-logs-title">
      <div className="page-head">
        <h2 id="pod-logs-title">sshd log</h2>
        <button type="button" onClick={refresh} disabled={loading}>
          {loading ? "Refreshing…" : "Refresh"}
        </button>
      </div>
      {error && (
        <div className="alert error" role="alert">
          {error}
        </div>
      )}
      {logs && (
        <>
          <pre className="logs" data-testid="pod-logs">
            {logs.text || (logs.podName ? "The pod has not written anything yet." : "There is no pod right now.")}
          </pre>
          {logs.truncated && <p className="muted small">Only the end of the log is shown.</p>}
        </>
      )}
    </section>
  );
}
