import type { Metadata } from "next";
import Link from "next/link";
import { ActionForm } from "@/components/ui/action-form";
import { Field } from "@/components/ui/field";
import { can } from "@/lib/auth/policy";
import { requireUserForPage } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { listOrgs } from "@/lib/orgs/service";
import { listTeams } from "@/lib/teams/service";
import { createOrgAction } from "./actions";
import { DataTable } from "@/components/ui/data-table";

export const metadata: Metadata = { title: "Teams" };

// Organizations the viewer belongs to (all, for platform admins) with the teams they may see.
export default async function OrgsPage() {
  const { principal } = await requireUserForPage();
  const db = await getDb();
  const [orgs, teams] = await Promise.all([listOrgs(db, principal), listTeams(db, principal)]);
  return (
    <>
      <div className="page-head">
        <h1>Organizations and teams</h1>
      </div>
      {orgs.length === 0 &&
        teams.length === 0 &&
        (can(principal, "orgs:create", { kind: "platform" }) ? (
          <p className="empty">
            No organizations yet. Create one below, or let the <Link href="/">first steps</Link> make a personal organization and team for you in one click.
          </p>
        ) : (
          <p className="empty">You are not in any organization or team yet. Ask an administrator to add you.</p>
        ))}
      {orgs.map((org) => {
        const orgTeams = teams.filter((t) => t.orgId === org.id);
        return (
          <section className="card" key={org.id} aria-label={`Organization ${org.name}`}>
            <div className="page-head">
              <h2>
                <Link href={`/orgs/${org.id}`}>{org.name}</Link>
              </h2>
              {org.role && <span className="badge">{org.role}</span>}
            </div>
            {orgTeams.length === 0 ? (
              <p className="empty">No teams you can see in this organization.</p>
            ) : (
              <DataTable
                label={`Teams of ${org.name}`}
                rows={orgTeams}
                rowKey={(t) => t.id}
                columns={[
                  { text: "Team", cell: (t) => <Link href={`/t/${t.id}/pods`}>{t.name}</Link> },
                  { text: "Your role", cell: (t) => t.role ?? (can(principal, "team:rename", { kind: "team", orgId: t.orgId, teamId: t.id }) ? "org admin" : "—") },
                ]}
              />
            )}
          </section>
        );
      })}
      {teams
        .filter((t) => !orgs.some((o) => o.id === t.orgId))
        .map((t) => (
          <p key={t.id}>
            <Link href={`/t/${t.id}/pods`}>
              {t.orgName} / {t.name}
            </Link>
          </p>
        ))}
      {can(principal, "orgs:create", { kind: "platform" }) && (
        <section className="card">
          <h2>New organization</h2>
          <ActionForm action={createOrgAction} submitLabel="Create organization" className="inline">
            <Field name="name" label="Name" hint="Lowercase letters, digits and dashes work best." />
          </ActionForm>
        </section>
      )}
    </>
  );
}
