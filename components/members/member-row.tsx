"use client";
// One member of an org or team: role picker and remove button for those who may manage members.
import { useActionState } from "react";
import { ConfirmAction } from "@/components/ui/confirm-action";
import type { ActionResult } from "@/lib/actions/define-action";

type Action = (previous: unknown, data: FormData) => Promise<ActionResult<unknown>>;

export interface MemberView {
  userId: string;
  name: string;
  email: string;
  role: string;
  disabledAt: Date | null;
}

export function MemberRow({
  member,
  scopeField,
  roles,
  canManage,
  changeRole,
  remove,
}: {
  member: MemberView;
  scopeField: { name: string; value: string };
  roles: readonly string[];
  canManage: boolean;
  changeRole: Action;
  remove: Action;
}) {
  const [roleState, roleAction, rolePending] = useActionState(changeRole, null);
  const error = roleState && !roleState.ok && roleState.error.message;
  return (
    <tr>
      <td>
        {member.name} {member.disabledAt && <span className="badge danger">disabled</span>}
      </td>
      <td>{member.email}</td>
      <td>
        {canManage ? (
          <form action={roleAction}>
            <input type="hidden" name={scopeField.name} value={scopeField.value} />
            <input type="hidden" name="userId" value={member.userId} />
            <select
              name="role"
              aria-label={`Role of ${member.email}`}
              defaultValue={member.role}
              disabled={rolePending}
              onChange={(e) => e.currentTarget.form?.requestSubmit()}
            >
              {roles.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </form>
        ) : (
          member.role
        )}
        {error && (
          <div className="field-error" role="alert">
            {error}
          </div>
        )}
      </td>
      <td className="actions">
        {canManage && (
          <ConfirmAction
            action={remove}
            fields={{ [scopeField.name]: scopeField.value, userId: member.userId }}
            buttonLabel="Remove"
            title={`Remove ${member.email}?`}
          >
            <p>They lose access at once; their account stays.</p>
          </ConfirmAction>
        )}
      </td>
    </tr>
  );
}
