// Our fields on next-auth's session and token.
import "next-auth";
import "next-auth/jwt";

declare module "next-auth" {
  interface Session {
    userId?: string;
    signedInAt?: number;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    uid?: string;
    signedInAt?: number;
  }
}
