// The audit log's filter form: a plain GET form, so the filters end up in the URL.
import Link from "next/link";
import { Field } from "@/components/ui/field";

interface Choice {
  value: string;
  label: string;
}

/** Filters by team, actor and action; the choices are only what the viewer may audit. */
export function AuditFilters({
  search,
  teams,
  actors,
}: {
  search: { team?: string; actor?: string; action?: string };
  teams: Choice[];
  actors: Choice[];
}) {
  return (
    <form method="get" action="/audit" className="inline filters" role="search" aria-label="Filter the audit log">
      <Field name="team" label="Team" options={[{ value: "", label: "All teams" }, ...teams]} defaultValue={search.team ?? ""} />
      <Field name="actor" label="Actor" options={[{ value: "", label: "Anyone" }, ...actors]} defaultValue={search.actor ?? ""} />
      <Field name="action" label="Action" defaultValue={search.action ?? ""} placeholder="team.rename or team.*" />
      <button type="submit" className="primary">
        Filter
      </button>
      {(search.team || search.actor || search.action) && <Link href="/audit">Clear filters</Link>}
    </form>
  );
}
