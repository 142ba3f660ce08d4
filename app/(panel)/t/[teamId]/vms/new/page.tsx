import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { NewVmForm } from "@/components/vms/new-vm-form";
import { loadTeamForPage } from "@/lib/access/page-access";
import { listVmTargets } from "@/lib/vms/queries";
import { createVmAction } from "../actions";

export const metadata: Metadata = { title: "New VM" };

// Create a VM in one of the team's clusters. Viewers never see the form (not found).
export default async function NewVmPage({ params }: { params: Promise<{ teamId: string }> }) {
  const { db, team, allowed } = await loadTeamForPage((await params).teamId);
  if (!allowed("workloads:create")) notFound();
  const targets = await listVmTargets(db, team.id);
  return (
    <>
      <div className="page-head">
        <h1>New VM</h1>
        <Link href={`/t/${team.id}/vms`}>Back to VMs</Link>
      </div>
      {targets.length === 0 ? (
        <p className="empty">No cluster is assigned to this team yet. Ask an organization admin to assign one.</p>
      ) : (
        <section className="card">
          <NewVmForm action={createVmAction} teamId={team.id} targets={targets} />
          <p className="muted small">
            Your SSH keys (from your profile) and the panel&apos;s browser-terminal key are installed by cloud-init for the image&apos;s default user. The cluster needs
            KubeVirt, and CDI for a disk imported from a URL, uploaded or cloned from a golden image.
          </p>
        </section>
      )}
    </>
  );
}
