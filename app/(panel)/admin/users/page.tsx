import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { UserRow } from "@/components/admin/user-row";
import { CreateUserForm } from "@/components/admin/create-user-form";
import { can } from "@/lib/auth/policy";
import { requireUserForPage } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { listUsers } from "@/lib/users/service";
import { createUserAction, disableUserAction, enableUserAction } from "./actions";
import { Table } from "@/components/ui/data-table";

export const metadata: Metadata = { title: "Users" };

// Platform admins only: every account, creating accounts, disabling and re-enabling them.
export default async function AdminUsersPage() {
  const { principal, user: me } = await requireUserForPage();
  if (!can(principal, "users:manage", { kind: "platform" })) notFound();
  const users = await listUsers(await getDb());
  return (
    <>
      <div className="page-head">
        <h1>Users</h1>
      </div>

      <section className="card">
        <h2>Accounts</h2>
        {users.length === 0 ? (
          <p className="empty">No users yet.</p>
        ) : (
          <Table label="Users" headers={["Name", "Email", "Sign-in", "Created", ""]}>
            {users.map((u) => (
              <UserRow key={u.id} user={u} isMe={u.id === me.id} disable={disableUserAction} enable={enableUserAction} />
            ))}
          </Table>
        )}
      </section>

      <section className="card">
        <h2>Create a user</h2>
        <CreateUserForm action={createUserAction} />
      </section>
    </>
  );
}
