import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { hashPassword } from "@/lib/users/password";
import { users } from "@/lib/db/schema";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import { loadPrincipal } from "@/lib/tenancy/principal";
import {
  countUsers,
  createFirstAdmin,
  createUser,
  findUserByEmail,
  getUser,
  listUsers,
  setUserDisabled,
  upsertOidcUser,
  verifyPassword,
} from "@/lib/users/service";
import { ENGINES, openTestDatabase, useTestDatabase } from "./support/databases";
import { auditCount, auditRowsFor, insertUser, uniqueEmail } from "./support/fixtures";

describe.each(ENGINES)("first-run admin on %s", (engine) => {
  it("is created once; of two concurrent setups exactly one wins", async () => {
    const database = await openTestDatabase(engine);
    try {
      const { db } = database;
      expect(await countUsers(db)).toBe(0);
      const attempts = await Promise.allSettled([
        createFirstAdmin(db, { email: "Admin@Example.test", name: "Admin", password: "correct horse" }),
        createFirstAdmin(db, { email: "other@example.test", name: "Other", password: "correct horse" }),
      ]);
      const won = attempts.filter((a) => a.status === "fulfilled");
      const lost = attempts.filter((a) => a.status === "rejected");
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
      expect(await countUsers(db)).toBe(1);
      const admin = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof createFirstAdmin>>>).value;
      expect(admin.isPlatformAdmin).toBe(true);
      expect(admin.hasPassword).toBe(true);
      const audit = await auditRowsFor(db, admin.id);
      expect(audit.map((a) => [a.action, a.actorId, a.outcome])).toEqual([["user.setup", admin.id, "success"]]);

      await expect(createFirstAdmin(db, { email: "late@example.test", name: "Late", password: "correct horse" })).rejects.toThrow(
        ConflictError,
      );
      expect(await countUsers(db)).toBe(1);
    } finally {
      await database.close();
    }
  });

  it("validates its input and changes nothing on bad input", async () => {
    const database = await openTestDatabase(engine);
    try {
      const error = await createFirstAdmin(database.db, { email: "not-an-email", name: " ", password: "short" }).catch((e) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect(Object.keys((error as ValidationError).fieldErrors ?? {}).sort()).toEqual(["email", "name", "password"]);
      expect(await countUsers(database.db)).toBe(0);
    } finally {
      await database.close();
    }
  });
});

describe.each(ENGINES)("users on %s", (engine) => {
  const db = useTestDatabase(engine);

  it("creates a user with a lower-cased email, audited; duplicates are refused and change nothing", async () => {
    const admin = await insertUser(db(), { isPlatformAdmin: true });
    const email = uniqueEmail("Mixed");
    const user = await createUser(db(), admin, { email: `  ${email.toUpperCase()} `, name: "Ada", password: "" });
    expect(user.email).toBe(email.toLowerCase());
    expect(user.hasPassword).toBe(false);
    expect(user.isPlatformAdmin).toBe(false);
    expect(await findUserByEmail(db(), email.toUpperCase())).toMatchObject({ id: user.id });
    expect(await getUser(db(), user.id)).toMatchObject({ id: user.id, name: "Ada" });
    expect((await listUsers(db())).map((u) => u.id)).toContain(user.id);
    const audit = await auditRowsFor(db(), user.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "user.create", actorId: admin.userId, actorLabel: admin.label, outcome: "success" });

    const before = await auditCount(db());
    const error = await createUser(db(), admin, { email, name: "Again" }).catch((e) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).fieldErrors?.email).toMatch(/already has an account/);
    expect(await auditCount(db())).toBe(before);
  });

  it("never returns the password hash", async () => {
    const admin = await insertUser(db(), { isPlatformAdmin: true });
    const user = await createUser(db(), admin, { email: uniqueEmail(), name: "Bo", password: "a long password" });
    expect(user).not.toHaveProperty("passwordHash");
    expect(await getUser(db(), user.id)).not.toHaveProperty("passwordHash");
  });

  it("verifies passwords; unknown emails and wrong passwords give null", async () => {
    const admin = await insertUser(db(), { isPlatformAdmin: true });
    const email = uniqueEmail();
    const user = await createUser(db(), admin, { email, name: "Cy", password: "a long password" });
    expect(await verifyPassword(db(), email.toUpperCase(), "a long password")).toMatchObject({ id: user.id });
    expect(await verifyPassword(db(), email, "a wrong password")).toBeNull();
    expect(await verifyPassword(db(), uniqueEmail("nobody"), "a long password")).toBeNull();
    expect(await verifyPassword(db(), "garbage", "a long password")).toBeNull();
  });

  it("upgrades a hash made with old parameters after a successful sign-in", async () => {
    const admin = await insertUser(db(), { isPlatformAdmin: true });
    const email = uniqueEmail();
    const user = await createUser(db(), admin, { email, name: "Di" });
    const oldHash = await hashPassword("an old password", { N: 1024, r: 8, p: 1 });
    await db().update(users).set({ passwordHash: oldHash }).where(eq(users.id, user.id));
    expect(await verifyPassword(db(), email, "an old password")).toMatchObject({ id: user.id });
    const [row] = await db().select({ hash: users.passwordHash }).from(users).where(eq(users.id, user.id));
    expect(row!.hash).not.toBe(oldHash);
    expect(row!.hash).toMatch(/^scrypt\$N=32768,r=8,p=1\$/);
    expect(await verifyPassword(db(), email, "an old password")).toMatchObject({ id: user.id });
  });

  it("disables and re-enables a user; old sessions stay dead; nobody disables themselves", async () => {
    const admin = await insertUser(db(), { isPlatformAdmin: true });
    const user = await insertUser(db());
    const issuedBefore = new Date(Date.now() - 1000);
    expect(await loadPrincipal(db(), user.userId, issuedBefore)).not.toBeNull();

    const disabled = await setUserDisabled(db(), admin, user.userId, true);
    expect(disabled.disabledAt).toBeInstanceOf(Date);
    expect(await loadPrincipal(db(), user.userId, new Date())).toBeNull();

    const enabled = await setUserDisabled(db(), admin, user.userId, false);
    expect(enabled.disabledAt).toBeNull();
    expect(await loadPrincipal(db(), user.userId, issuedBefore)).toBeNull();
    expect(await loadPrincipal(db(), user.userId, new Date(Date.now() + 1000))).not.toBeNull();

    const actions = (await auditRowsFor(db(), user.userId)).map((a) => a.action);
    expect(actions).toEqual(["user.disable", "user.enable"]);

    await expect(setUserDisabled(db(), admin, admin.userId, true)).rejects.toThrow(ConflictError);
    await expect(setUserDisabled(db(), admin, "00000000-0000-4000-8000-000000000000", true)).rejects.toThrow(NotFoundError);
    await expect(setUserDisabled(db(), admin, "not-a-uuid", true)).rejects.toThrow(NotFoundError);
  });

  it("creates, finds again and updates OIDC users; links only a verified email", async () => {
    const issuer = "https://idp.example.test";
    const email = uniqueEmail("oidc");
    const created = await upsertOidcUser(db(), { issuer, subject: "sub-1", email, name: "Eve" });
    expect(created).toMatchObject({ email, name: "Eve", hasPassword: false, oidcIssuer: issuer });
    expect((await auditRowsFor(db(), created.id)).map((a) => a.action)).toEqual(["user.create"]);

    const again = await upsertOidcUser(db(), { issuer, subject: "sub-1", email, name: "Eve Renamed" });
    expect(again).toMatchObject({ id: created.id, name: "Eve Renamed" });

    const admin = await insertUser(db(), { isPlatformAdmin: true });
    const localEmail = uniqueEmail("local");
    const local = await createUser(db(), admin, { email: localEmail, name: "Local", password: "a long password" });
    await expect(upsertOidcUser(db(), { issuer, subject: "sub-2", email: localEmail })).rejects.toThrow(ConflictError);
    const linked = await upsertOidcUser(db(), { issuer, subject: "sub-2", email: localEmail, emailVerified: true });
    expect(linked.id).toBe(local.id);
    expect((await auditRowsFor(db(), local.id)).map((a) => a.action)).toEqual(["user.create", "user.link-oidc"]);
    // Another identity cannot take over an already linked account.
    await expect(upsertOidcUser(db(), { issuer, subject: "sub-3", email: localEmail, emailVerified: true })).rejects.toThrow(
      ConflictError,
    );
  });
});
