// next-auth configuration: local accounts (email + password) and, when configured, one
// OIDC provider. Sessions are signed JWT cookies; every request re-checks the user in the
// database (see session.ts), so disabling a user ends their sessions at once.
import type { NextAuthOptions, User } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { getEnv, type Env } from "@/lib/env";
import { getDb } from "@/lib/db";
import { upsertOidcUser, verifyPassword } from "@/lib/users/service";
import { checkSignInAllowed, recordSignInFailure, recordSignInSuccess } from "@/lib/auth/throttle";
import { CLIENT_IP_HEADER } from "@/lib/auth/client-ip";
import { AppError } from "@/lib/errors";
import { moduleLogger } from "@/lib/observe/log";

const authLog = moduleLogger("auth");

const credentialsSchema = z.object({
  email: z.string().trim().toLowerCase().email().max(254),
  password: z.string().min(1).max(1024),
});

/** Messages the sign-in page shows; next-auth passes an authorize() error through as `error`. */
export const SIGN_IN_ERRORS = {
  invalid: "Wrong email or password.",
  disabled: "This account is disabled. Ask a platform admin to re-enable it.",
} as const;

async function authorizeLocal(raw: unknown, headers: Record<string, unknown> | undefined): Promise<User | null> {
  const parsed = credentialsSchema.safeParse(raw);
  if (!parsed.success) throw new Error(SIGN_IN_ERRORS.invalid);
  const { email, password } = parsed.data;
  const address = typeof headers?.[CLIENT_IP_HEADER] === "string" ? (headers[CLIENT_IP_HEADER] as string) : "unknown";
  const db = await getDb();
  const keys = { account: email, address };
  await checkSignInAllowed(db, keys); // throws with a "try again in" message while slowed down
  const user = await verifyPassword(db, email, password);
  if (!user) {
    await recordSignInFailure(db, keys);
    throw new Error(SIGN_IN_ERRORS.invalid);
  }
  if (user.disabledAt) throw new Error(SIGN_IN_ERRORS.disabled);
  await recordSignInSuccess(db, keys);
  return { id: user.id, email: user.email, name: user.name };
}

function oidcProvider(oidc: Env["oidc"]) {
  if (!oidc) return [];
  return [
    {
      id: "oidc",
      name: oidc.displayName,
      type: "oauth" as const,
      wellKnown: `${oidc.issuer}/.well-known/openid-configuration`,
      clientId: oidc.clientId,
      clientSecret: oidc.clientSecret,
      authorization: { params: { scope: "openid email profile" } },
      idToken: true,
      checks: ["pkce", "state"] as ("pkce" | "state")[],
      profile(profile: { sub: string; email?: string; name?: string; preferred_username?: string }) {
        return { id: profile.sub, email: profile.email ?? null, name: profile.name ?? profile.preferred_username ?? null };
      },
    },
  ];
}

/** Builds the next-auth options from the environment. */
export function buildAuthOptions(env: Env = getEnv()): NextAuthOptions {
  return {
    secret: env.secret,
    session: { strategy: "jwt", maxAge: env.sessionMaxAgeSeconds },
    jwt: { maxAge: env.sessionMaxAgeSeconds },
    pages: { signIn: "/sign-in", error: "/sign-in" },
    providers: [
      CredentialsProvider({
        id: "credentials",
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        authorize: (credentials, req) => authorizeLocal(credentials, req?.headers),
      }),
      ...oidcProvider(env.oidc),
    ],
    callbacks: {
      async signIn({ user, account, profile }) {
        if (account?.provider !== "oidc") return true;
        const oidc = env.oidc;
        const email = typeof profile?.email === "string" ? profile.email : user.email;
        if (!oidc || !account.providerAccountId || !email) return "/sign-in?error=oidc";
        const db = await getDb();
        let row;
        try {
          row = await upsertOidcUser(db, {
            issuer: oidc.issuer,
            subject: account.providerAccountId,
            email,
            name: user.name ?? email,
            // Only a provider-verified email may link to an existing local account.
            emailVerified: (profile as { email_verified?: unknown } | undefined)?.email_verified === true,
          });
        } catch (error) {
          // e.g. a local account already holds this (unverified) email: say so on the sign-in page.
          if (error instanceof AppError) return `/sign-in?error=${encodeURIComponent(error.message)}`;
          throw error;
        }
        if (row.disabledAt) return `/sign-in?error=${encodeURIComponent(SIGN_IN_ERRORS.disabled)}`;
        // Carry our own user id (not the provider's subject) into the token.
        user.id = row.id;
        return true;
      },
      async jwt({ token, user }) {
        if (user) {
          token.uid = user.id;
          token.signedInAt = Date.now();
        }
        return token;
      },
      async session({ session, token }) {
        session.userId = typeof token.uid === "string" ? token.uid : undefined;
        session.signedInAt = typeof token.signedInAt === "number" ? token.signedInAt : undefined;
        return session;
      },
    },
    logger: {
      error: (code, metadata) => authLog.error({ code, metadata }, "sign-in error"),
      warn: (code) => {
        if (code !== "DEBUG_ENABLED") authLog.warn({ code }, "sign-in warning");
      },
      debug: () => {},
    },
  };
}

const globalForAuth = globalThis as { __minicloudAuthOptions?: NextAuthOptions };

/** The process's next-auth options. */
export function getAuthOptions(): NextAuthOptions {
  globalForAuth.__minicloudAuthOptions ??= buildAuthOptions();
  return globalForAuth.__minicloudAuthOptions;
}

