// The signed-in user's personal API tokens: name, prefix, dates, status, and revoke (asks first).
import { ConfirmAction } from "@/components/ui/confirm-action";
import { DataTable } from "@/components/ui/data-table";
import { Time } from "@/components/ui/time";
import type { ActionResult } from "@/lib/actions/define-action";

/** One token as the list shows it (never the secret: only its first characters). */
export interface ApiTokenView {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

type Status = "active" | "expired" | "revoked";

/** The tokens, or an empty state. `now` is when the page was rendered (decides "expired"). */
export function ApiTokenList({
  tokens,
  now,
  revoke,
}: {
  tokens: ApiTokenView[];
  now: Date;
  revoke: (previous: unknown, data: FormData) => Promise<ActionResult<unknown>>;
}) {
  if (tokens.length === 0) return <p className="empty">No API tokens yet.</p>;
  return (
    <DataTable
      label="API tokens"
      rows={tokens.map((token) => ({ token, status: statusOf(token, now) }))}
      rowKey={({ token }) => token.id}
      columns={[
        { text: "Name", cell: ({ token }) => token.name },
        { text: "Token", cell: ({ token }) => <code>{token.prefix}…</code> },
        { text: "Created", className: "nowrap", cell: ({ token }) => <Time value={token.createdAt} /> },
        { text: "Last used", className: "nowrap", cell: ({ token }) => <Time value={token.lastUsedAt} fallback="never" /> },
        { text: "Expires", className: "nowrap", cell: ({ token }) => <Time value={token.expiresAt} fallback="never" /> },
        { text: "Status", cell: ({ status }) => <span className={status === "active" ? "badge ok" : "badge danger"}>{status}</span> },
        {
          className: "actions",
          cell: ({ token, status }) =>
            status !== "revoked" && (
              <ConfirmAction action={revoke} fields={{ tokenId: token.id }} buttonLabel="Revoke" title={`Revoke token “${token.name}”?`}>
                <p>Anything still using it is refused from now on. This cannot be undone.</p>
              </ConfirmAction>
            ),
        },
      ]}
    />
  );
}

function statusOf(token: ApiTokenView, now: Date): Status {
  if (token.revokedAt) return "revoked";
  if (token.expiresAt && token.expiresAt.getTime() <= now.getTime()) return "expired";
  return "active";
}
