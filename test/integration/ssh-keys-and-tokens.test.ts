import { generateKeyPairSync } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { authenticateApiToken, createApiToken, listApiTokens, revokeApiToken } from "@/lib/api-tokens/service";
import { hashApiToken } from "@/lib/api-tokens/token";
import { apiTokens } from "@/lib/db/schema";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import { addSshKey, deleteSshKey, listSshKeys } from "@/lib/ssh-keys/service";
import { setUserDisabled } from "@/lib/users/service";
import { ENGINES, useTestDatabase } from "./support/databases";
import { auditCount, auditRowsFor, insertUser } from "./support/fixtures";

// An OpenSSH line for a fresh Ed25519 key: the raw public key is the last 32 bytes of its SPKI DER.
function ed25519Line(comment: string): string {
  const { publicKey } = generateKeyPairSync("ed25519");
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  const type = Buffer.from("ssh-ed25519");
  const blob = Buffer.alloc(4 + type.length + 4 + raw.length);
  blob.writeUInt32BE(type.length, 0);
  type.copy(blob, 4);
  blob.writeUInt32BE(raw.length, 4 + type.length);
  raw.copy(blob, 8 + type.length);
  return `ssh-ed25519 ${blob.toString("base64")} ${comment}`;
}

describe.each(ENGINES)("ssh keys on %s", (engine) => {
  const db = useTestDatabase(engine);

  it("adds, lists and deletes the owner's keys, audited", async () => {
    const user = await insertUser(db());
    const line = ed25519Line("me@laptop");
    const key = await addSshKey(db(), user, { publicKey: `  ${line}\n` });
    expect(key).toMatchObject({ name: "me@laptop", type: "ssh-ed25519", publicKey: line.split(" ").slice(0, 2).join(" ") });
    expect(key.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    const named = await addSshKey(db(), user, { name: "Work", publicKey: ed25519Line("") });
    expect(named.name).toBe("Work");
    expect((await listSshKeys(db(), user.userId)).map((k) => k.id)).toEqual([key.id, named.id]);

    await deleteSshKey(db(), user, { keyId: key.id });
    expect((await listSshKeys(db(), user.userId)).map((k) => k.id)).toEqual([named.id]);
    expect((await auditRowsFor(db(), key.id)).map((a) => [a.action, a.actorId])).toEqual([
      ["ssh-key.add", user.userId],
      ["ssh-key.delete", user.userId],
    ]);
  });

  it("refuses duplicates for the same user (not across users) and garbage, changing nothing", async () => {
    const user = await insertUser(db());
    const other = await insertUser(db());
    const line = ed25519Line("shared");
    await addSshKey(db(), user, { publicKey: line });
    await addSshKey(db(), other, { publicKey: line });
    const before = await auditCount(db());
    const duplicate = await addSshKey(db(), user, { publicKey: line.replace("shared", "renamed") }).catch((e) => e);
    expect(duplicate).toBeInstanceOf(ConflictError);
    expect((duplicate as ConflictError).fieldErrors?.publicKey).toMatch(/already added/);
    const garbage = await addSshKey(db(), user, { publicKey: "ssh-ed25519 AAAAnot-base64!" }).catch((e) => e);
    expect(garbage).toBeInstanceOf(ValidationError);
    expect((garbage as ValidationError).fieldErrors?.publicKey).toBeTruthy();
    expect(await auditCount(db())).toBe(before);
    expect(await listSshKeys(db(), user.userId)).toHaveLength(1);
  });

  it("never deletes another user's key", async () => {
    const owner = await insertUser(db());
    const intruder = await insertUser(db());
    const key = await addSshKey(db(), owner, { publicKey: ed25519Line("mine") });
    await expect(deleteSshKey(db(), intruder, { keyId: key.id })).rejects.toThrow(NotFoundError);
    expect(await listSshKeys(db(), owner.userId)).toHaveLength(1);
  });
});

describe.each(ENGINES)("API tokens on %s", (engine) => {
  const db = useTestDatabase(engine);

  it("creates a token shown once, stores only its hash, and authenticates it", async () => {
    const user = await insertUser(db());
    const { token, plaintext } = await createApiToken(db(), user, { name: "ci", expiresInDays: "30" });
    expect(plaintext).toMatch(/^mc_[A-Za-z0-9_-]{43}$/);
    expect(plaintext.startsWith(token.prefix)).toBe(true);
    expect(token.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 29 * 24 * 3600 * 1000);
    const [row] = await db().select().from(apiTokens).where(eq(apiTokens.id, token.id));
    expect(row!.tokenHash).toBe(hashApiToken(plaintext));
    expect(JSON.stringify(row)).not.toContain(plaintext);
    expect(await listApiTokens(db(), user.userId)).toEqual([expect.not.objectContaining({ tokenHash: expect.anything() })]);

    expect(await authenticateApiToken(db(), plaintext)).toEqual({ userId: user.userId, email: user.email, name: expect.any(String), tokenId: token.id });
    const [used] = await listApiTokens(db(), user.userId);
    expect(used!.lastUsedAt).toBeInstanceOf(Date);
    expect(await authenticateApiToken(db(), plaintext.slice(0, -1) + (plaintext.endsWith("A") ? "B" : "A"))).toBeNull();
    expect(await authenticateApiToken(db(), "garbage")).toBeNull();
    expect(await auditRowsFor(db(), token.id)).toMatchObject([{ action: "api-token.create", actorId: user.userId }]);
  });

  it("refuses revoked and expired tokens and tokens of disabled users", async () => {
    const admin = await insertUser(db(), { isPlatformAdmin: true });
    const user = await insertUser(db());
    const revoked = await createApiToken(db(), user, { name: "revoked" });
    expect(revoked.token.expiresAt).toBeNull();
    await revokeApiToken(db(), user, { tokenId: revoked.token.id });
    expect(await authenticateApiToken(db(), revoked.plaintext)).toBeNull();
    expect((await auditRowsFor(db(), revoked.token.id)).map((a) => a.action)).toEqual(["api-token.create", "api-token.revoke"]);

    const expired = await createApiToken(db(), user, { name: "expired", expiresInDays: 1 });
    await db().update(apiTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(apiTokens.id, expired.token.id));
    expect(await authenticateApiToken(db(), expired.plaintext)).toBeNull();

    const live = await createApiToken(db(), user, { name: "live" });
    expect(await authenticateApiToken(db(), live.plaintext)).not.toBeNull();
    await setUserDisabled(db(), admin, user.userId, true);
    expect(await authenticateApiToken(db(), live.plaintext)).toBeNull();
  });

  it("validates input and never revokes another user's token", async () => {
    const owner = await insertUser(db());
    const intruder = await insertUser(db());
    const before = await auditCount(db());
    const bad = await createApiToken(db(), owner, { name: " ", expiresInDays: "-3" }).catch((e) => e);
    expect(bad).toBeInstanceOf(ValidationError);
    expect(Object.keys((bad as ValidationError).fieldErrors ?? {}).sort()).toEqual(["expiresInDays", "name"]);
    expect(await auditCount(db())).toBe(before);

    const { token, plaintext } = await createApiToken(db(), owner, { name: "mine" });
    await expect(revokeApiToken(db(), intruder, { tokenId: token.id })).rejects.toThrow(NotFoundError);
    expect(await authenticateApiToken(db(), plaintext)).not.toBeNull();
  });
});
