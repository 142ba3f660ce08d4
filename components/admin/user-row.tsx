"use client";
// One account in the platform admin's user list, with disable (asks first) or re-enable.
import { ConfirmAction } from "@/components/ui/confirm-action";
import { Time } from "@/components/ui/time";
import { ActionForm } from "@/components/ui/action-form";
import type { ActionResult } from "@/lib/actions/define-action";
import type { User } from "@/lib/users/service";

type ServerAction = (previous: unknown, data: FormData) => Promise<ActionResult<unknown>>;

/** A table row for `user`; `isMe` marks the admin's own account. */
export function UserRow({ user, isMe, disable, enable }: { user: User; isMe: boolean; disable: ServerAction; enable: ServerAction }) {
  return (
    <tr>
      <td>
        {user.name} {isMe && <span className="badge">you</span>} {user.isPlatformAdmin && <span className="badge ok">platform admin</span>}{" "}
        {user.disabledAt && <span className="badge danger">disabled</span>}
      </td>
      <td>{user.email}</td>
      <td>{signInMethods(user)}</td>
      <td>
        <Time value={user.createdAt} />
      </td>
      <td className="actions">
        {user.disabledAt ? (
          <ActionForm action={enable} submitLabel="Re-enable" className="inline-end" resetOnSuccess={false}>
            <input type="hidden" name="userId" value={user.id} />
          </ActionForm>
        ) : (
          <ConfirmAction action={disable} fields={{ userId: user.id }} buttonLabel="Disable" title={`Disable ${user.email}?`}>
            <p>They are signed out everywhere at once and cannot sign in until re-enabled. Their memberships and resources stay.</p>
          </ConfirmAction>
        )}
      </td>
    </tr>
  );
}

function signInMethods(user: User): string {
  if (user.hasPassword && user.oidcIssuer) return "password, single sign-on";
  if (user.hasPassword) return "password";
  return "single sign-on only";
}
