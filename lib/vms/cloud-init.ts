// cloud-init user data for a VM (NoCloud, from a Secret): what the panel always puts in — the
// host name (the VM's name), the owner's ssh keys and the panel's terminal key — merged with
// the user's optional `#cloud-config`. The user's text is vetted in its raw form with the
// `yaml` package's core schema (size-limited, no aliases, no tags, unique keys), as kubeconfigs
// are (lib/kube/kubeconfig.ts), and merged at the level of YAML nodes: the user may add
// anything cloud-init understands (packages, runcmd, write_files, more users and keys), but the
// keys that would replace or drop what is injected are refused by name and line.
//
// The user's scalars are written out as they were typed (`0644` stays `0644`, `yes` stays
// `yes`), because cloud-init reads the document with YAML 1.1, where those mean something
// other than in the core schema: re-typing them here would change what the user asked for.
import { Document, isMap, isScalar, isSeq, LineCounter, Pair, parseDocument, Scalar, visit, YAMLMap, YAMLSeq, type Node } from "yaml";
import { ValidationError } from "@/lib/errors";

/** The largest user data accepted, in bytes of UTF-8. */
export const CLOUD_CONFIG_MAX_BYTES = 32 * 1024;

/** The form field the user's cloud-config comes in. */
export const CLOUD_CONFIG_FIELD = "cloudInit";

/** What the panel injects into every VM. */
export interface CloudInitIdentity {
  /** The VM's name: its host name. */
  hostname: string;
  /** Public keys in OpenSSH format, one per entry (the owner's, then the panel's). */
  sshKeys: string[];
}

const HEADER = "#cloud-config";

const refuse = (message: string): never => {
  throw new ValidationError(message, { [CLOUD_CONFIG_FIELD]: message });
};

// Top-level keys that would replace or remove what the panel injects, with why, in plain words.
const RESERVED: Record<string, string> = {
  hostname: "the panel sets the host name to the VM's name",
  fqdn: "the panel sets the host name to the VM's name",
  preserve_hostname: "the panel sets the host name to the VM's name",
  prefer_fqdn_over_hostname: "the panel sets the host name to the VM's name",
  create_hostname_file: "the panel sets the host name to the VM's name",
  system_info: "it changes the default user, who holds the injected ssh keys",
  cloud_init_modules: "it changes which cloud-init modules run, and could leave out the one that installs the ssh keys",
  cloud_config_modules: "it changes which cloud-init modules run, and could leave out the one that installs the ssh keys",
  cloud_final_modules: "it changes which cloud-init modules run, and could leave out the one that installs the ssh keys",
  merge_how: "it changes how cloud-init merges configuration, which could drop the injected keys",
  merge_type: "it changes how cloud-init merges configuration, which could drop the injected keys",
};

const MAX_KEY_LENGTH = 16 * 1024;

/** A vetted user cloud-config: its top-level entries as YAML nodes, ready to merge. */
export interface VettedCloudConfig {
  entries: Pair<Scalar<string>, Node | null>[];
}

/**
 * Vets the user's cloud-config text. Empty (or blank) is none (null). Throws ValidationError
 * (field `cloudInit`) naming the line and key of the first problem.
 */
export function vetCloudConfig(text: string): VettedCloudConfig | null {
  if (!text.trim()) return null;
  if (new TextEncoder().encode(text).length > CLOUD_CONFIG_MAX_BYTES) refuse(`The cloud-init user data is larger than ${CLOUD_CONFIG_MAX_BYTES / 1024} KiB.`);
  const firstLine = text.replace(/^\uFEFF/, "").split(/\r?\n/, 1)[0]!.trim();
  if (firstLine !== HEADER) {
    refuse(
      firstLine.startsWith("#!") || firstLine.startsWith("#include") || firstLine.startsWith("Content-Type")
        ? "Only #cloud-config user data is accepted (no scripts, includes or MIME parts); put commands under runcmd."
        : "Start the cloud-init user data with the line #cloud-config.",
    );
  }
  const lines = new LineCounter();
  const lineOf = (node: { range?: [number, number, number] | null } | null | undefined) => (node?.range ? lines.linePos(node.range[0]).line : "?");
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { schema: "core", uniqueKeys: true, prettyErrors: false, strict: true, stringKeys: true, lineCounter: lines });
  } catch (error) {
    if (error instanceof RangeError) refuse("The cloud-init user data is nested too deeply.");
    return refuse("The cloud-init user data is not readable YAML.");
  }
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    refuse(`The cloud-init user data is not readable YAML: ${first.code === "DUPLICATE_KEY" ? "a key appears twice" : "syntax error"} on line ${lines.linePos(first.pos[0]).line}.`);
  }
  // Tags (!!python/object, !custom) mean nothing to cloud-init's safe loader, or something unsafe to others.
  let problem: string | null = null;
  visit(doc, {
    Alias(_, node) {
      problem = `Line ${lineOf(node)}: YAML aliases (*name) are not accepted; write the value out.`;
      return visit.BREAK;
    },
    Node(_, node) {
      if (node.tag && !/^tag:yaml\.org,2002:(str|map|seq|int|float|bool|null)$/.test(node.tag)) {
        problem = `Line ${lineOf(node)}: YAML tags (${node.tag.startsWith("!") ? node.tag.slice(0, 40) : "!…"}) are not accepted.`;
        return visit.BREAK;
      }
      if ((isScalar(node) || isMap(node) || isSeq(node)) && node.anchor) {
        problem = `Line ${lineOf(node)}: YAML anchors (&name) are not accepted.`;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (problem) refuse(problem);
  if (doc.warnings.length > 0) refuse(`Line ${lines.linePos(doc.warnings[0]!.pos[0]).line}: YAML tags are not accepted.`);
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) return { entries: [] };
  if (!isMap(doc.contents)) refuse("The cloud-init user data must be a mapping of keys (packages:, runcmd:, …) to values.");
  const entries: VettedCloudConfig["entries"] = [];
  for (const pair of (doc.contents as YAMLMap).items) {
    const key = pair.key as Scalar<string>;
    const name = String(key.value);
    const reason = RESERVED[name];
    if (reason) refuse(`Line ${lineOf(key)}: “${name.slice(0, 40)}” cannot be set: ${reason}.`);
    const value = (pair.value ?? null) as Node | null;
    if (name === "ssh_authorized_keys") sshKeysOf(value, lineOf(key));
    if (name === "users" && !isSeq(value)) refuse(`Line ${lineOf(key)}: “users” must be a list (cloud-init's default user, who holds the injected keys, is kept first).`);
    entries.push(new Pair(key, value));
  }
  return { entries };
}

// The user's extra keys: a list of one-line public keys.
function sshKeysOf(value: Node | null, line: number | string): string[] {
  if (!isSeq(value)) return refuse(`Line ${line}: “ssh_authorized_keys” must be a list of public keys (yours from your profile are added anyway).`);
  return value.items.map((item) => {
    const key = isScalar(item) && typeof item.source === "string" ? item.source.trim() : null;
    if (!key || /[\r\n]/.test(key) || key.length > MAX_KEY_LENGTH) return refuse(`Line ${line}: each entry of “ssh_authorized_keys” must be one public key on one line.`);
    return key;
  });
}

// Every user scalar written as typed: a string of its source text, its quoting kept.
function asTyped(node: Node | null): Node | null {
  if (!node) return null;
  visit(node, {
    Scalar(_, scalar) {
      // An empty value (`key:`) is written `~`, which cloud-init reads as null too.
      scalar.value = scalar.value === null && !scalar.source ? "~" : (scalar.source ?? String(scalar.value));
    },
  });
  return node;
}

/**
 * The user data a VM boots with: `#cloud-config` with the host name and the injected keys first,
 * then the user's own entries (vetted by vetCloudConfig); the user's extra ssh keys follow the
 * injected ones, and a `users` list always begins with cloud-init's default user.
 */
export function buildUserData(identity: CloudInitIdentity, user: VettedCloudConfig | null): string {
  // Failsafe: every scalar is a string, so nothing is re-typed or quoted for a type's sake.
  const out = new Document(null, { schema: "failsafe" });
  const map = new YAMLMap<Scalar, Node>();
  const str = (value: string) => new Scalar(value);
  const keys = new YAMLSeq<Scalar>();
  const seen = new Set<string>();
  const addKey = (key: string) => {
    const k = key.trim();
    if (k && !seen.has(k)) (seen.add(k), keys.items.push(str(k)));
  };
  identity.sshKeys.forEach(addKey);
  const userEntries = user?.entries ?? [];
  for (const pair of userEntries) if (pair.key.value === "ssh_authorized_keys") sshKeysOf(pair.value, "?").forEach(addKey);
  map.items.push(new Pair(str("hostname"), str(identity.hostname)), new Pair(str("ssh_authorized_keys"), keys));
  for (const pair of userEntries) {
    const name = String(pair.key.value);
    if (name === "ssh_authorized_keys") continue;
    const value = asTyped(pair.value);
    if (name === "users" && isSeq(value) && !value.items.some((item) => isScalar(item) && item.value === "default")) value.items.unshift(str("default"));
    map.items.push(new Pair(str(name), value));
  }
  out.contents = map;
  return `${HEADER}\n${out.toString({ lineWidth: 0 })}`;
}
