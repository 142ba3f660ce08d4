// Which organization owns a team, and which namespace the team holds in a cluster, for
// filtering live events: looked up in the database (labels on cluster objects only name the
// team; who may see it is decided from our own rows) and kept in memory for a short while,
// so a burst of pod events costs one query per team, not one per event.
import { and, eq } from "drizzle-orm";
import type { Db } from "@/lib/db";
import { isUuid } from "@/lib/db/ids";
import { clusterAssignments, teams } from "@/lib/db/schema";

/** A team's place: its organization, and its namespace in one cluster. */
export interface TeamPlacement {
  orgId: string;
  namespace: string;
}

/** Cached lookups of (cluster, team) → placement; null when the team has no namespace there. */
export class TeamPlacements {
  private readonly entries = new Map<string, { at: number; value: Promise<TeamPlacement | null> }>();

  constructor(
    private readonly db: Db,
    /** How long an answer is reused: an assignment removed from a team stops its events within this time. */
    private readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Where `teamId` lives in `clusterId`, or null (unknown team, or not assigned to that cluster). */
  get(clusterId: string, teamId: string): Promise<TeamPlacement | null> {
    if (!isUuid(teamId)) return Promise.resolve(null);
    const key = `${clusterId}/${teamId}`;
    const cached = this.entries.get(key);
    if (cached && this.now() - cached.at < this.ttlMs) return cached.value;
    const value = this.load(clusterId, teamId).catch((error: unknown) => {
      this.entries.delete(key); // do not remember a failed query
      throw error;
    });
    this.entries.set(key, { at: this.now(), value });
    return value;
  }

  /** Forgets every answer (tests; a cluster was removed). */
  clear(): void {
    this.entries.clear();
  }

  private async load(clusterId: string, teamId: string): Promise<TeamPlacement | null> {
    const [row] = await this.db
      .select({ orgId: teams.orgId, namespace: clusterAssignments.namespace })
      .from(clusterAssignments)
      .innerJoin(teams, eq(teams.id, clusterAssignments.teamId))
      .where(and(eq(clusterAssignments.clusterId, clusterId), eq(clusterAssignments.teamId, teamId)));
    return row ?? null;
  }
}
