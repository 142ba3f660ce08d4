import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getCurrentUser } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { countUsers } from "@/lib/users/service";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  if ((await countUsers(await getDb())) === 0) redirect("/setup");
  if (await getCurrentUser()) redirect("/");
  const { error } = await searchParams;
  const oidc = getEnv().oidc;
  return (
    <main className="auth-page">
      <div className="card auth-card">
        <h1>Sign in to minicloud</h1>
        <SignInForm oidcName={oidc?.displayName ?? null} initialError={describeError(error)} />
      </div>
    </main>
  );
}

// next-auth reports some failures as codes in ?error=; authorize() messages come through as text.
function describeError(error: string | undefined): string | null {
  if (!error) return null;
  if (error === "oidc" || error === "OAuthSignin" || error === "OAuthCallback") return "Single sign-on failed. Try again or use your password.";
  if (error === "SessionRequired") return "Please sign in.";
  if (/^[A-Z][A-Za-z]+$/.test(error)) return "Sign-in failed. Please try again.";
  return error.slice(0, 200);
}
