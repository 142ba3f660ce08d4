// Sign-in methods follow the environment: local accounts always, OIDC only when configured.
import { describe, expect, it } from "vitest";
import { buildAuthOptions } from "@/lib/auth/options";
import { parseEnv } from "@/lib/env";

const SECRET = "k".repeat(40);
const MINICLOUD_ENCRYPTION_KEY = Buffer.alloc(32, 1).toString("base64");

describe("auth options", () => {
  it("offers only local accounts without OIDC settings", () => {
    const options = buildAuthOptions(parseEnv({ MINICLOUD_SECRET: SECRET, MINICLOUD_ENCRYPTION_KEY }));
    expect(options.providers.map((p) => p.id)).toEqual(["credentials"]);
    expect(options.session).toMatchObject({ strategy: "jwt", maxAge: 8 * 3600 });
  });

  it("adds the OIDC provider from the issuer's discovery document when configured", () => {
    const env = parseEnv({
      MINICLOUD_SECRET: SECRET,
      MINICLOUD_ENCRYPTION_KEY,
      OIDC_ISSUER: "https://id.example.test/realms/acme",
      OIDC_CLIENT_ID: "minicloud",
      OIDC_CLIENT_SECRET: "shh",
      OIDC_DISPLAY_NAME: "Acme SSO",
      SESSION_MAX_AGE_SECONDS: "3600",
    });
    const options = buildAuthOptions(env);
    const oidc = options.providers.find((p) => p.id === "oidc") as unknown as Record<string, unknown>;
    expect(oidc).toMatchObject({
      name: "Acme SSO",
      type: "oauth",
      wellKnown: "https://id.example.test/realms/acme/.well-known/openid-configuration",
      clientId: "minicloud",
      clientSecret: "shh",
      idToken: true,
    });
    expect(options.session?.maxAge).toBe(3600);
  });
});
