"use client";
// Creating a personal API token: name and expiry; on success the plaintext is shown once,
// with a copy button, until the user dismisses it or leaves the page.
import { useState } from "react";
import { ActionForm } from "@/components/ui/action-form";
import { Field } from "@/components/ui/field";
import { CopyButton } from "@/components/profile/copy-button";
import type { ActionResult } from "@/lib/actions/define-action";

/** What the create-token action returns: the token's name and its secret, this one time. */
export interface CreatedToken {
  name: string;
  plaintext: string;
}

const EXPIRY_OPTIONS = [
  { value: "30", label: "In 30 days" },
  { value: "90", label: "In 90 days" },
  { value: "365", label: "In one year" },
  { value: "7", label: "In 7 days" },
  { value: "", label: "Never" },
];

/** The create-token form and, after success, the one-time secret box. */
export function NewTokenForm({ action }: { action: (previous: unknown, data: FormData) => Promise<ActionResult<CreatedToken>> }) {
  const [created, setCreated] = useState<CreatedToken | null>(null);
  return (
    <>
      {created && (
        <div className="secret-box alert ok" role="status">
          <strong>Token “{created.name}” created. Copy it now — you will not see it again.</strong>
          <div className="row">
            <code className="secret" aria-label="New API token">
              {created.plaintext}
            </code>
            <CopyButton text={created.plaintext} />
          </div>
          <span className="small">Only a hash is kept. If you lose it, revoke it and create a new one.</span>
          <p>
            <button type="button" onClick={() => setCreated(null)}>
              I have copied it
            </button>
          </p>
        </div>
      )}
      <ActionForm action={action} submitLabel="Create token" className="inline" onSuccess={(data) => setCreated(data as CreatedToken)}>
        <Field name="name" label="Name" placeholder="ci-deploy" autoComplete="off" />
        <Field name="expiresInDays" label="Expires" options={EXPIRY_OPTIONS} defaultValue="30" />
      </ActionForm>
    </>
  );
}
