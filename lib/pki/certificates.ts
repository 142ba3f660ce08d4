// Issuing X.509 certificates: self-signed CAs and leaves signed by them, with the extensions
// Kubernetes components check (basic constraints, key usage, extended key usage, SANs, key ids).
import { randomBytes } from "node:crypto";
import { isIP } from "node:net";
import { generateKeyPair, importPrivateKey, KEY_PARAMS, privateKeyPem, type KeyAlgorithm } from "@/lib/pki/keys";
import { x509 } from "@/lib/pki/x509";

/** A certificate with its private key, both PEM. */
export interface KeyedCertificate {
  certPem: string;
  keyPem: string;
}

/** What a leaf certificate is for. */
export type LeafUsage = "server" | "client" | "server-client";

export interface LeafRequest {
  /** Subject common name (for clients: the Kubernetes user name). */
  commonName: string;
  /** Subject organizations (for clients: the Kubernetes groups). */
  organizations?: string[];
  usage: LeafUsage;
  /** Subject alternative names: DNS names and IP addresses, told apart by their form. */
  altNames?: string[];
  validDays: number;
}

const DAY_MS = 86_400_000;
// Clocks of the machines that check a fresh certificate may lag ours a little.
const BACKDATE_MS = 5 * 60_000;

// A positive serial of 16 random bytes (RFC 5280: at most 20 octets, non-negative).
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0]! &= 0x7f;
  bytes[0]! |= 0x01;
  return bytes.toString("hex");
}

function distinguishedName(commonName: string, organizations: string[] = []): string {
  const escape = (value: string) => value.replace(/([,+"\\<>;=#])/g, "\\$1");
  return [...organizations.map((o) => `O=${escape(o)}`), `CN=${escape(commonName)}`].join(", ");
}

function validity(days: number, now: Date): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(now.getTime() - BACKDATE_MS), notAfter: new Date(now.getTime() + days * DAY_MS) };
}

/** Makes a self-signed CA certificate and its key. */
export async function createCa(commonName: string, options: { validDays: number; algorithm: KeyAlgorithm; now?: Date }): Promise<KeyedCertificate> {
  const keys = await generateKeyPair(options.algorithm);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: distinguishedName(commonName),
    ...validity(options.validDays, options.now ?? new Date()),
    keys,
    signingAlgorithm: KEY_PARAMS[options.algorithm],
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString("pem"), keyPem: await privateKeyPem(keys.privateKey) };
}

const EXTENDED_USAGES: Record<LeafUsage, string[]> = {
  server: [x509.ExtendedKeyUsage.serverAuth],
  client: [x509.ExtendedKeyUsage.clientAuth],
  "server-client": [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth],
};

/** Subject alternative names in the extension's form: IP addresses by their syntax, the rest DNS names. Duplicates dropped. */
export function altNameEntries(names: string[]): { type: "ip" | "dns"; value: string }[] {
  return [...new Set(names)].map((value) => ({ type: isIP(value) ? "ip" : "dns", value }));
}

/** Makes a leaf certificate for `request`, signed by `ca`, with a fresh key. */
export async function issueLeaf(ca: KeyedCertificate, request: LeafRequest, options: { algorithm: KeyAlgorithm; now?: Date }): Promise<KeyedCertificate> {
  const keys = await generateKeyPair(options.algorithm);
  const caCert = new x509.X509Certificate(ca.certPem);
  const caAlgorithm: KeyAlgorithm = caCert.publicKey.algorithm.name === "ECDSA" ? "ecdsa-p256" : "rsa-2048";
  const signingKey = await importPrivateKey(ca.keyPem, caAlgorithm);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.digitalSignature | (options.algorithm === "rsa-2048" ? x509.KeyUsageFlags.keyEncipherment : 0),
      true,
    ),
    new x509.ExtendedKeyUsageExtension(EXTENDED_USAGES[request.usage]),
    await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
  ];
  if (request.altNames?.length) extensions.push(new x509.SubjectAlternativeNameExtension(altNameEntries(request.altNames)));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: distinguishedName(request.commonName, request.organizations),
    issuer: caCert.subject,
    ...validity(request.validDays, options.now ?? new Date()),
    publicKey: keys.publicKey,
    signingKey,
    signingAlgorithm: KEY_PARAMS[caAlgorithm],
    extensions,
  });
  return { certPem: cert.toString("pem"), keyPem: await privateKeyPem(keys.privateKey) };
}

/** What a certificate says about itself, for expiry and checks. */
export interface CertificateFacts {
  subject: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
  serialNumber: string;
  isCa: boolean;
  altNames: string[];
  extendedKeyUsages: string[];
}

/** Reads a PEM certificate's subject, issuer, validity, serial, CA flag, SANs and extended usages. */
export function readCertificate(pem: string): CertificateFacts {
  const cert = new x509.X509Certificate(pem);
  const basic = cert.getExtension(x509.BasicConstraintsExtension);
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension);
  return {
    subject: cert.subject,
    issuer: cert.issuer,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    serialNumber: cert.serialNumber,
    isCa: basic?.ca ?? false,
    altNames: san ? san.names.items.map((n) => n.value) : [],
    extendedKeyUsages: eku ? eku.usages.map(String) : [],
  };
}

/** Whether `pem` was signed by the CA certificate `caPem` (its signature verifies under the CA's key). */
export async function isSignedBy(pem: string, caPem: string): Promise<boolean> {
  const cert = new x509.X509Certificate(pem);
  const ca = new x509.X509Certificate(caPem);
  return cert.issuer === ca.subject && (await cert.verify({ publicKey: ca.publicKey, signatureOnly: true }));
}
