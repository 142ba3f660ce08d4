// Parsing kubeconfigs that admins paste or upload. A kubeconfig can make a client run a
// program (`exec`, auth providers) or read files on the panel's host (`*-file` paths);
// stored ones must be self-contained and inert, so those are refused with a message.
import { KubeConfig } from "@kubernetes/client-node";
import { ValidationError } from "@/lib/errors";

export interface KubeconfigContext {
  name: string;
  cluster: string;
  server: string;
  user: string;
}

/** The contexts of a kubeconfig text, for the "pick a context" step. Throws ValidationError on bad input. */
export function listKubeconfigContexts(text: string): KubeconfigContext[] {
  const kc = loadText(text);
  return kc.getContexts().map((context) => ({
    name: context.name,
    cluster: context.cluster,
    server: kc.getCluster(context.cluster)?.server ?? "",
    user: context.user,
  }));
}

/**
 * A kubeconfig reduced to one context (its cluster and user only), checked to be inert,
 * as text to store. `context` defaults to the file's current context.
 */
export function extractKubeconfigContext(text: string, context?: string): { kubeconfig: string; context: KubeconfigContext } {
  const kc = loadText(text);
  const name = context || kc.getCurrentContext();
  const ctx = name ? kc.getContextObject(name) : null;
  if (!ctx) {
    throw new ValidationError(name ? `The kubeconfig has no context “${name}”.` : "The kubeconfig has no current context; pick one.", { context: "Pick a context." });
  }
  const cluster = kc.getCluster(ctx.cluster);
  const user = kc.getUser(ctx.user);
  if (!cluster?.server) throw new ValidationError(`Context “${name}” names cluster “${ctx.cluster}”, which is not in the kubeconfig.`, { kubeconfig: "The context's cluster is missing." });
  if (!user) throw new ValidationError(`Context “${name}” names user “${ctx.user}”, which is not in the kubeconfig.`, { kubeconfig: "The context's user is missing." });
  const problem = inertnessProblem(cluster as unknown as Record<string, unknown>, user as unknown as Record<string, unknown>);
  if (problem) throw new ValidationError(problem, { kubeconfig: problem });
  if (!/^https?:\/\//.test(cluster.server)) throw new ValidationError(`The server address “${cluster.server}” is not an http(s) URL.`, { kubeconfig: "The server must be an https:// URL." });

  const single = new KubeConfig();
  single.loadFromOptions({
    clusters: [cluster],
    users: [user],
    contexts: [{ name, cluster: cluster.name, user: user.name, namespace: ctx.namespace }],
    currentContext: name,
  });
  return { kubeconfig: single.exportConfig(), context: { name, cluster: cluster.name, server: cluster.server, user: user.name } };
}

/** Loads a stored (already checked) kubeconfig. */
export function kubeConfigFromStored(text: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(text);
  return kc;
}

function loadText(text: string): KubeConfig {
  if (!text.trim()) throw new ValidationError("Paste or upload a kubeconfig.", { kubeconfig: "Paste or upload a kubeconfig." });
  if (text.length > 512 * 1024) throw new ValidationError("That kubeconfig is larger than 512 KiB.", { kubeconfig: "Too large." });
  const kc = new KubeConfig();
  try {
    kc.loadFromString(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : "unreadable";
    throw new ValidationError(`That is not a readable kubeconfig: ${reason}`, { kubeconfig: "Not a readable kubeconfig (YAML or JSON)." });
  }
  if (kc.getContexts().length === 0) throw new ValidationError("The kubeconfig has no contexts.", { kubeconfig: "No contexts found." });
  return kc;
}

function inertnessProblem(cluster: Record<string, unknown>, user: Record<string, unknown>): string | null {
  if (user.exec) return "The kubeconfig's user runs a program (exec) to get credentials; the panel needs inline credentials (a token or a client certificate).";
  if (user.authProvider) return "The kubeconfig's user uses an auth provider plugin; the panel needs inline credentials (a token or a client certificate).";
  for (const [owner, field] of [
    [cluster, "caFile"],
    [user, "certFile"],
    [user, "keyFile"],
  ] as const) {
    if (owner[field]) return `The kubeconfig refers to a file (${field}: ${String(owner[field])}); embed the data instead (kubectl config view --raw --flatten).`;
  }
  if ((user as { tokenFile?: unknown }).tokenFile) return "The kubeconfig refers to a token file; embed the token instead.";
  if (!user.token && !user.certData && !user.username) return "The kubeconfig's user has no credentials (no token, client certificate or password).";
  return null;
}
