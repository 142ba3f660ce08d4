import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { FirstRunChecklistView } from "@/components/first-run/checklist";
import { CURRENT_TEAM_COOKIE } from "@/components/shell/current-team";
import { requireUserForPage } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { readFirstRunChecklist } from "@/lib/first-run/checklist";
import { suggestPersonalOrgName } from "@/lib/first-run/personal-team";
import { localClusterControl } from "@/lib/local-cluster/control";
import { localClusterAvailability } from "@/lib/local-cluster/policy";
import { listTeams } from "@/lib/teams/service";

// Home: for the platform administrator, the first-run checklist until every step is done;
// otherwise the current team's pods, or the teams page for someone in no team yet.
export default async function Home() {
  const { principal, user } = await requireUserForPage();
  const db = await getDb();
  if (principal.isPlatformAdmin) {
    const checklist = await readFirstRunChecklist(db);
    if (!checklist.complete) {
      const availability = localClusterAvailability(getEnv());
      return (
        <>
          <div className="page-head">
            <h1>Welcome, {user.name}</h1>
          </div>
          <p>
            You are the platform administrator. These steps take you from an empty panel to a shell in an SSH pod; each is ticked off as soon as it is done,
            however you do it, and this list goes away once all are.
          </p>
          <FirstRunChecklistView
            checklist={checklist}
            context={{
              suggestedOrgName: suggestPersonalOrgName(user.email),
              localClusterRefusal: availability.allowed ? null : availability.reason,
              localClusterPhase: localClusterControl()?.status().phase ?? "idle",
            }}
          />
        </>
      );
    }
  }
  const teams = await listTeams(db, principal);
  const remembered = (await cookies()).get(CURRENT_TEAM_COOKIE)?.value;
  const team = teams.find((t) => t.id === remembered) ?? teams[0];
  redirect(team ? `/t/${team.id}/pods` : "/orgs");
}
