// How pages, actions and route handlers reach the built-in local cluster. The runner that owns
// the child processes lives in the panel process's own module graph (server.ts imports
// lib/local-cluster/runner.ts, which loads dev/cluster/ under tsx); the Next.js bundle has its
// own copies of modules, so the two meet on globalThis. Nothing here imports dev/cluster/.
import type { LocalClusterStatus } from "@/lib/local-cluster/progress";

/** Who asked for a start: a signed-in admin, or the panel itself. */
export interface LocalClusterActor {
  actorId: string | null;
  actorLabel: string;
}

/** What the panel process offers the rest of the panel. */
export interface LocalClusterControl {
  /** The start as it stands now. */
  status(): LocalClusterStatus;
  /**
   * Starts the built-in cluster in the background (or retries a failed start); returns at once.
   * `name` names its first registration (default: "local", or the next free name).
   * Throws an AppError when the environment does not allow it. Idempotent while starting or ready.
   */
  start(actor: LocalClusterActor, options?: { name?: string }): void;
  /** Calls `listener` with every new status until the returned function is called. */
  subscribe(listener: (status: LocalClusterStatus) => void): () => void;
}

const globalForControl = globalThis as typeof globalThis & { __minicloudLocalCluster?: LocalClusterControl };

/** The panel process's control, or null when this process runs without server.ts (tests). */
export function localClusterControl(): LocalClusterControl | null {
  return globalForControl.__minicloudLocalCluster ?? null;
}

/** Installs the control (server.ts, through the runner). */
export function installLocalClusterControl(control: LocalClusterControl | undefined): void {
  globalForControl.__minicloudLocalCluster = control;
}
