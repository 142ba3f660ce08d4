// The Debian packages the built-in cluster runs on: Go (to build Kubernetes), OpenSSH (the
// sshd behind pods' port 22) and openssl (its certificates) to start at all, QEMU and the guest
// parts for VMs. The list and the install live in scripts/ensure-system-packages.sh, the same
// script the test suites use. The panel installs them itself only when it runs as root; it never
// runs sudo: otherwise the start fails with the command for the administrator to run.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const SCRIPT = fileURLToPath(new URL("../../scripts/ensure-system-packages.sh", import.meta.url));

/** Without these the control plane cannot start; the rest only matter for VMs. */
export const REQUIRED_PACKAGES = ["golang-go", "openssh-server", "openssl"] as const;

/** The packages missing here, split into those the start needs and those VMs need. */
export interface MissingPackages {
  required: string[];
  forVms: string[];
}

/** Splits the script's `--check` line into what blocks the start and what only VMs need. */
export function classifyMissing(checkOutput: string): MissingPackages {
  const names = checkOutput.split(/\s+/).filter(Boolean);
  const required = names.filter((n) => (REQUIRED_PACKAGES as readonly string[]).includes(n));
  return { required, forVms: names.filter((n) => !required.includes(n)) };
}

/** The sentence an administrator reads when the panel cannot install packages itself. */
export function installInstructions(missing: MissingPackages): string {
  const all = [...missing.required, ...missing.forVms];
  return `This machine lacks ${missing.required.join(", ")}, which the built-in cluster needs, and the panel does not run sudo. Install them with “sudo apt-get install -y --no-install-recommends ${all.join(" ")}” (or “sudo bash scripts/ensure-system-packages.sh local-cluster” in the panel's directory), then press Retry.`;
}

function runScript(args: string[], log: (line: string) => void): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [SCRIPT, "local-cluster", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      for (const line of chunk.toString().split("\n")) if (line.trim()) log(line);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

/**
 * Makes sure the packages the start needs are here: installs every missing one as root, or
 * throws with the command to run. Missing VM packages only get a log line when not root.
 */
export async function ensureSystemPackages(log: (line: string) => void): Promise<void> {
  const check = await runScript(["--check"], () => {});
  if (check.code === 0) return;
  const missing = classifyMissing(check.output);
  if (process.getuid?.() === 0) {
    log(`installing Debian packages: ${[...missing.required, ...missing.forVms].join(" ")}`);
    const install = await runScript([], log);
    if (install.code !== 0) throw new Error(`Installing the Debian packages failed (exit ${install.code}).\n${install.output}`);
    return;
  }
  if (missing.required.length > 0) throw new Error(installInstructions(missing));
  log(`VMs need Debian packages this machine lacks: ${missing.forVms.join(" ")} (pods work without them)`);
}
