"use client";
// One click to an organization and team of one's own (the name can be changed first).
import { ActionForm } from "@/components/ui/action-form";
import { Field } from "@/components/ui/field";
import { createPersonalTeamAction } from "@/app/(panel)/actions";

export function PersonalTeamForm({ suggestedName }: { suggestedName: string }) {
  return (
    <ActionForm action={createPersonalTeamAction} submitLabel="Create a personal organization and team for me" className="inline">
      <Field name="orgName" label="Organization name" defaultValue={suggestedName} hint="Its team is called “personal”." />
    </ActionForm>
  );
}
