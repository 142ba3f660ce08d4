// Logs and metrics labels: secrets never reach a log line, lines carry the request id of the
// work that wrote them, a proxy's plain request id is kept and anything else replaced, and
// route labels stay few (ids collapse).
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "@/lib/observe/log";
import { routeLabel } from "@/lib/observe/metrics";
import { metricsAccess } from "@/lib/observe/metrics-endpoint";
import { currentRequestId, outsideRequest, requestIdFrom, runInRequest } from "@/lib/observe/request-context";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger(stream) };
}

describe("logs", () => {
  it("are JSON with level, time, message and module, and never show a secret", async () => {
    const { lines, logger } = capture();
    logger.child({ module: "clusters" }).warn(
      { cluster: "c1", kubeconfig: "apiVersion: v1 …", headers: { authorization: "Bearer abc", cookie: "next-auth.session-token=x", "set-cookie": "s=1" }, detail: { token: "t0k", password: "hunter2", nested: { secret: "s" } }, metadata: { client_secret: "cs", id_token: "jwt" } },
      "registration refused",
    );
    await new Promise((resolve) => setImmediate(resolve));
    const [line] = lines;
    expect(line).toMatchObject({ level: "warn", module: "clusters", msg: "registration refused", cluster: "c1", service: "minicloud" });
    expect(typeof line!.time).toBe("string");
    const text = JSON.stringify(line);
    for (const secret of ["apiVersion: v1", "Bearer abc", "session-token", "s=1", "t0k", "hunter2", '"s"', "cs", "jwt"]) expect(text).not.toContain(secret);
    expect(text).toContain("[redacted]");
  });

  it("carry the id of the request whose work wrote them", async () => {
    const { lines, logger } = capture();
    logger.info("outside");
    await runInRequest("req-12345678", async () => {
      await Promise.resolve();
      logger.info("inside");
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.map((l) => [l.msg, l.requestId])).toEqual([
      ["outside", undefined],
      ["inside", "req-12345678"],
    ]);
  });
});

describe("request ids", () => {
  it("do not follow long-lived work a request started (a shared watch serves everyone)", async () => {
    const seen = await runInRequest("req-abcdefgh", async () => {
      const shared = outsideRequest(() => Promise.resolve().then(() => currentRequestId()));
      return [currentRequestId(), await shared];
    });
    expect(seen).toEqual(["req-abcdefgh", undefined]);
  });

  it("keeps a proxy's plain id and replaces anything else", () => {
    expect(requestIdFrom("abcd-1234.efgh")).toBe("abcd-1234.efgh");
    expect(requestIdFrom(["first-id-123", "second"])).toBe("first-id-123");
    for (const bad of [undefined, "", "short", "has space in it", "x".repeat(65), "id\nsplit-lines", "<script>alert(1)</script>"]) {
      expect(requestIdFrom(bad)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });
});

describe("metrics", () => {
  it("labels routes with ids collapsed, queries dropped and build assets grouped", () => {
    expect(routeLabel("/t/0b5c1a52-7d0e-4a8e-9f3b-1c2d3e4f5a6b/pods/9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b?tab=logs")).toBe("/t/:id/pods/:id");
    expect(routeLabel("/_next/static/chunks/app-1234.js")).toBe("/_next/static");
    expect(routeLabel("/api/terminal-sessions/42/recording")).toBe("/api/terminal-sessions/:n/recording");
    expect(routeLabel(undefined)).toBe("/");
  });

  it("are read with the token, openly only when configured so, and not at all by default", () => {
    const token = { metrics: { kind: "token" as const, token: "a-long-metrics-token" } };
    expect(metricsAccess(token, "Bearer a-long-metrics-token")).toBe(200);
    expect(metricsAccess(token, "Bearer a-long-metrics-tokeN")).toBe(401);
    expect(metricsAccess(token, "a-long-metrics-token")).toBe(401);
    expect(metricsAccess(token, undefined)).toBe(401);
    expect(metricsAccess({ metrics: { kind: "open" } }, undefined)).toBe(200);
    expect(metricsAccess({ metrics: { kind: "off" } }, "Bearer a-long-metrics-token")).toBe(404);
  });
});
