// The members of an organization or a team: the table, and the add form for those who manage members.
import { ActionForm } from "@/components/ui/action-form";
import { Field, Hidden } from "@/components/ui/field";
import { MemberRow, type MemberView } from "@/components/members/member-row";
import type { ActionResult } from "@/lib/actions/define-action";
import { Table } from "@/components/ui/data-table";

type Action = (previous: unknown, data: FormData) => Promise<ActionResult<unknown>>;

export function MembersCard({
  label,
  members,
  scopeField,
  roles,
  canManage,
  actions,
}: {
  label: string;
  members: MemberView[];
  scopeField: { name: "orgId" | "teamId"; value: string };
  roles: readonly string[];
  canManage: boolean;
  actions: { add: Action; changeRole: Action; remove: Action };
}) {
  return (
    <section className="card">
      <h2>Members</h2>
      <Table label={label} headers={["Name", "Email", "Role", ""]}>
        {members.map((m) => (
          <MemberRow
            key={m.userId}
            member={m}
            scopeField={scopeField}
            roles={roles}
            canManage={canManage}
            changeRole={actions.changeRole}
            remove={actions.remove}
          />
        ))}
      </Table>
      {members.length === 0 && <p className="empty">No members yet.</p>}
      {canManage && (
        <>
          <h2>Add a member</h2>
          <ActionForm action={actions.add} submitLabel="Add member" className="inline" successMessage="Member added.">
            <Hidden name={scopeField.name} value={scopeField.value} />
            <Field name="email" label="Email of an existing user" type="email" />
            <Field name="role" label="Role" options={roles.map((r) => ({ value: r, label: r }))} defaultValue="member" />
          </ActionForm>
        </>
      )}
    </section>
  );
}
