import { describe, expect, it } from "vitest";
import { auditHref, encodeCursor, parseAuditSearch } from "@/app/(panel)/audit/search-params";

const TEAM = "6f1d7a52-3a8e-4a8e-9a57-0f6f3f1b2c3d";
const EVENT = "0b9f4c1e-8d3a-4f63-b1a2-7c5e9d2f4a10";

describe("audit log search params", () => {
  it("reads filters, treating blank fields (from the GET form) as absent", () => {
    expect(parseAuditSearch({ team: TEAM, actor: "", action: " team.* " })).toEqual({ team: TEAM, action: "team.*", before: undefined });
    expect(parseAuditSearch({})).toEqual({ before: undefined });
    expect(parseAuditSearch({ team: [TEAM, "other"] })).toMatchObject({ team: TEAM });
  });

  it("refuses a malformed team or actor id (the page shows not found)", () => {
    expect(parseAuditSearch({ team: "not-a-uuid" })).toBeNull();
    expect(parseAuditSearch({ actor: "1 or 1=1" })).toBeNull();
  });

  it("round-trips the page cursor and ignores a damaged one", () => {
    const before = { createdAt: new Date("2026-11-22T12:05:22.123Z"), id: EVENT };
    expect(parseAuditSearch({ before: encodeCursor(before) })).toEqual({ before });
    expect(parseAuditSearch({ before: "yesterday_" + EVENT })).toEqual({ before: undefined });
    expect(parseAuditSearch({ before: "2026-11-22T12:05:22.123Z_nope" })).toEqual({ before: undefined });
  });

  it("builds links that keep the filters", () => {
    expect(auditHref({})).toBe("/audit");
    const before = { createdAt: new Date("2026-11-22T12:05:22.123Z"), id: EVENT };
    const href = auditHref({ team: TEAM, action: "team.*", before });
    const query = new URL(href, "http://x").searchParams;
    expect(query.get("team")).toBe(TEAM);
    expect(query.get("action")).toBe("team.*");
    expect(parseAuditSearch(Object.fromEntries(query))).toEqual({ team: TEAM, action: "team.*", before });
  });
});
