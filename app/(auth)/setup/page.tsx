import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getDb } from "@/lib/db";
import { countUsers } from "@/lib/users/service";
import { SetupForm } from "./setup-form";

export const metadata: Metadata = { title: "Set up" };
export const dynamic = "force-dynamic";

// First run only: once any user exists this page sends everyone to sign in.
export default async function SetupPage() {
  if ((await countUsers(await getDb())) > 0) redirect("/sign-in");
  return (
    <main className="auth-page">
      <div className="card auth-card">
        <h1>Welcome to minicloud</h1>
        <p>Create the platform administrator. This page is available only until the first account exists.</p>
        <SetupForm />
      </div>
    </main>
  );
}
