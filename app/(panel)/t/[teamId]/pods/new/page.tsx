import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { NewPodForm } from "@/components/pods/new-pod-form";
import { loadTeamForPage } from "@/lib/access/page-access";
import { listPodTargets } from "@/lib/pods/queries";
import { createSshPodAction } from "../actions";

export const metadata: Metadata = { title: "New SSH pod" };

// Create an SSH pod in one of the team's clusters. Viewers never see the form (not found).
export default async function NewPodPage({ params }: { params: Promise<{ teamId: string }> }) {
  const { db, team, allowed } = await loadTeamForPage((await params).teamId);
  if (!allowed("workloads:create")) notFound();
  const targets = await listPodTargets(db, team.id);
  return (
    <>
      <div className="page-head">
        <h1>New SSH pod</h1>
        <Link href={`/t/${team.id}/pods`}>Back to SSH pods</Link>
      </div>
      {targets.length === 0 ? (
        <p className="empty">No cluster is assigned to this team yet. Ask an organization admin to assign one.</p>
      ) : (
        <section className="card">
          <NewPodForm action={createSshPodAction} teamId={team.id} targets={targets} />
          <p className="muted small">
            Your SSH keys (from your profile) and the panel&apos;s browser-terminal key are installed in the pod. Passwords never work.
          </p>
        </section>
      )}
    </>
  );
}
