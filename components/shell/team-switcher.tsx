"use client";
// The current team and the links into it. The team comes from the URL (/t/<team id>/…)
// when on a team page, else from the last choice (a cookie), else the first team.
import { usePathname, useRouter } from "next/navigation";
import { useEffect } from "react";
import { CURRENT_TEAM_COOKIE } from "@/components/shell/current-team";
import { NavLink } from "@/components/shell/nav-link";

export interface TeamChoice {
  id: string;
  label: string;
}

const TEAM_SECTIONS = [
  { section: "pods", label: "Pods" },
  { section: "vms", label: "VMs" },
  { section: "clusters", label: "Clusters" },
] as const;

function rememberTeam(id: string) {
  document.cookie = `${CURRENT_TEAM_COOKIE}=${id}; path=/; max-age=31536000; samesite=lax`;
}

export function TeamNav({ teams, rememberedTeamId }: { teams: TeamChoice[]; rememberedTeamId: string | undefined }) {
  const router = useRouter();
  const pathname = usePathname();
  const fromUrl = pathname.match(/^\/t\/([^/]+)/)?.[1];
  const currentId =
    teams.find((t) => t.id === fromUrl)?.id ?? teams.find((t) => t.id === rememberedTeamId)?.id ?? teams[0]?.id ?? null;

  useEffect(() => {
    if (fromUrl && currentId === fromUrl) rememberTeam(fromUrl);
  }, [fromUrl, currentId]);

  if (!currentId) {
    return <p className="nav-label">You are in no team yet</p>;
  }
  return (
    <>
      <select
        aria-label="Current team"
        value={currentId}
        onChange={(e) => {
          const id = e.target.value;
          rememberTeam(id);
          // Stay on the same kind of page (pods, VMs, …) in the newly chosen team.
          const section = pathname.match(/^\/t\/[^/]+\/([^/]+)/)?.[1] ?? "pods";
          router.push(`/t/${id}/${section}`);
        }}
      >
        {teams.map((t) => (
          <option key={t.id} value={t.id}>
            {t.label}
          </option>
        ))}
      </select>
      <nav className="nav" aria-label="Team">
        {TEAM_SECTIONS.map(({ section, label }) => (
          <NavLink key={section} href={`/t/${currentId}/${section}`}>
            {label}
          </NavLink>
        ))}
        <NavLink href={`/t/${currentId}/settings`}>Team settings</NavLink>
      </nav>
    </>
  );
}
