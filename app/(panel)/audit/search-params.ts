// The audit log's URL: `?team=<id>&actor=<id>&action=team.*&before=<cursor>`. Filters travel
// as GET parameters so a filtered view can be bookmarked and shared.
import { z } from "zod";
import type { AuditCursor } from "@/lib/audit/service";

/** The raw `searchParams` Next.js hands a page. */
export type RawSearchParams = Record<string, string | string[] | undefined>;

/** The audit log's filters as read from the URL. */
export interface AuditSearch {
  team?: string;
  actor?: string;
  action?: string;
  before?: AuditCursor;
}

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

const searchSchema = z.object({
  team: z.preprocess(blankToUndefined, z.uuid().optional()),
  actor: z.preprocess(blankToUndefined, z.uuid().optional()),
  action: z.preprocess(blankToUndefined, z.string().trim().max(100).optional()),
  before: z.preprocess(blankToUndefined, z.string().max(100).optional()),
});

/** The filters in `params`, or null when a team or actor id is malformed (the page shows not found). */
export function parseAuditSearch(params: RawSearchParams): AuditSearch | null {
  const parsed = searchSchema.safeParse({
    team: first(params.team),
    actor: first(params.actor),
    action: first(params.action),
    before: first(params.before),
  });
  if (!parsed.success) return null;
  const { before, ...filters } = parsed.data;
  // A damaged cursor just starts from the newest event again.
  return { ...filters, before: before ? decodeCursor(before) : undefined };
}

/** A page cursor as it appears in the URL: `<ISO time>_<event id>`. */
export function encodeCursor(cursor: AuditCursor): string {
  return `${cursor.createdAt.toISOString()}_${cursor.id}`;
}

function decodeCursor(value: string): AuditCursor | undefined {
  const [time = "", id = ""] = value.split("_");
  const createdAt = new Date(time);
  if (Number.isNaN(createdAt.getTime()) || !z.uuid().safeParse(id).success) return undefined;
  return { createdAt, id };
}

/** The URL of the audit log with these filters. */
export function auditHref(search: AuditSearch): string {
  const query = new URLSearchParams();
  if (search.team) query.set("team", search.team);
  if (search.actor) query.set("actor", search.actor);
  if (search.action) query.set("action", search.action);
  if (search.before) query.set("before", encodeCursor(search.before));
  const text = query.toString();
  return text ? `/audit?${text}` : "/audit";
}
