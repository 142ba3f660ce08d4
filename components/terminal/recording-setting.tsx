// The organization setting "Record browser terminals": its state in words and one button that
// flips it. Off by default; only the output is recorded (never keystrokes), from the next
// session on.
import { ActionForm } from "@/components/ui/action-form";
import { Hidden } from "@/components/ui/field";
import type { ActionResult } from "@/lib/actions/define-action";

type ServerAction = (previous: unknown, data: FormData) => Promise<ActionResult<unknown>>;

/** The setting for organization `orgId`; `action` is `setTerminalRecordingAction`. */
export function RecordingSetting({ orgId, enabled, action }: { orgId: string; enabled: boolean; action: ServerAction }) {
  return (
    <div data-testid="recording-setting" data-enabled={enabled}>
      <p>
        <strong>Record browser terminals: {enabled ? "on" : "off"}.</strong>{" "}
        {enabled
          ? "The output of every new browser terminal in this organization is recorded; admins replay it from the audit log. Users see a “Recorded” badge."
          : "When on, the output of browser terminals (not what users type) is kept for replay from the audit log."}
      </p>
      <ActionForm action={action} submitLabel={enabled ? "Stop recording terminals" : "Record browser terminals"} className="inline" resetOnSuccess={false}>
        <Hidden name="orgId" value={orgId} />
        <Hidden name="enabled" value={enabled ? "false" : "true"} />
      </ActionForm>
    </div>
  );
}
