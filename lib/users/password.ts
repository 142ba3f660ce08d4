// Password hashing with scrypt from node:crypto. A stored hash carries its own parameters
// and salt — `scrypt$N=32768,r=8,p=1$<salt>$<key>` (base64) — so the cost can be raised
// later: `needsRehash` says when a hash was made with other parameters.

import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from "node:crypto";

/** scrypt cost parameters. */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** The parameters new hashes are made with (OWASP's scrypt recommendation or stronger). */
export const CURRENT_PARAMS: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };

const KEY_LENGTH = 64;
const SALT_LENGTH = 16;
// Refuse absurd parameters from a stored hash instead of allocating gigabytes.
const MAX_N = 2 ** 20;
const HASH_PATTERN = /^scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

function scrypt(password: string, salt: Buffer, keyLength: number, params: ScryptParams): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; node's default ceiling (32 MiB) is too low for N=2^15, r=8.
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scryptCallback(password.normalize("NFKC"), salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

interface DecodedHash {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

function decode(stored: string): DecodedHash | null {
  const match = HASH_PATTERN.exec(stored);
  if (!match) return null;
  const [N, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (N < 2 || N > MAX_N || (N & (N - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16) return null;
  const salt = Buffer.from(match[4]!, "base64");
  const key = Buffer.from(match[5]!, "base64");
  if (salt.length < 8 || key.length < 16) return null;
  return { params: { N, r, p }, salt, key };
}

/** Hashes a password with a fresh random salt and the current parameters. */
export async function hashPassword(password: string, params: ScryptParams = CURRENT_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await scrypt(password, salt, KEY_LENGTH, params);
  return `scrypt$N=${params.N},r=${params.r},p=${params.p}$${salt.toString("base64")}$${key.toString("base64")}`;
}

/**
 * Whether `password` matches `stored`. The comparison is constant-time so the response time
 * says nothing about how much of the key matched; a malformed stored hash never matches.
 */
export async function verifyPasswordHash(stored: string, password: string): Promise<boolean> {
  const decoded = decode(stored);
  if (!decoded) return false;
  const key = await scrypt(password, decoded.salt, decoded.key.length, decoded.params);
  return timingSafeEqual(key, decoded.key);
}

/** Whether `stored` was made with other parameters than `params` (rehash after the next successful sign-in). */
export function needsRehash(stored: string, params: ScryptParams = CURRENT_PARAMS): boolean {
  const decoded = decode(stored);
  if (!decoded) return true;
  return (
    decoded.params.N !== params.N ||
    decoded.params.r !== params.r ||
    decoded.params.p !== params.p ||
    decoded.key.length !== KEY_LENGTH ||
    decoded.salt.length !== SALT_LENGTH
  );
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends as much time as checking a real password. Called when the account does not exist
 * (or has no password), so timing does not reveal which emails have accounts.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword(randomBytes(16).toString("hex"));
  await verifyPasswordHash(await dummyHash, password);
  return false;
}
