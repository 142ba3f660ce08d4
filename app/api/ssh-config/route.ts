// Download of the signed-in user's ssh_config (only the pods they may reach).
import { getCurrentUser } from "@/lib/auth/session";
import { sshConfigFor } from "@/lib/console/bridges/ssh/ssh-config";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";

export const dynamic = "force-dynamic";

export async function GET() {
  const current = await getCurrentUser();
  if (!current) return new Response("Please sign in.\n", { status: 401, headers: { "content-type": "text/plain; charset=utf-8" } });
  const body = await sshConfigFor(await getDb(), current.principal, { panelUrl: getEnv().publicUrl });
  return new Response(body, {
    headers: {
      "content-type": "text/plain; charset=utf-8",
      "content-disposition": 'attachment; filename="minicloud_ssh_config"',
      "cache-control": "no-store",
    },
  });
}
