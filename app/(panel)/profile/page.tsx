import type { Metadata } from "next";
import { ApiTokenList } from "@/components/profile/api-token-list";
import { NewTokenForm } from "@/components/profile/new-token-form";
import { SshKeyList } from "@/components/profile/ssh-key-list";
import { ActionForm } from "@/components/ui/action-form";
import { Field } from "@/components/ui/field";
import { listApiTokens } from "@/lib/api-tokens/service";
import { requireUserForPage } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { listSshKeys } from "@/lib/ssh-keys/service";
import { addSshKeyAction, createApiTokenAction, deleteSshKeyAction, revokeApiTokenAction } from "./actions";

export const metadata: Metadata = { title: "Profile" };

// The signed-in user's own ssh public keys and personal API tokens.
export default async function ProfilePage() {
  const { user } = await requireUserForPage();
  const db = await getDb();
  const [keys, tokens] = await Promise.all([listSshKeys(db, user.id), listApiTokens(db, user.id)]);
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Profile</h1>
          <p className="muted">
            {user.name} · {user.email}
          </p>
        </div>
      </div>

      <section className="card">
        <h2>SSH keys</h2>
        <p className="muted">Your public keys are put into the SSH pods and VMs you create, so you can log in to them.</p>
        <SshKeyList
          keys={keys.map((k) => ({ id: k.id, name: k.name, type: k.type, fingerprint: k.fingerprint, createdAt: k.createdAt }))}
          remove={deleteSshKeyAction}
        />
        <h2>Add a key</h2>
        <ActionForm action={addSshKeyAction} submitLabel="Add key" successMessage="Key added.">
          <Field
            name="publicKey"
            label="Public key"
            multiline
            placeholder="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA… you@laptop"
            hint={
              <>
                One line from your <code>.pub</code> file, e.g. <code>~/.ssh/id_ed25519.pub</code>. Accepted: ssh-ed25519, ecdsa-sha2-nistp256/384/521,
                ssh-rsa of at least 2048 bits.
              </>
            }
          />
          <Field name="name" label="Name (optional)" autoComplete="off" hint="Defaults to the key's comment, such as you@laptop." />
        </ActionForm>
      </section>

      <section className="card">
        <h2>API tokens</h2>
        <p className="muted">
          Personal tokens act as you in the minicloud API (<a href="/api-docs">API reference</a>) and the ssh tunnel. Revoke a token you no longer use.
        </p>
        <ApiTokenList tokens={tokens} now={new Date()} revoke={revokeApiTokenAction} />
        <h2>Create a token</h2>
        <NewTokenForm action={createApiTokenAction} />
      </section>

      <section className="card" aria-labelledby="laptop-ssh-title">
        <h2 id="laptop-ssh-title">ssh from your laptop</h2>
        <p>
          Your ssh_config lists every SSH pod you may open a terminal on; each one is reached through the panel, so your laptop needs no route to the cluster.
        </p>
        <ol>
          <li>
            <a href="/api/ssh-config" download>
              Download your ssh_config
            </a>{" "}
            (download it again when you get new pods).
          </li>
          <li>
            Get the ProxyCommand helper (needs Node.js):{" "}
            <code>mkdir -p ~/.minicloud &amp;&amp; curl -fsSL -o ~/.minicloud/minicloud-ssh-proxy.mjs {"<panel>"}/api/ssh-config/helper</code>, or{" "}
            <a href="/api/ssh-config/helper">download it</a> into <code>~/.minicloud/</code>.
          </li>
          <li>
            Create an API token above and put it in <code>MINICLOUD_TOKEN</code> or the file <code>~/.minicloud/token</code>.
          </li>
          <li>
            <code>ssh -F ~/Downloads/minicloud_ssh_config {"<pod>.<team>"}</code> — your key from the list above logs you in.
          </li>
        </ol>
      </section>
    </>
  );
}
