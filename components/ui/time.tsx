// A point in time as the panel shows it: "2026-11-22 14:05 UTC", with the exact ISO value on hover.
// UTC on purpose, so what one admin reads matches the server logs and what another admin reads.

/** Formats a date as `YYYY-MM-DD HH:MM UTC`. */
export function formatUtc(value: Date): string {
  return `${value.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** A `<time>` element for a date, or a dash (or `fallback`) when there is none. */
export function Time({ value, fallback = "—" }: { value: Date | null | undefined; fallback?: string }) {
  if (!value) return <span className="muted">{fallback}</span>;
  const iso = value.toISOString();
  return (
    <time dateTime={iso} title={iso}>
      {formatUtc(value)}
    </time>
  );
}
