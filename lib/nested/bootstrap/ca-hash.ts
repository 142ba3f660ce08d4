// The CA public key pin of `kubeadm join --discovery-token-ca-cert-hash`: `sha256:` and the hex
// SHA-256 of the CA certificate's DER SubjectPublicKeyInfo (kubeadm's pubkeypin package). Pure.
import { createHash } from "node:crypto";
import { x509 } from "@/lib/pki/x509";

export const CA_HASH_PATTERN = /^sha256:[0-9a-f]{64}$/;

/** The pin of the certificate `pem`'s public key. */
export function caCertHash(pem: string): string {
  const certificate = new x509.X509Certificate(pem);
  return `sha256:${createHash("sha256").update(Buffer.from(certificate.publicKey.rawData)).digest("hex")}`;
}

/** Whether `pins` names the public key of `pem` (kubeadm compares them lower-cased). */
export function caMatchesPins(pem: string, pins: readonly string[]): boolean {
  const hash = caCertHash(pem);
  return pins.some((pin) => pin.toLowerCase() === hash);
}
