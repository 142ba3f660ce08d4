// The platform administrator's first-run checklist: what is left between a fresh panel and a
// shell in a pod. Every step's state is read from the database (teams, clusters, assignments,
// SSH pods, terminal sessions), never stored as a flag, so a step is done however it was done
// and the checklist goes away once all of them are. A read-only view across domains.
import { and, asc, count, desc, eq, inArray } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { clusterAssignments, clusters, consoleSessions, teams, workloads } from "@/lib/db/schema";

export type ChecklistStepId = "team" | "cluster" | "assign" | "pod" | "terminal";

/** One step: whether it is done, and where its form is (when there is one to go to yet). */
export interface ChecklistStep {
  id: ChecklistStepId;
  title: string;
  done: boolean;
  href: string | null;
}

/** The checklist with what the steps point at. */
export interface FirstRunChecklist {
  steps: ChecklistStep[];
  complete: boolean;
  /** The first cluster registered, and whether it is the built-in one. */
  cluster: { id: string; name: string; builtIn: boolean } | null;
  /** A team that has a cluster (else any team): where the pod steps lead. */
  teamId: string | null;
  /** The newest SSH pod still there: where the terminal step leads. */
  podId: string | null;
}

/** Reads the checklist's state from the database. */
export async function readFirstRunChecklist(db: Db): Promise<FirstRunChecklist> {
  const [[teamCount], [cluster], assigned, [pod]] = await Promise.all([
    db.select({ n: count() }).from(teams),
    db
      .select({ id: clusters.id, name: clusters.name, builtIn: clusters.builtIn })
      .from(clusters)
      .orderBy(desc(clusters.builtIn), asc(clusters.createdAt))
      .limit(1),
    db.select({ teamId: clusterAssignments.teamId }).from(clusterAssignments).orderBy(asc(clusterAssignments.createdAt)).limit(1),
    db
      .select({ id: workloads.id, teamId: workloads.teamId })
      .from(workloads)
      .where(and(eq(workloads.kind, "ssh-pod"), inArray(workloads.state, ["creating", "ready"])))
      .orderBy(desc(workloads.createdAt))
      .limit(1),
  ]);
  const [anyTeam] = (teamCount?.n ?? 0) > 0 ? await db.select({ id: teams.id }).from(teams).orderBy(asc(teams.createdAt)).limit(1) : [];
  const [session] = await db
    .select({ id: consoleSessions.id })
    .from(consoleSessions)
    .innerJoin(workloads, eq(workloads.id, consoleSessions.workloadId))
    .where(eq(workloads.kind, "ssh-pod"))
    .limit(1);

  const teamId = assigned[0]?.teamId ?? anyTeam?.id ?? null;
  const podTeamId = pod?.teamId ?? teamId;
  const steps: ChecklistStep[] = [
    { id: "team", title: "Create an organization and a team", done: anyTeam !== undefined, href: "/orgs" },
    { id: "cluster", title: "Use the built-in local cluster, or register one", done: cluster !== undefined, href: "/admin/local-cluster" },
    { id: "assign", title: "Assign the cluster to a team", done: assigned.length > 0, href: cluster ? `/admin/clusters/${cluster.id}` : null },
    { id: "pod", title: "Create an SSH pod", done: pod !== undefined || session !== undefined, href: teamId ? `/t/${teamId}/pods/new` : null },
    { id: "terminal", title: "Open its terminal", done: session !== undefined, href: pod && podTeamId ? `/t/${podTeamId}/pods/${pod.id}/terminal` : null },
  ];
  return { steps, complete: steps.every((s) => s.done), cluster: cluster ?? null, teamId, podId: pod?.id ?? null };
}
