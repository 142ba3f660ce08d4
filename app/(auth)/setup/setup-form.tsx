"use client";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useRef } from "react";
import { ActionForm } from "@/components/ui/action-form";
import { Field } from "@/components/ui/field";
import { setupFirstAdmin } from "./actions";

export function SetupForm() {
  const router = useRouter();
  const password = useRef("");
  return (
    <ActionForm
      action={setupFirstAdmin}
      submitLabel="Create administrator"
      resetOnSuccess={false}
      onSuccess={async (data) => {
        const { email } = data as { email: string };
        await signIn("credentials", { email, password: password.current, redirect: false });
        router.replace("/");
        router.refresh();
      }}
    >
      <Field name="name" label="Name" autoComplete="name" />
      <Field name="email" label="Email" type="email" autoComplete="username" />
      <Field name="password" label="Password" type="password" autoComplete="new-password" hint="At least 8 characters." onChange={(e) => (password.current = e.target.value)} />
      <Field name="confirmPassword" label="Confirm password" type="password" autoComplete="new-password" />
    </ActionForm>
  );
}
