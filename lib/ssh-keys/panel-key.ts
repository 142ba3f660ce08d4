// The key pair the panel itself uses to ssh into pods (browser terminals). Its public half is
// in every pod's authorized_keys; its private half never leaves the server and is stored
// sealed. Made once, on first use, by whichever replica gets there first.
import { eq } from "drizzle-orm";
import { openSecret, sealSecret } from "@/lib/crypto/secret-box";
import type { Db } from "@/lib/db/client";
import { panelKeys } from "@/lib/db/schema";
import { getEnv } from "@/lib/env";
import { generateEd25519KeyPair, type OpenSshKeyPair } from "@/lib/ssh-keys/openssh-format";

/** The `panel_keys.purpose` of the terminal key. */
export const TERMINAL_KEY_PURPOSE = "terminal";
/** The comment on the terminal key's public line (shows in pods' authorized_keys). */
export const TERMINAL_KEY_COMMENT = "minicloud-panel";

const sealContext = (purpose: string) => `panel-key:${purpose}`;

/**
 * The panel's terminal key: `publicKey` is an OpenSSH line, `privateKey` an OpenSSH private
 * key file that `ssh2` accepts. Race-safe: concurrent first calls (several replicas) insert
 * with "on conflict do nothing" and all read back the one row that won.
 */
export async function getPanelTerminalKey(db: Db): Promise<OpenSshKeyPair> {
  const existing = await readPanelKey(db, TERMINAL_KEY_PURPOSE);
  if (existing) return existing;
  const fresh = generateEd25519KeyPair(TERMINAL_KEY_COMMENT);
  await db
    .insert(panelKeys)
    .values({
      purpose: TERMINAL_KEY_PURPOSE,
      publicKey: fresh.publicKey,
      privateKeyEncrypted: sealSecret(getEnv().encryptionKey, sealContext(TERMINAL_KEY_PURPOSE), fresh.privateKey),
    })
    .onConflictDoNothing({ target: panelKeys.purpose });
  const stored = await readPanelKey(db, TERMINAL_KEY_PURPOSE);
  if (!stored) throw new Error("the panel's terminal key vanished right after it was stored");
  return stored;
}

async function readPanelKey(db: Db, purpose: string): Promise<OpenSshKeyPair | null> {
  const [row] = await db.select().from(panelKeys).where(eq(panelKeys.purpose, purpose));
  if (!row) return null;
  return { publicKey: row.publicKey, privateKey: openSecret(getEnv().encryptionKey, sealContext(purpose), row.privateKeyEncrypted) };
}
