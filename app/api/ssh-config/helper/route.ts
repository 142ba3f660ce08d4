// Download of the ProxyCommand helper script named in ssh_config (public: it holds no secret).
import { readFile } from "node:fs/promises";
import path from "node:path";

export const dynamic = "force-dynamic";

export async function GET() {
  const script = await readFile(path.join(process.cwd(), "bin", "minicloud-ssh-proxy.mjs"), "utf8");
  return new Response(script, {
    headers: { "content-type": "text/javascript; charset=utf-8", "content-disposition": 'attachment; filename="minicloud-ssh-proxy.mjs"' },
  });
}
