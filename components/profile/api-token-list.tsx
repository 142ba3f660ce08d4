// The signed-in user's personal API tokens: name, prefix, dates, status, and revoke (asks first).
import { ConfirmAction } from "@/components/ui/confirm-action";
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
    <table className="table" aria-label="API tokens">
      <thead>
        <tr>
          <th>Name</th>
          <th>Token</th>
          <th>Created</th>
          <th>Last used</th>
          <th>Expires</th>
          <th>Status</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {tokens.map((token) => {
          const status = statusOf(token, now);
          return (
            <tr key={token.id}>
              <td>{token.name}</td>
              <td>
                <code>{token.prefix}…</code>
              </td>
              <td className="nowrap">
                <Time value={token.createdAt} />
              </td>
              <td className="nowrap">
                <Time value={token.lastUsedAt} fallback="never" />
              </td>
              <td className="nowrap">
                <Time value={token.expiresAt} fallback="never" />
              </td>
              <td>
                <span className={status === "active" ? "badge ok" : "badge danger"}>{status}</span>
              </td>
              <td className="actions">
                {status !== "revoked" && (
                  <ConfirmAction action={revoke} fields={{ tokenId: token.id }} buttonLabel="Revoke" title={`Revoke token “${token.name}”?`}>
                    <p>Anything still using it is refused from now on. This cannot be undone.</p>
                  </ConfirmAction>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function statusOf(token: ApiTokenView, now: Date): Status {
  if (token.revokedAt) return "revoked";
  if (token.expiresAt && token.expiresAt.getTime() <= now.getTime()) return "expired";
  return "active";
}
