"use client";
// The platform admin's "create a user" form: name, email, optional password, platform-admin flag.
import { ActionForm } from "@/components/ui/action-form";
import { Field } from "@/components/ui/field";
import type { ActionResult } from "@/lib/actions/define-action";
import { PASSWORD_MIN_LENGTH } from "@/lib/users/schemas";

/** Creates an account through `action` and says which one was created. */
export function CreateUserForm({ action }: { action: (previous: unknown, data: FormData) => Promise<ActionResult<unknown>> }) {
  return (
    <ActionForm action={action} submitLabel="Create user" successMessage="User created. Add them to an organization or team to give them access.">
      <Field name="name" label="Name" autoComplete="off" />
      <Field name="email" label="Email" type="email" autoComplete="off" />
      <Field
        name="password"
        label="Password (optional)"
        type="password"
        autoComplete="new-password"
        hint={`At least ${PASSWORD_MIN_LENGTH} characters. Leave empty for an account that signs in through single sign-on (OIDC) only.`}
      />
      <label className="check">
        <input type="checkbox" name="isPlatformAdmin" /> Platform admin — may manage every user, organization and cluster
      </label>
    </ActionForm>
  );
}
