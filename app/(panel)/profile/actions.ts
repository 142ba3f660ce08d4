"use server";
// The signed-in user's own ssh keys and API tokens. These are "signed in" actions: the
// services act on `actor.userId` (from the session), never on a user id from the form.
import { defineAction } from "@/lib/actions/define-action";
import { createApiToken, createApiTokenInputSchema, revokeApiToken, revokeApiTokenInputSchema } from "@/lib/api-tokens/service";
import { addSshKey, addSshKeyInputSchema, deleteSshKey, deleteSshKeyInputSchema } from "@/lib/ssh-keys/service";

/** Adds a pasted public key to the caller's keys. */
export const addSshKeyAction = defineAction({
  name: "ssh-key.add",
  input: addSshKeyInputSchema,
  signedIn: true,
  run: async ({ db, actor, input }) => {
    const key = await addSshKey(db, actor, input);
    return { name: key.name, fingerprint: key.fingerprint };
  },
});

/** Deletes one of the caller's keys. */
export const deleteSshKeyAction = defineAction({
  name: "ssh-key.delete",
  input: deleteSshKeyInputSchema,
  signedIn: true,
  run: ({ db, actor, input }) => deleteSshKey(db, actor, input),
});

/** Creates a token for the caller; the plaintext goes back to the form this once. */
export const createApiTokenAction = defineAction({
  name: "api-token.create",
  input: createApiTokenInputSchema,
  signedIn: true,
  run: async ({ db, actor, input }) => {
    const { token, plaintext } = await createApiToken(db, actor, input);
    return { name: token.name, plaintext };
  },
});

/** Revokes one of the caller's tokens. */
export const revokeApiTokenAction = defineAction({
  name: "api-token.revoke",
  input: revokeApiTokenInputSchema,
  signedIn: true,
  run: async ({ db, actor, input }) => {
    await revokeApiToken(db, actor, input);
  },
});
