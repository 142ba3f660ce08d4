import type { Metadata } from "next";
import { ActionForm } from "@/components/ui/action-form";
import { ConfirmDelete } from "@/components/ui/confirm-delete";
import { Field, Hidden } from "@/components/ui/field";
import { MembersCard } from "@/components/members/members-card";
import { TEAM_ROLES } from "@/lib/auth/policy";
import { loadTeamForPage } from "@/lib/access/page-access";
import { listTeamMembers } from "@/lib/teams/service";
import {
  addTeamMemberAction,
  changeTeamMemberRoleAction,
  deleteTeamAction,
  removeTeamMemberAction,
  renameTeamAction,
} from "./actions";

export const metadata: Metadata = { title: "Team settings" };

export default async function TeamSettingsPage({ params }: { params: Promise<{ teamId: string }> }) {
  const { db, team, allowed } = await loadTeamForPage((await params).teamId);
  const members = await listTeamMembers(db, team.id);
  return (
    <>
      <div className="page-head">
        <h1>{team.name}</h1>
      </div>

      <MembersCard
        label="Team members"
        members={members}
        scopeField={{ name: "teamId", value: team.id }}
        roles={TEAM_ROLES}
        canManage={allowed("team:members:manage")}
        actions={{ add: addTeamMemberAction, changeRole: changeTeamMemberRoleAction, remove: removeTeamMemberAction }}
      />

      {allowed("team:rename") && (
        <section className="card">
          <h2>Rename</h2>
          <ActionForm action={renameTeamAction} submitLabel="Rename team" className="inline" resetOnSuccess={false} successMessage="Team renamed.">
            <Hidden name="teamId" value={team.id} />
            <Field name="name" label="Name" defaultValue={team.name} />
          </ActionForm>
        </section>
      )}

      {allowed("team:delete") && (
        <section className="card danger-zone">
          <h2>Delete team</h2>
          <p>A team can be deleted once it has no pods, VMs, clusters or cluster assignments left.</p>
          <ConfirmDelete action={deleteTeamAction} id={team.id} name={team.name} what="team" />
        </section>
      )}
    </>
  );
}
