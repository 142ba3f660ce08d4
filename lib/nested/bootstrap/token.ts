// Bootstrap tokens as kubeadm makes them (`kubeadm token create`): `<id>.<secret>`, a 6-character
// public id and a 16-character secret from [a-z0-9], stored in kube-system as the Secret
// `bootstrap-token-<id>` of type `bootstrap.kubernetes.io/token`, which the apiserver's
// bootstrap authenticator reads (user `system:bootstrap:<id>`, groups `system:bootstrappers`
// plus the extra groups) and the controller-manager's tokencleaner deletes once expired. Pure.
import { randomInt } from "node:crypto";
import type { V1Secret } from "@kubernetes/client-node";

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
/** The token's shape, as the apiserver checks it (`BootstrapTokenPattern`). */
export const TOKEN_PATTERN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
/** The group kubeadm's default token carries, bound to the node-bootstrapper and auto-approval roles. */
export const DEFAULT_NODE_TOKEN_GROUP = "system:bootstrappers:kubeadm:default-node-token";
export const BOOTSTRAP_TOKEN_SECRET_TYPE = "bootstrap.kubernetes.io/token";
export const BOOTSTRAP_TOKEN_SECRET_PREFIX = "bootstrap-token-";

export interface BootstrapToken {
  id: string;
  secret: string;
}

const randomString = (length: number) => Array.from({ length }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");

/** A fresh random token (crypto-random, as kubeadm's). */
export function generateBootstrapToken(): BootstrapToken {
  return { id: randomString(6), secret: randomString(16) };
}

/** `<id>.<secret>`: what `kubeadm join --token` takes and what a bootstrapper sends as its bearer token. */
export const tokenString = (token: BootstrapToken) => `${token.id}.${token.secret}`;

/** The token in `text`, or null when it is not one. */
export function parseBootstrapToken(text: string): BootstrapToken | null {
  const match = TOKEN_PATTERN.exec(text);
  return match ? { id: match[1]!, secret: match[2]! } : null;
}

/** The Secret's name for token `id`. */
export const bootstrapTokenSecretName = (id: string) => `${BOOTSTRAP_TOKEN_SECRET_PREFIX}${id}`;

export interface BootstrapTokenSecretOptions {
  expiresAt: Date;
  description: string;
  /** Extra groups beyond `system:bootstrappers` (each must start with `system:bootstrappers:`). */
  extraGroups?: string[];
  labels?: Record<string, string>;
}

/** The token's Secret in kube-system: usable for authentication and for signing cluster-info, with an expiry. */
export function bootstrapTokenSecret(token: BootstrapToken, options: BootstrapTokenSecretOptions): V1Secret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: BOOTSTRAP_TOKEN_SECRET_TYPE,
    metadata: { name: bootstrapTokenSecretName(token.id), namespace: "kube-system", labels: options.labels },
    stringData: {
      description: options.description,
      "token-id": token.id,
      "token-secret": token.secret,
      // RFC 3339 without fractions, as the authenticator parses it.
      expiration: options.expiresAt.toISOString().replace(/\.\d{3}Z$/, "Z"),
      "usage-bootstrap-authentication": "true",
      "usage-bootstrap-signing": "true",
      "auth-extra-groups": (options.extraGroups ?? [DEFAULT_NODE_TOKEN_GROUP]).join(","),
    },
  };
}

/** When the token Secret's expiry lies (null when it has none or it cannot be read). */
export function tokenSecretExpiry(secret: V1Secret): Date | null {
  const raw = secret.data?.expiration ? Buffer.from(secret.data.expiration, "base64").toString("utf8") : secret.stringData?.expiration;
  if (!raw) return null;
  const at = new Date(raw);
  return Number.isNaN(at.getTime()) ? null : at;
}
