import { cookies } from "next/headers";
import type { ReactNode } from "react";
import { NavLink } from "@/components/shell/nav-link";
import { SignOutButton } from "@/components/shell/sign-out-button";
import { CURRENT_TEAM_COOKIE } from "@/components/shell/current-team";
import { TeamNav } from "@/components/shell/team-switcher";
import { ThemeToggle } from "@/components/shell/theme-toggle";
import { Providers } from "@/components/providers";
import { requireUserForPage } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { listTeams } from "@/lib/teams/service";

export const dynamic = "force-dynamic";

// The app shell: navigation, team switcher, theme and the signed-in user.
export default async function PanelLayout({ children }: { children: ReactNode }) {
  const { principal, user } = await requireUserForPage();
  const teams = await listTeams(await getDb(), principal);
  const rememberedTeamId = (await cookies()).get(CURRENT_TEAM_COOKIE)?.value;
  return (
    <Providers>
      <div className="shell">
        <aside className="sidebar">
          <div className="brand">minicloud</div>
          <TeamNav teams={teams.map((t) => ({ id: t.id, label: `${t.orgName} / ${t.name}` }))} rememberedTeamId={rememberedTeamId} />
          <nav className="nav" aria-label="Main">
            <span className="nav-label">Manage</span>
            <NavLink href="/orgs">Teams</NavLink>
            <NavLink href="/audit">Audit log</NavLink>
            {principal.isPlatformAdmin && <NavLink href="/admin/users">Admin</NavLink>}
            {principal.isPlatformAdmin && <NavLink href="/admin/clusters">Clusters</NavLink>}
            {principal.isPlatformAdmin && <NavLink href="/admin/sessions">Sessions</NavLink>}
            {principal.isPlatformAdmin && <NavLink href="/admin/drift">Drift</NavLink>}
            <NavLink href="/profile">Profile</NavLink>
          </nav>
          <div className="sidebar-foot">
            <span title={user.email}>{user.name}</span>
            <ThemeToggle />
            <SignOutButton />
          </div>
        </aside>
        <main className="main">{children}</main>
      </div>
    </Providers>
  );
}
