// The `kubeadm join` a worker runs from its cloud-init user data, built and read back. The
// token appears only here (in the user data, kept in a Secret); nothing else records it. Pure.
import { parse, stringify } from "yaml";
import { CA_HASH_PATTERN } from "@/lib/nested/bootstrap/ca-hash";
import { parseBootstrapToken, tokenString, type BootstrapToken } from "@/lib/nested/bootstrap/token";

export interface JoinCommand {
  /** `host:port` of the apiserver. */
  address: string;
  token: BootstrapToken;
  caCertHashes: string[];
  nodeName?: string;
}

/** The command's argv, as kubeadm takes it. */
export function joinArgv(join: JoinCommand): string[] {
  return [
    "kubeadm",
    "join",
    join.address,
    "--token",
    tokenString(join.token),
    ...join.caCertHashes.flatMap((hash) => ["--discovery-token-ca-cert-hash", hash]),
    ...(join.nodeName ? ["--node-name", join.nodeName] : []),
  ];
}

/** The worker's cloud-config: its host name and the join, run once at first boot. */
export function workerUserData(join: JoinCommand & { hostname: string }): string {
  return `#cloud-config\n${stringify({ hostname: join.hostname, runcmd: [joinArgv(join)] })}`;
}

/** The join in argv (`kubeadm join <addr> --token … --discovery-token-ca-cert-hash …`), or why it is not one. */
export function parseJoinArgv(argv: readonly string[]): JoinCommand | { problem: string } {
  if (argv[0] !== "kubeadm" || argv[1] !== "join") return { problem: "not a kubeadm join" };
  let address: string | undefined;
  let token: BootstrapToken | null = null;
  const caCertHashes: string[] = [];
  let nodeName: string | undefined;
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i] ?? "";
    if (flag === "--token" || flag === "--discovery-token") {
      token = parseBootstrapToken(value());
      if (!token) return { problem: "the token does not match the regular expression [a-z0-9]{6}.[a-z0-9]{16}" };
    } else if (flag === "--discovery-token-ca-cert-hash") caCertHashes.push(value());
    else if (flag === "--node-name") nodeName = value();
    else if (flag.startsWith("--")) value();
    else address ??= flag;
  }
  if (!address) return { problem: "no API server address" };
  if (!token) return { problem: "no --token" };
  if (caCertHashes.length === 0) return { problem: "no --discovery-token-ca-cert-hash (joining without pinning the CA is refused)" };
  const bad = caCertHashes.find((hash) => !CA_HASH_PATTERN.test(hash.toLowerCase()));
  if (bad) return { problem: `invalid discovery-token-ca-cert-hash ${JSON.stringify(bad)}: it must be sha256:<64 hex digits>` };
  return { address, token, caCertHashes, ...(nodeName && { nodeName }) };
}

/** The join in a cloud-config's `runcmd` (argv lists or strings), or null when it has none. */
export function joinFromUserData(userData: string): JoinCommand | { problem: string } | null {
  let config: unknown;
  try {
    config = parse(userData);
  } catch {
    return null;
  }
  const runcmd = (config as { runcmd?: unknown } | null)?.runcmd;
  if (!Array.isArray(runcmd)) return null;
  for (const command of runcmd) {
    const argv = Array.isArray(command) ? command.map(String) : typeof command === "string" ? command.trim().split(/\s+/) : [];
    if (argv[0] === "kubeadm" && argv[1] === "join") return parseJoinArgv(argv);
  }
  return null;
}
