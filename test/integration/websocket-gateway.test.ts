// The /ws/* gateway refuses an upgrade without an allowed Origin or without a current session,
// and lets a signed-in user from the panel's own Origin through to a route.
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { encode } from "next-auth/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createWebSocketGateway } from "@/lib/console/gateway/gateway";
import { allowedOriginsFor } from "@/lib/console/gateway/upgrade-auth";
import { setUserDisabled } from "@/lib/users/service";
import { ENGINES, useTestDatabase } from "./support/databases";
import { insertUser } from "./support/fixtures";

const SECRET = "test-secret-".padEnd(48, "x");
const PUBLIC_URL = "http://localhost:3000";

function sessionCookie(uid: string, signedInAt = Date.now()) {
  return encode({ token: { uid, signedInAt }, secret: SECRET }).then((jwt) => `next-auth.session-token=${jwt}`);
}

/** Opens a websocket and resolves with the HTTP status of a refusal, or "open". */
function attempt(url: string, headers: Record<string, string>): Promise<number | "open"> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on("open", () => {
      ws.close();
      resolve("open");
    });
    ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
    ws.on("error", () => resolve(0));
  });
}

describe.each(ENGINES)("websocket gateway on %s", (engine) => {
  const getDb = useTestDatabase(engine);
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const gateway = createWebSocketGateway({
      db: getDb(),
      secret: SECRET,
      allowedOrigins: allowedOriginsFor(PUBLIC_URL),
      secureCookie: false,
      routes: { "/ws/echo": (socket) => socket.on("message", (m) => socket.send(m)) },
    });
    server = createServer((_req, res) => res.end());
    server.on("upgrade", (req, socket, head) => void gateway.handleUpgrade(req, socket, head));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("refuses a missing or foreign Origin even with a valid session", async () => {
    const user = await insertUser(getDb());
    const cookie = await sessionCookie(user.userId);
    expect(await attempt(`${base}/ws/echo`, { cookie })).toBe(403);
    expect(await attempt(`${base}/ws/echo`, { cookie, origin: "http://evil.example" })).toBe(403);
  });

  it("refuses without a session, with a forged one, and for a disabled user", async () => {
    const db = getDb();
    const admin = await insertUser(db, { isPlatformAdmin: true });
    const user = await insertUser(db);
    const origin = "http://localhost:3000";
    expect(await attempt(`${base}/ws/echo`, { origin })).toBe(401);
    const forged = await encode({ token: { uid: user.userId, signedInAt: Date.now() }, secret: "another-secret".padEnd(48, "y") });
    expect(await attempt(`${base}/ws/echo`, { origin, cookie: `next-auth.session-token=${forged}` })).toBe(401);
    const cookie = await sessionCookie(user.userId, Date.now() - 1000);
    await setUserDisabled(db, admin, user.userId, true);
    expect(await attempt(`${base}/ws/echo`, { origin, cookie })).toBe(401);
    // Re-enabling does not revive a session issued before the disable.
    await setUserDisabled(db, admin, user.userId, false);
    expect(await attempt(`${base}/ws/echo`, { origin, cookie })).toBe(401);
  });

  it("lets a current session from the panel's Origin through, and 404s unknown routes", async () => {
    const user = await insertUser(getDb());
    const cookie = await sessionCookie(user.userId);
    expect(await attempt(`${base}/ws/echo`, { origin: "http://localhost:3000", cookie })).toBe("open");
    expect(await attempt(`${base}/ws/echo`, { origin: "http://127.0.0.1:3000", cookie })).toBe("open");
    expect(await attempt(`${base}/ws/nothing-here`, { origin: "http://localhost:3000", cookie })).toBe(404);
  });
});
