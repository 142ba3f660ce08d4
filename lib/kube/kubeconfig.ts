// Kubeconfigs that admins paste or upload, vetted in their raw form before any client library
// sees them. The Kubernetes client library resolves some references while it loads a
// kubeconfig (a token file is read at once; certificate files, exec plugins and auth providers
// when a request is made), so checking the object it built is too late: a pasted document
// could make the panel read its own files or run programs. Here the text is parsed with our
// own size- and alias-limited YAML parser, every key is checked against an allow-list per
// section (anything else is refused by name), values are checked for shape, and the client
// config is then built from the vetted values only (`loadFromOptions`). Stored kubeconfigs are
// vetted again when loaded.
import type { Cluster, Context, KubeConfig, User } from "@kubernetes/client-node";
import { CancellableKubeConfig } from "@/lib/kube/call-deadline";
import { parseDocument, stringify, visit } from "yaml";
import { codePointOf } from "@/lib/characters";
import { ValidationError } from "@/lib/errors";
import { KUBECONFIG_TOO_LARGE, kubeconfigSizeProblem } from "@/lib/kube/kubeconfig-size";

/** A cluster entry as vetted: inline data only. */
export interface VettedCluster {
  name: string;
  server: string;
  caData?: string;
  /** `insecure-skip-tls-verify: true` — only ever used after the admin's explicit choice. */
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string;
}

/** A user entry as vetted: a bearer token and/or an inline client certificate and key. */
export interface VettedUser {
  name: string;
  token?: string;
  certData?: string;
  keyData?: string;
}

/** A context entry as vetted. */
export interface VettedContext {
  name: string;
  cluster: string;
  user: string;
  namespace?: string;
}

/** A whole kubeconfig as vetted. */
export interface VettedKubeconfig {
  clusters: VettedCluster[];
  users: VettedUser[];
  contexts: VettedContext[];
  currentContext?: string;
}

/** One context of a kubeconfig, for the "pick a context" step. */
export interface KubeconfigContext {
  name: string;
  cluster: string;
  server: string;
  user: string;
  /** Whether the context's cluster turns TLS verification off (or is plain http). */
  insecure: boolean;
}

const FIELD = "kubeconfig";
// Messages that start with a key or a section's path ("token in users[0].user must be text.")
// name the kubeconfig first, so each is a sentence: "The kubeconfig's token in users[0].user …".
const refuse = (message: string): never => {
  const sentence = /^[a-z]/.test(message) ? `The kubeconfig's ${message}` : message;
  throw new ValidationError(sentence, { [FIELD]: sentence });
};

// A kubeconfig never needs deeper nesting than this (extensions included).
const MAX_DEPTH = 12;
const MAX_ENTRIES = 200;
const MAX_NAME = 253;
const MAX_DATA = 64 * 1024;
const MAX_TOKEN = 16 * 1024;
const MAX_SERVER = 2048;

const FILE_KEY = (key: string) =>
  `The kubeconfig refers to a file on the panel's host (${key}); the panel accepts inline data only — embed it (kubectl config view --raw --flatten).`;

// Keys the client library would act on that the panel never accepts, with why in plain words.
const REFUSED: Record<string, string> = {
  "certificate-authority": FILE_KEY("certificate-authority"),
  "client-certificate": FILE_KEY("client-certificate"),
  "client-key": FILE_KEY("client-key"),
  "token-file": FILE_KEY("token-file"),
  exec: "The kubeconfig's user runs a program (exec) to get credentials; the panel needs inline credentials (a token or a client certificate).",
  "auth-provider": "The kubeconfig's user uses an auth provider plugin; the panel needs inline credentials (a token or a client certificate).",
  "proxy-url": "The kubeconfig sends its requests through a proxy (proxy-url); the panel connects to API servers directly.",
  as: "The kubeconfig's user impersonates another identity (as); register the credentials the panel should use instead.",
  "as-uid": "The kubeconfig's user impersonates another identity (as-uid); register the credentials the panel should use instead.",
  "as-groups": "The kubeconfig's user impersonates groups (as-groups); register the credentials the panel should use instead.",
  "as-user-extra": "The kubeconfig's user impersonates another identity (as-user-extra); register the credentials the panel should use instead.",
  username: "The kubeconfig's user signs in with a username and password, which Kubernetes no longer accepts; use a token or a client certificate.",
  password: "The kubeconfig's user signs in with a username and password, which Kubernetes no longer accepts; use a token or a client certificate.",
};

// The allow-list: every key the panel reads, per section, and the keys it accepts and ignores.
const ALLOWED = {
  top: ["apiVersion", "kind", "clusters", "users", "contexts", "current-context", "preferences", "extensions"],
  clusterEntry: ["name", "cluster"],
  cluster: ["server", "certificate-authority-data", "insecure-skip-tls-verify", "tls-server-name", "disable-compression", "extensions"],
  userEntry: ["name", "user"],
  user: ["token", "client-certificate-data", "client-key-data", "extensions"],
  contextEntry: ["name", "context"],
  // `name` inside a context is what the client library itself writes when it exports one.
  context: ["cluster", "user", "namespace", "extensions", "name"],
} as const;

/** A key or value from the document, safe to quote in a message: printable, short, odd characters by code point. */
export function quoteForMessage(value: string, max = 60): string {
  const shown = [...value.slice(0, max)]
    .map((c) => (/^[\x20-\x7e]$/.test(c) ? c : codePointOf(c)))
    .join("");
  return `“${shown}${value.length > max ? "…" : ""}”`;
}

type Plain = Record<string, unknown>;

function isPlainObject(value: unknown): value is Plain {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkKeys(value: unknown, allowed: readonly string[], where: string): Plain {
  if (!isPlainObject(value)) refuse(`${where} must be a mapping of keys to values.`);
  const object = value as Plain;
  for (const key of Object.keys(object)) {
    if (allowed.includes(key)) continue;
    if (Object.hasOwn(REFUSED, key)) refuse(REFUSED[key]!); // own keys only: "__proto__" is not a refusal message
    refuse(`The kubeconfig has the key ${quoteForMessage(key)} in ${where}, which the panel does not accept.`);
  }
  return object;
}

function depthOf(value: unknown): number {
  // Iterative, so a hostile document cannot exhaust the stack here.
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (depth > max) max = depth;
    if (depth > MAX_DEPTH) return depth;
    if (Array.isArray(node)) for (const item of node) stack.push([item, depth + 1]);
    else if (isPlainObject(node)) for (const item of Object.values(node)) stack.push([item, depth + 1]);
  }
  return max;
}

function optionalString(object: Plain, key: string, where: string, max: number): string | undefined {
  const value = object[key];
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") refuse(`${key} in ${where} must be text.`);
  const text = value as string;
  if (text.length > max) refuse(`${key} in ${where} is longer than ${max} characters.`);
  return text;
}

// Names may hold what clouds put in them (“arn:aws:eks:…”, “admin@cluster”), but no control characters.
function nameOf(object: Plain, where: string): string {
  const name = optionalString(object, "name", where, MAX_NAME);
  if (!name) refuse(`${where} has no name.`);
  const bad = [...name!].find((c) => !/^[\x21-\x7e]$/.test(c) && !/^[\p{L}\p{N}]$/u.test(c));
  if (bad) refuse(`The name ${quoteForMessage(name!)} in ${where} contains ${quoteForMessage(bad)}; use printable characters only.`);
  return name!;
}

function base64Pem(object: Plain, key: string, where: string, kind: "certificate" | "key"): string | undefined {
  const data = optionalString(object, key, where, MAX_DATA);
  if (data === undefined) return undefined;
  const compact = data.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) refuse(`${key} in ${where} is not base64 data.`);
  const pem = Buffer.from(compact, "base64").toString("utf8");
  const marker = kind === "certificate" ? /-----BEGIN CERTIFICATE-----/ : /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
  if (!marker.test(pem)) refuse(`${key} in ${where} does not hold a PEM ${kind === "certificate" ? "certificate" : "private key"}.`);
  return compact;
}

function vetCluster(entry: unknown, index: number): VettedCluster {
  const where = `clusters[${index}]`;
  const outer = checkKeys(entry, ALLOWED.clusterEntry, where);
  const name = nameOf(outer, where);
  const inner = checkKeys(outer.cluster ?? refuse(`${where} has no cluster section.`), ALLOWED.cluster, `${where}.cluster`);
  const server = optionalString(inner, "server", `${where}.cluster`, MAX_SERVER);
  if (!server) refuse(`Cluster ${quoteForMessage(name)} has no server address.`);
  const insecure = inner["insecure-skip-tls-verify"];
  if (insecure !== undefined && insecure !== null && typeof insecure !== "boolean") refuse(`insecure-skip-tls-verify in ${where}.cluster must be true or false.`);
  const tlsServerName = optionalString(inner, "tls-server-name", `${where}.cluster`, MAX_NAME);
  if (tlsServerName && !/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(tlsServerName)) refuse(`tls-server-name in ${where}.cluster is not a host name.`);
  const disableCompression = inner["disable-compression"];
  if (disableCompression !== undefined && typeof disableCompression !== "boolean") refuse(`disable-compression in ${where}.cluster must be true or false.`);
  return {
    name,
    server: server!,
    caData: base64Pem(inner, "certificate-authority-data", `${where}.cluster`, "certificate"),
    insecureSkipTlsVerify: insecure === true,
    tlsServerName,
  };
}

function vetUser(entry: unknown, index: number): VettedUser {
  const where = `users[${index}]`;
  const outer = checkKeys(entry, ALLOWED.userEntry, where);
  const name = nameOf(outer, where);
  // A user with no section at all has no credentials: said below, with the context that needs it.
  const inner = outer.user === undefined || outer.user === null ? {} : checkKeys(outer.user, ALLOWED.user, `${where}.user`);
  const token = optionalString(inner, "token", `${where}.user`, MAX_TOKEN);
  // The token goes into a header: visible ASCII only, so it cannot add lines or other headers.
  if (token !== undefined && !/^[\x21-\x7e]+$/.test(token)) refuse(`The token in ${where}.user contains characters a bearer token cannot have (spaces, line breaks or non-ASCII).`);
  const certData = base64Pem(inner, "client-certificate-data", `${where}.user`, "certificate");
  const keyData = base64Pem(inner, "client-key-data", `${where}.user`, "key");
  if (Boolean(certData) !== Boolean(keyData)) refuse(`${where}.user has a client certificate without its key, or a key without its certificate.`);
  return { name, token, certData, keyData };
}

function vetContext(entry: unknown, index: number): VettedContext {
  const where = `contexts[${index}]`;
  const outer = checkKeys(entry, ALLOWED.contextEntry, where);
  const name = nameOf(outer, where);
  const inner = checkKeys(outer.context ?? refuse(`${where} has no context section.`), ALLOWED.context, `${where}.context`);
  const cluster = optionalString(inner, "cluster", `${where}.context`, MAX_NAME);
  const user = optionalString(inner, "user", `${where}.context`, MAX_NAME);
  if (!cluster) refuse(`Context ${quoteForMessage(name)} names no cluster.`);
  if (!user) refuse(`Context ${quoteForMessage(name)} names no user.`);
  const namespace = optionalString(inner, "namespace", `${where}.context`, 63);
  if (namespace !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace)) refuse(`The namespace in ${where}.context is not a valid namespace name.`);
  return { name, cluster: cluster!, user: user!, namespace };
}

function list(value: unknown, section: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) refuse(`${section} must be a list.`);
  if ((value as unknown[]).length > MAX_ENTRIES) refuse(`The kubeconfig has more than ${MAX_ENTRIES} ${section}.`);
  return value as unknown[];
}

function uniqueNames(entries: { name: string }[], section: string): void {
  const seen = new Set<string>();
  for (const { name } of entries) {
    if (seen.has(name)) refuse(`Two ${section} are named ${quoteForMessage(name)}.`);
    seen.add(name);
  }
}

/** Parses the raw text as YAML or JSON with our limits; returns plain data. Throws ValidationError. */
function parseRaw(text: string): Plain {
  if (!text.trim()) refuse("Paste or upload a kubeconfig.");
  if (kubeconfigSizeProblem(text)) refuse(KUBECONFIG_TOO_LARGE);
  let data: unknown;
  try {
    // Core schema (no language-specific or YAML 1.1 types), unique keys, keys as text.
    const doc = parseDocument(text, { schema: "core", uniqueKeys: true, prettyErrors: false, strict: true, stringKeys: true });
    if (doc.errors.length > 0) {
      const first = doc.errors[0]!;
      refuse(`That is not a readable kubeconfig (YAML or JSON): ${first.code === "DUPLICATE_KEY" ? "a key appears twice" : "syntax error"} near line ${first.linePos?.[0]?.line ?? "?"}.`);
    }
    if (doc.warnings.length > 0) refuse("The kubeconfig uses YAML tags a kubeconfig never needs; paste it as kubectl writes it.");
    // No aliases at all: a kubeconfig never needs them, and they are how small documents become huge.
    let alias = false;
    visit(doc, { Alias: () => ((alias = true), visit.BREAK) });
    if (alias) refuse("The kubeconfig uses YAML aliases (*name); paste it without them.");
    data = doc.toJS({ maxAliasCount: 0 });
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    if (error instanceof RangeError) refuse("The kubeconfig is nested too deeply.");
    // The parser's own message quotes the input; ours does not need to.
    refuse("That is not a readable kubeconfig (YAML or JSON).");
  }
  if (!isPlainObject(data)) refuse("That is not a kubeconfig: expected a mapping with clusters, users and contexts.");
  if (depthOf(data) > MAX_DEPTH) refuse("The kubeconfig is nested too deeply.");
  return data as Plain;
}

/** Vets a raw kubeconfig document. Throws ValidationError (field `kubeconfig`) naming the first problem. */
export function vetKubeconfig(text: string): VettedKubeconfig {
  const top = checkKeys(parseRaw(text), ALLOWED.top, "the top level");
  if (top.apiVersion !== undefined && top.apiVersion !== "v1") refuse("The kubeconfig's apiVersion must be v1.");
  if (top.kind !== undefined && top.kind !== "Config") refuse("The kubeconfig's kind must be Config.");
  if (top.preferences !== undefined && top.preferences !== null && !isPlainObject(top.preferences)) refuse("preferences must be a mapping.");
  if (top.extensions !== undefined && top.extensions !== null && !Array.isArray(top.extensions)) refuse("extensions must be a list.");
  const clusters = list(top.clusters, "clusters").map(vetCluster);
  const users = list(top.users, "users").map(vetUser);
  const contexts = list(top.contexts, "contexts").map(vetContext);
  uniqueNames(clusters, "clusters");
  uniqueNames(users, "users");
  uniqueNames(contexts, "contexts");
  if (contexts.length === 0) refuse("The kubeconfig has no contexts.");
  const current = top["current-context"];
  if (current !== undefined && current !== null && typeof current !== "string") refuse("current-context must be text.");
  return { clusters, users, contexts, currentContext: typeof current === "string" && current ? current : undefined };
}

/** Whether a vetted cluster would be reached without verifying TLS (switched off, or plain http). */
export function isInsecureCluster(cluster: VettedCluster): boolean {
  return cluster.insecureSkipTlsVerify || cluster.server.toLowerCase().startsWith("http:");
}

/** The contexts of a kubeconfig text, for the "pick a context" step. Throws ValidationError on bad input. */
export function listKubeconfigContexts(text: string): KubeconfigContext[] {
  const vetted = vetKubeconfig(text);
  return vetted.contexts.map((context) => {
    const cluster = vetted.clusters.find((c) => c.name === context.cluster);
    return { name: context.name, cluster: context.cluster, server: cluster?.server ?? "", user: context.user, insecure: cluster ? isInsecureCluster(cluster) : false };
  });
}

/** One context of a vetted kubeconfig with its cluster and user; ValidationError when a part is missing. */
export interface SelectedContext {
  context: VettedContext;
  cluster: VettedCluster;
  user: VettedUser;
}

/** Picks `name` (default: the current context) and checks its cluster and user are there and usable. */
export function selectContext(vetted: VettedKubeconfig, name?: string): SelectedContext {
  const wanted = name || vetted.currentContext;
  const context = wanted ? vetted.contexts.find((c) => c.name === wanted) : undefined;
  if (!context) {
    const message = wanted ? `The kubeconfig has no context ${quoteForMessage(wanted)}.` : "The kubeconfig has no current context; pick one.";
    throw new ValidationError(message, { context: "Pick a context." });
  }
  const cluster = vetted.clusters.find((c) => c.name === context.cluster);
  const user = vetted.users.find((u) => u.name === context.user);
  if (!cluster) refuse(`Context ${quoteForMessage(context.name)} names cluster ${quoteForMessage(context.cluster)}, which is not in the kubeconfig.`);
  if (!user) refuse(`Context ${quoteForMessage(context.name)} names user ${quoteForMessage(context.user)}, which is not in the kubeconfig.`);
  if (!user!.token && !user!.certData) refuse("The kubeconfig's user has no credentials (no token and no client certificate).");
  return { context, cluster: cluster!, user: user! };
}

/** The text stored for one selected context: only vetted keys, written by us. */
export function storedKubeconfigText({ context, cluster, user }: SelectedContext): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: cluster.name,
        cluster: {
          server: cluster.server,
          ...(cluster.caData && { "certificate-authority-data": cluster.caData }),
          ...(cluster.insecureSkipTlsVerify && { "insecure-skip-tls-verify": true }),
          ...(cluster.tlsServerName && { "tls-server-name": cluster.tlsServerName }),
        },
      },
    ],
    users: [
      {
        name: user.name,
        user: {
          ...(user.token && { token: user.token }),
          ...(user.certData && { "client-certificate-data": user.certData }),
          ...(user.keyData && { "client-key-data": user.keyData }),
        },
      },
    ],
    contexts: [{ name: context.name, context: { cluster: context.cluster, user: context.user, ...(context.namespace && { namespace: context.namespace }) } }],
    "current-context": context.name,
  });
}

/** A client config built from vetted values only (nothing the library would read or run). */
export function kubeConfigFromSelected({ context, cluster, user }: SelectedContext): KubeConfig {
  const clusterOption: Cluster = {
    name: cluster.name,
    server: cluster.server.replace(/\/$/, ""),
    caData: cluster.caData,
    skipTLSVerify: cluster.insecureSkipTlsVerify,
    tlsServerName: cluster.tlsServerName,
  };
  const userOption: User = { name: user.name, token: user.token, certData: user.certData, keyData: user.keyData };
  const contextOption: Context = { name: context.name, cluster: context.cluster, user: context.user, namespace: context.namespace };
  const kc = new CancellableKubeConfig();
  kc.loadFromOptions({ clusters: [clusterOption], users: [userOption], contexts: [contextOption], currentContext: context.name });
  return kc;
}

/** Loads a stored kubeconfig, vetting it again (a row written by an older version, or tampered with, gets no trust). */
export function kubeConfigFromStored(text: string): KubeConfig {
  return kubeConfigFromSelected(selectContext(vetKubeconfig(text)));
}
