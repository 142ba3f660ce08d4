// Signed, short-lived upload tokens: what cdi-apiserver issues and cdi-uploadproxy checks (stand-in format).
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** What a token allows: one upload into one PVC. */
export interface UploadGrant {
  namespace: string;
  pvcName: string;
  /** Expiry, ms since epoch. */
  expiresAt: number;
}

/** Upstream tokens live five minutes. */
export const uploadTokenLifetimeMs = 5 * 60_000;

/** Issues and verifies tokens with one per-run secret key. */
export class UploadTokenSigner {
  private readonly key = randomBytes(32);

  issue(namespace: string, pvcName: string, now = Date.now()): string {
    const grant: UploadGrant = { namespace, pvcName, expiresAt: now + uploadTokenLifetimeMs };
    const payload = Buffer.from(JSON.stringify(grant)).toString("base64url");
    return `${payload}.${this.sign(payload)}`;
  }

  /** The grant, or undefined when the token is malformed, forged or expired. */
  verify(token: string, now = Date.now()): UploadGrant | undefined {
    const [payload, signature, extra] = token.split(".");
    if (!payload || !signature || extra !== undefined) return undefined;
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    try {
      const grant = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as UploadGrant;
      return grant.expiresAt > now ? grant : undefined;
    } catch {
      return undefined;
    }
  }

  private sign(payload: string): string {
    return createHmac("sha256", this.key).update(payload).digest("base64url");
  }
}
