import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { CastPlayer } from "@/components/terminal/cast-player";
import { formatBytes } from "@/components/terminal/live-sessions-table";
import { Time } from "@/components/ui/time";
import { requireUserForPage } from "@/lib/auth/session";
import { isSessionAdmin } from "@/lib/console/session/live-sessions";
import { getSessionRecord } from "@/lib/console/session/session-store";
import { getDb } from "@/lib/db";

export const metadata: Metadata = { title: "Session replay" };

// Replay of a recorded terminal session, for admins of the session's organization (platform
// admins included). Anyone else, or a session without a recording, gets "not found"; the
// recording route checks the same again before sending the file.
export default async function SessionReplayPage({ params }: { params: Promise<{ sessionId: string }> }) {
  const { principal } = await requireUserForPage();
  const session = await getSessionRecord(await getDb(), (await params).sessionId);
  if (!session || !isSessionAdmin(principal, session.orgId) || session.recordingBytes === null) notFound();
  return (
    <>
      <div className="crumbs">
        <Link href="/audit?action=terminal.session">Audit log</Link> / Session replay
      </div>
      <div className="page-head">
        <h1>
          Replay: <span className="mono">{session.targetLabel}</span> ({session.mode})
        </h1>
      </div>
      <section className="card">
        <dl className="facts">
          <dt>User</dt>
          <dd>{session.userLabel}</dd>
          <dt>Started / ended</dt>
          <dd>
            <Time value={session.startedAt} /> / <Time value={session.endedAt} fallback="still open" />
          </dd>
          <dt>In / out</dt>
          <dd>
            {formatBytes(session.bytesIn)} typed / {formatBytes(session.bytesOut)} shown
          </dd>
          <dt>Ended because</dt>
          <dd>{session.endReason ?? "—"}</dd>
        </dl>
        <p className="muted small">Only what the terminal showed was recorded, never what was typed: passwords typed at hidden prompts are not in it.</p>
      </section>
      <CastPlayer src={`/api/terminal-sessions/${session.id}/recording`} />
    </>
  );
}
