import type { Metadata } from "next";
import Link from "next/link";
import { MembersCard } from "@/components/members/members-card";
import { ActionForm } from "@/components/ui/action-form";
import { ConfirmDelete } from "@/components/ui/confirm-delete";
import { Field, Hidden } from "@/components/ui/field";
import { ORG_ROLES } from "@/lib/auth/policy";
import { loadOrgForPage } from "@/lib/access/page-access";
import { listOrgMembers } from "@/lib/orgs/service";
import { listTeams } from "@/lib/teams/service";
import { LiveSessionsTable } from "@/components/terminal/live-sessions-table";
import { RecordingSetting } from "@/components/terminal/recording-setting";
import { isSessionAdmin } from "@/lib/console/session/live-sessions";
import { listOpenSessions } from "@/lib/console/session/session-admin";
import { endTerminalSessionAction, setTerminalRecordingAction } from "@/app/(panel)/admin/sessions/actions";
import { isRecordingEnabled } from "@/lib/console/session/session-store";
import {
  addOrgMemberAction,
  changeOrgMemberRoleAction,
  createTeamAction,
  deleteOrgAction,
  removeOrgMemberAction,
  renameOrgAction,
} from "../actions";

export const metadata: Metadata = { title: "Organization" };

export default async function OrgPage({ params }: { params: Promise<{ orgId: string }> }) {
  const { db, org, principal, allowed } = await loadOrgForPage((await params).orgId);
  const [members, teams] = await Promise.all([listOrgMembers(db, org.id), listTeams(db, principal, { orgId: org.id })]);
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

      {allowed("clusters:assign") && (
        <section className="card">
          <h2>Clusters</h2>
          <p>Give this organization&apos;s teams a registered cluster with a quota, or change their quotas.</p>
          <Link href={`/orgs/${org.id}/clusters`}>Assign a cluster</Link>
        </section>
      )}

      {allowed("nested:manage") && (
        <section className="card">
          <h2>Nested clusters</h2>
          <p>Kubernetes control planes of their own, running as pods in a host cluster, for this organization&apos;s teams.</p>
          <Link href={`/orgs/${org.id}/nested`}>Nested clusters</Link>
        </section>
      )}

      {isSessionAdmin(principal, org.id) && (
        <section className="card" aria-labelledby="terminals-title">
          <h2 id="terminals-title">Terminals</h2>
          <RecordingSetting orgId={org.id} enabled={await isRecordingEnabled(db, org.id)} action={setTerminalRecordingAction} />
          <h3>Open sessions</h3>
          <LiveSessionsTable sessions={await listOpenSessions(db, principal, { orgId: org.id })} endAction={endTerminalSessionAction} />
        </section>
      )}

      {allowed("org:members:read") && (
        <MembersCard
          label="Organization members"
          members={members}
          scopeField={{ name: "orgId", value: org.id }}
          roles={ORG_ROLES}
          canManage={allowed("org:members:manage")}
          actions={{ add: addOrgMemberAction, changeRole: changeOrgMemberRoleAction, remove: removeOrgMemberAction }}
        />
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
