"use server";
// Platform user administration: create, disable, re-enable. Each needs `users:manage` on the
// platform; the service refuses disabling your own account and records the audit row.
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { platformScope } from "@/lib/actions/scopes";
import { createUser, createUserInputSchema, setUserDisabled } from "@/lib/users/service";

const userInput = z.object({ userId: z.uuid({ error: "No such user." }) });

/** Creates an account; without a password the person signs in through OIDC only. */
export const createUserAction = defineAction({
  name: "user.create",
  input: createUserInputSchema,
  permission: "users:manage",
  scope: platformScope,
  run: async ({ db, actor, input }) => {
    const user = await createUser(db, actor, input);
    return { id: user.id, email: user.email };
  },
});

/** Disables an account and ends its sessions. */
export const disableUserAction = defineAction({
  name: "user.disable",
  input: userInput,
  permission: "users:manage",
  scope: platformScope,
  run: async ({ db, actor, input }) => {
    await setUserDisabled(db, actor, input.userId, true);
  },
});

/** Lets a disabled account sign in again (its old sessions stay ended). */
export const enableUserAction = defineAction({
  name: "user.enable",
  input: userInput,
  permission: "users:manage",
  scope: platformScope,
  run: async ({ db, actor, input }) => {
    await setUserDisabled(db, actor, input.userId, false);
  },
});
