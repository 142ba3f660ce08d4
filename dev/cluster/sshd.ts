// A real OpenSSH server on loopback: the target of port-forwards to pods' port 22.
// It runs as the current user with its own host key and an authorized_keys file
// that tests write to.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export const SSHD_BINARY = "/usr/sbin/sshd";

export interface SshdFiles {
  configPath: string;
  authorizedKeysPath: string;
  hostKeyPath: string;
  user: string;
}

/** Writes sshd's config, host key and an empty authorized_keys under `dir`. */
export async function prepareSshd(dir: string, port: number): Promise<SshdFiles> {
  if (!existsSync(SSHD_BINARY)) {
    throw new Error(`${SSHD_BINARY} not found: run scripts/ensure-system-packages.sh (installs openssh-server)`);
  }
  mkdirSync(dir, { recursive: true });
  const user = userInfo().username;
  const files: SshdFiles = {
    configPath: path.join(dir, "sshd_config"),
    authorizedKeysPath: path.join(dir, "authorized_keys"),
    hostKeyPath: path.join(dir, "ssh_host_ed25519_key"),
    user,
  };
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "minicloud-local-sshd", "-f", files.hostKeyPath]);
  writeFileSync(files.authorizedKeysPath, "", { mode: 0o600 });
  // As root, sshd insists on its privilege-separation directory, which minimal images lack.
  if (process.getuid?.() === 0) mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  writeFileSync(
    files.configPath,
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${files.hostKeyPath}`,
      `AuthorizedKeysFile ${files.authorizedKeysPath}`,
      `PidFile ${path.join(dir, "sshd.pid")}`,
      `AllowUsers ${user}`,
      "PubkeyAuthentication yes",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PermitRootLogin prohibit-password",
      // The files live in the run's temp directory, whose parents (/tmp) are world-writable.
      "StrictModes no",
      "UsePAM no",
      "PrintMotd no",
      "Subsystem sftp internal-sftp",
      "LogLevel VERBOSE",
      "",
    ].join("\n"),
  );
  return files;
}

/** sshd in the foreground (-D), logging to stderr (-e) so its log lands in the run's log file. */
export function sshdArgs(files: SshdFiles): string[] {
  return ["-D", "-e", "-f", files.configPath];
}
