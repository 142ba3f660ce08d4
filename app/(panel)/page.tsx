import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { CURRENT_TEAM_COOKIE } from "@/components/shell/current-team";
import { requireUserForPage } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { listTeams } from "@/lib/teams/service";

// Home: the current team's pods, or the teams page for someone in no team yet.
export default async function Home() {
  const { principal } = await requireUserForPage();
  const teams = await listTeams(await getDb(), principal);
  const remembered = (await cookies()).get(CURRENT_TEAM_COOKIE)?.value;
  const team = teams.find((t) => t.id === remembered) ?? teams[0];
  redirect(team ? `/t/${team.id}/pods` : "/orgs");
}
