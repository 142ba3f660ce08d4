import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { MemberRow } from "@/components/members/member-row";
import { ActionForm } from "@/components/ui/action-form";
import { ConfirmDelete } from "@/components/ui/confirm-delete";
import { Field, Hidden } from "@/components/ui/field";
import { can, ORG_ROLES, type Permission } from "@/lib/auth/policy";
import { requireUserForPage } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import { getOrg, listOrgMembers } from "@/lib/orgs/service";
import { listTeams } from "@/lib/teams/service";
import { resolveOrgScope } from "@/lib/tenancy/principal";
import {
  addOrgMemberAction,
  changeOrgMemberRoleAction,
  createTeamAction,
  deleteOrgAction,
  removeOrgMemberAction,
  renameOrgAction,
} from "../actions";

export const metadata: Metadata = { title: "Organization" };

const roleOptions = ORG_ROLES.map((r) => ({ value: r, label: r }));

export default async function OrgPage({ params }: { params: Promise<{ orgId: string }> }) {
  const { orgId } = await params;
  if (!z.uuid().safeParse(orgId).success) notFound();
  const { principal } = await requireUserForPage();
  const db = await getDb();
  const scope = await resolveOrgScope(db, orgId).catch((e: unknown) => {
    if (e instanceof NotFoundError) notFound();
    throw e;
  });
  if (!can(principal, "org:read", scope)) notFound();
  const allowed = (p: Permission) => can(principal, p, scope);
  const [org, members, teams] = await Promise.all([getOrg(db, orgId), listOrgMembers(db, orgId), listTeams(db, principal, { orgId })]);
  if (!org) notFound();
  const manage = allowed("org:members:manage");
  return (
    <>
      <div className="crumbs">
        <Link href="/orgs">Organizations</Link> / {org.name}
      </div>
      <div className="page-head">
        <h1>{org.name}</h1>
      </div>

      <section className="card">
        <h2>Teams</h2>
        {teams.length === 0 ? (
          <p className="empty">No teams you can see yet.</p>
        ) : (
          <ul>
            {teams.map((t) => (
              <li key={t.id}>
                <Link href={`/t/${t.id}/settings`}>{t.name}</Link>
              </li>
            ))}
          </ul>
        )}
        {allowed("org:teams:create") && (
          <ActionForm action={createTeamAction} submitLabel="Create team" className="inline">
            <Hidden name="orgId" value={org.id} />
            <Field name="name" label="New team name" />
          </ActionForm>
        )}
      </section>

      {allowed("org:members:read") && (
        <section className="card">
          <h2>Members</h2>
          <table className="table" aria-label="Organization members">
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
                  scopeField={{ name: "orgId", value: org.id }}
                  roles={ORG_ROLES}
                  canManage={manage}
                  changeRole={changeOrgMemberRoleAction}
                  remove={removeOrgMemberAction}
                />
              ))}
            </tbody>
          </table>
          {manage && (
            <>
              <h2>Add a member</h2>
              <ActionForm action={addOrgMemberAction} submitLabel="Add member" className="inline" successMessage="Member added.">
                <Hidden name="orgId" value={org.id} />
                <Field name="email" label="Email of an existing user" type="email" />
                <Field name="role" label="Role" options={roleOptions} defaultValue="member" />
              </ActionForm>
            </>
          )}
        </section>
      )}

      {allowed("org:rename") && (
        <section className="card">
          <h2>Rename</h2>
          <ActionForm action={renameOrgAction} submitLabel="Rename organization" className="inline" resetOnSuccess={false} successMessage="Organization renamed.">
            <Hidden name="orgId" value={org.id} />
            <Field name="name" label="Name" defaultValue={org.name} />
          </ActionForm>
        </section>
      )}

      {allowed("org:delete") && (
        <section className="card danger-zone">
          <h2>Delete organization</h2>
          <p>An organization can be deleted once it has no teams left.</p>
          <ConfirmDelete action={deleteOrgAction} id={org.id} name={org.name} what="organization" />
        </section>
      )}
    </>
  );
}
