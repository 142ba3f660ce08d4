// Every page and route answers with the panel's security headers; the session cookie is
// HttpOnly and SameSite. (The terminal and cluster specs run under this policy, so it is one
// xterm works under.)
import { expect, test } from "@playwright/test";
import { signInAsAdmin } from "./ensure-admin";

test("pages and routes carry the security headers; the session cookie is HttpOnly and SameSite=Lax", async ({ page, request }) => {
  for (const path of ["/sign-in", "/api/health"]) {
    const response = await request.get(path);
    const headers = response.headers();
    expect(headers["content-security-policy"], path).toContain("default-src 'self'");
    expect(headers["content-security-policy"], path).toContain("frame-ancestors 'none'");
    expect(headers["content-security-policy"], path).toContain("object-src 'none'");
    expect(headers["x-content-type-options"], path).toBe("nosniff");
    expect(headers["x-frame-options"], path).toBe("DENY");
    expect(headers["referrer-policy"], path).toBe("same-origin");
  }
  await signInAsAdmin(page);
  const session = (await page.context().cookies()).find((c) => c.name.includes("session-token"));
  expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax" });
});
