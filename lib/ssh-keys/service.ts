// A user's SSH public keys. Only the owner adds, lists and deletes their keys: every query
// is scoped by the acting user's id, so another user's key id reads as "not found".

import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import { auditSuccess, type Actor } from "@/lib/audit/service";
import type { Db } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import { isUuid } from "@/lib/db/ids";
import { sshKeys } from "@/lib/db/schema";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import { parseInput } from "@/lib/parse-input";
import { parseSshPublicKey } from "@/lib/ssh-keys/parse";

/** An SSH public key as stored and listed. */
export interface SshKey {
  id: string;
  name: string;
  type: string;
  /** `<type> <base64>`: what goes into authorized_keys. */
  publicKey: string;
  /** `SHA256:…` as ssh-keygen prints it. */
  fingerprint: string;
  createdAt: Date;
}

/** Add a key: the pasted .pub line and an optional name (defaults to the key's comment). */
export const addSshKeyInputSchema = z.object({
  name: z.preprocess(
    (v) => (v === "" || v === null ? undefined : v),
    z.string().trim().min(1).max(100, "Use at most 100 characters.").optional(),
  ),
  publicKey: z.string({ error: "Paste a public key." }).max(16 * 1024, "That is too long for a public key."),
});
export type AddSshKeyInput = z.input<typeof addSshKeyInputSchema>;

/** Delete one of your keys. */
export const deleteSshKeyInputSchema = z.object({ keyId: z.uuid({ error: "No such key." }) });
export type DeleteSshKeyInput = z.input<typeof deleteSshKeyInputSchema>;

const keyColumns = {
  id: sshKeys.id,
  name: sshKeys.name,
  type: sshKeys.type,
  publicKey: sshKeys.publicKey,
  fingerprint: sshKeys.fingerprintSha256,
  createdAt: sshKeys.createdAt,
};

function duplicateKey(fingerprint: string): ConflictError {
  return new ConflictError("You already added this key.", { publicKey: `You already added this key (${fingerprint}).` });
}

/** Adds a key for the acting user; garbage, unsupported types and short RSA keys are refused with a message. */
export async function addSshKey(db: Db, actor: Actor, input: AddSshKeyInput): Promise<SshKey> {
  const { name, publicKey } = parseInput(addSshKeyInputSchema, input);
  const parsed = parseSshPublicKey(publicKey);
  if (!parsed.ok) throw new ValidationError("Please correct the highlighted fields.", { publicKey: parsed.error });
  const { key } = parsed;
  const keyName = name ?? (key.comment.slice(0, 100) || `${key.type} key`);
  try {
    return await db.transaction(async (tx) => {
      const [existing] = await tx
        .select({ id: sshKeys.id })
        .from(sshKeys)
        .where(and(eq(sshKeys.userId, actor.userId), eq(sshKeys.fingerprintSha256, key.fingerprint)));
      if (existing) throw duplicateKey(key.fingerprint);
      const [row] = await tx
        .insert(sshKeys)
        .values({ userId: actor.userId, name: keyName, type: key.type, publicKey: key.publicKey, fingerprintSha256: key.fingerprint })
        .returning(keyColumns);
      await auditSuccess(tx, actor, {
        action: "ssh-key.add",
        targetType: "ssh_key",
        targetId: row!.id,
        targetLabel: keyName,
        detail: { type: key.type, fingerprint: key.fingerprint, bits: key.bits },
      });
      return row!;
    });
  } catch (error) {
    if (isUniqueViolation(error, "ssh_keys_user_fingerprint_key")) throw duplicateKey(key.fingerprint);
    throw error;
  }
}

/** The keys of one user, oldest first. */
export async function listSshKeys(db: Db, userId: string): Promise<SshKey[]> {
  if (!isUuid(userId)) return [];
  return db.select(keyColumns).from(sshKeys).where(eq(sshKeys.userId, userId)).orderBy(asc(sshKeys.createdAt), asc(sshKeys.id));
}

/** Deletes one of the acting user's keys; anyone else's key is "not found". */
export async function deleteSshKey(db: Db, actor: Actor, input: DeleteSshKeyInput): Promise<void> {
  const { keyId } = parseInput(deleteSshKeyInputSchema, input);
  await db.transaction(async (tx) => {
    const [deleted] = await tx
      .delete(sshKeys)
      .where(and(eq(sshKeys.id, keyId), eq(sshKeys.userId, actor.userId)))
      .returning({ name: sshKeys.name, fingerprint: sshKeys.fingerprintSha256 });
    if (!deleted) throw new NotFoundError("No such key.");
    await auditSuccess(tx, actor, {
      action: "ssh-key.delete",
      targetType: "ssh_key",
      targetId: keyId,
      targetLabel: deleted.name,
      detail: { fingerprint: deleted.fingerprint },
    });
  });
}
