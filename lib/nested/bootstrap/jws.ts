// The detached JWS that signs the cluster-info ConfigMap for a bootstrap token (what the
// controller-manager's bootstrapsigner writes as `jws-kubeconfig-<token id>`, and kubeadm's
// discovery checks): compact JWS with HS256 keyed by the token's secret, header `kid` = token
// id, payload left out (`<header>..<signature>`); the payload is the ConfigMap's `kubeconfig`. Pure.
import { createHmac, timingSafeEqual } from "node:crypto";

const b64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

/** The detached signature of `content` for token `tokenId`.`tokenSecret` (as the bootstrapsigner writes it). */
export function detachedSignature(content: string, tokenId: string, tokenSecret: string): string {
  // go-jose writes the protected header's keys in this order.
  const header = b64url(JSON.stringify({ alg: "HS256", kid: tokenId }));
  const signature = createHmac("sha256", tokenSecret).update(`${header}.${b64url(content)}`).digest("base64url");
  return `${header}..${signature}`;
}

/**
 * Whether `detached` signs `content` with the token: a compact JWS with an empty payload, an
 * HS256 header naming the token id, and a signature the token's secret makes.
 */
export function detachedSignatureIsValid(detached: string, content: string, tokenId: string, tokenSecret: string): boolean {
  const parts = detached.split(".");
  if (parts.length !== 3 || parts[1] !== "") return false;
  let header: { alg?: unknown; kid?: unknown };
  try {
    header = JSON.parse(Buffer.from(parts[0]!, "base64url").toString("utf8")) as typeof header;
  } catch {
    return false;
  }
  if (header.alg !== "HS256" || header.kid !== tokenId) return false;
  const expected = createHmac("sha256", tokenSecret).update(`${parts[0]}.${b64url(content)}`).digest();
  const given = Buffer.from(parts[2]!, "base64url");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The ConfigMap key holding the signature for token `id`. */
export const jwsKeyFor = (tokenId: string) => `jws-kubeconfig-${tokenId}`;
