// Key pairs for certificates: ECDSA P-256 by default (what kubeadm offers as
// `encryptionAlgorithm: ECDSA-P256`), exported as PEM (PKCS#8 private, SPKI public).
import { x509 } from "@/lib/pki/x509";

/** The key algorithms the PKI makes. */
export type KeyAlgorithm = "ecdsa-p256" | "rsa-2048";

/** WebCrypto parameters for generating, importing and signing with each algorithm. */
export const KEY_PARAMS: Record<KeyAlgorithm, RsaHashedKeyGenParams | (EcKeyGenParams & EcdsaParams)> = {
  "ecdsa-p256": { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" },
  "rsa-2048": { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
};

/** Makes a key pair (extractable, so its private half can be written as PEM). */
export async function generateKeyPair(algorithm: KeyAlgorithm): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(KEY_PARAMS[algorithm], true, ["sign", "verify"]) as Promise<CryptoKeyPair>;
}

/** PEM of a private key, PKCS#8 (`-----BEGIN PRIVATE KEY-----`), which Go and Node both read. */
export async function privateKeyPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await crypto.subtle.exportKey("pkcs8", key), "PRIVATE KEY");
}

/** PEM of a public key (`-----BEGIN PUBLIC KEY-----`, SPKI). */
export async function publicKeyPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await crypto.subtle.exportKey("spki", key), "PUBLIC KEY");
}

/** Imports a PKCS#8 PEM private key of `algorithm` for signing. */
export async function importPrivateKey(pem: string, algorithm: KeyAlgorithm): Promise<CryptoKey> {
  const der = x509.PemConverter.decodeFirst(pem);
  return crypto.subtle.importKey("pkcs8", der, KEY_PARAMS[algorithm], true, ["sign"]);
}
