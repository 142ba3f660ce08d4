// The VM disk upload route (served by server.ts before Next.js) rides on the browser's cookie
// when no token is sent: a page of another Origin is refused before the cookie is even read,
// while a token works from anywhere, as for every REST route.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiToken } from "@/lib/api-tokens/service";
import { allowedOriginsFor } from "@/lib/console/gateway/upgrade-auth";
import { getEnv } from "@/lib/env";
import { startUploadServer, type UploadServer } from "@/test/support/upload-server";
import { ENGINES, useTestDatabase } from "./support/databases";
import { auditCount, insertUser } from "./support/fixtures";

const FOREIGN = "http://evil.example";
const REFUSAL = "Uploads are accepted only from the panel's own pages.";

describe.each(ENGINES)("VM disk upload route and Origin on %s", (engine) => {
  const getDb = useTestDatabase(engine);
  let uploads: UploadServer;
  const path = () => `/api/vm-disk-uploads/${randomUUID()}`;
  const image = Buffer.alloc(4096);
  const body = { "content-type": "application/octet-stream", "content-length": String(image.length) };
  const messageOf = async (response: Response) => ((await response.json()) as { error: { message: string } }).error.message;

  beforeAll(async () => {
    uploads = await startUploadServer(getDb);
  });
  afterAll(() => uploads.close());

  it("refuses a foreign page's upload and cancel, cookie or not, and records nothing", async () => {
    const before = await auditCount(getDb());
    const withAndWithoutCookie: Record<string, string>[] = [{}, { cookie: "next-auth.session-token=anything" }];
    for (const cookie of withAndWithoutCookie) {
      const posted = await uploads.send("POST", path(), { ...body, ...cookie, origin: FOREIGN }, image);
      expect(posted.status).toBe(403);
      expect(await messageOf(posted)).toBe(REFUSAL);
      const cancelled = await uploads.send("DELETE", path(), { ...cookie, origin: FOREIGN });
      expect(cancelled.status).toBe(403);
      expect(await messageOf(cancelled)).toBe(REFUSAL);
    }
    expect(await auditCount(getDb())).toBe(before);
  });

  it("lets the panel's own pages through to sign-in, and a token through from anywhere", async () => {
    for (const origin of allowedOriginsFor(getEnv().publicUrl)) {
      const own = await uploads.send("POST", path(), { ...body, origin }, image);
      expect(own.status).toBe(401); // past the Origin check: no session
    }
    const user = await insertUser(getDb());
    const { plaintext } = await createApiToken(getDb(), user, { name: "uploads" });
    const withToken = await uploads.send("POST", path(), { ...body, origin: FOREIGN, authorization: `Bearer ${plaintext}` }, image);
    expect(withToken.status).toBe(404); // signed in by the token; the VM does not exist
    expect(await messageOf(withToken)).toBe("No such VM.");
  });
});
