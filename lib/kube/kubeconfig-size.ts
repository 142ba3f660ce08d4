// The one size limit of a kubeconfig, shared by the register form (checked in the browser
// before sending) and the server (checked before parsing), so both say the same sentence. It
// sits well below the framework's server-action body limit (1 MB), so a kubeconfig too large
// for us is always refused by us, with this message, never by the framework with none.

/** The largest kubeconfig the panel accepts, in bytes of UTF-8. */
export const KUBECONFIG_MAX_BYTES = 256 * 1024;

/** The message for a kubeconfig over the limit. */
export const KUBECONFIG_TOO_LARGE = `That kubeconfig is larger than ${KUBECONFIG_MAX_BYTES / 1024} KiB; keep only the context you want to register.`;

/** The message when `text` is over the limit, or null. */
export function kubeconfigSizeProblem(text: string): string | null {
  // Counting bytes, not characters: the framework's limit is in bytes too.
  return new TextEncoder().encode(text).length > KUBECONFIG_MAX_BYTES ? KUBECONFIG_TOO_LARGE : null;
}
