import type { Metadata } from "next";
import { ActionForm } from "@/components/ui/action-form";
import { ConfirmDelete } from "@/components/ui/confirm-delete";
import { Field, Hidden } from "@/components/ui/field";
import { MemberRow } from "@/components/members/member-row";
import { TEAM_ROLES } from "@/lib/auth/policy";
import { loadTeamForPage } from "@/lib/auth/team-access";
import { listTeamMembers } from "@/lib/teams/service";
import {
  addTeamMemberAction,
  changeTeamMemberRoleAction,
  deleteTeamAction,
  removeTeamMemberAction,
  renameTeamAction,
} from "./actions";

export const metadata: Metadata = { title: "Team settings" };

const roleOptions = TEAM_ROLES.map((r) => ({ value: r, label: r }));

export default async function TeamSettingsPage({ params }: { params: Promise<{ teamId: string }> }) {
  const { db, team, allowed } = await loadTeamForPage((await params).teamId);
  const members = await listTeamMembers(db, team.id);
  const manage = allowed("team:members:manage");
  return (
    <>
      <div className="page-head">
        <h1>{team.name}</h1>
      </div>

      <section className="card">
        <h2>Members</h2>
        <table className="table" aria-label="Team members">
          <thead>
            <tr>
              <th>Name</th>
              <th>Email</th>
              <th>Role</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <MemberRow
                key={m.userId}
                member={m}
                scopeField={{ name: "teamId", value: team.id }}
                roles={TEAM_ROLES}
                canManage={manage}
                changeRole={changeTeamMemberRoleAction}
                remove={removeTeamMemberAction}
              />
            ))}
          </tbody>
        </table>
        {members.length === 0 && <p className="empty">No members yet.</p>}
        {manage && (
          <>
            <h2>Add a member</h2>
            <ActionForm action={addTeamMemberAction} submitLabel="Add member" className="inline" successMessage="Member added.">
              <Hidden name="teamId" value={team.id} />
              <Field name="email" label="Email of an existing user" type="email" />
              <Field name="role" label="Role" options={roleOptions} defaultValue="member" />
            </ActionForm>
          </>
        )}
      </section>

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
