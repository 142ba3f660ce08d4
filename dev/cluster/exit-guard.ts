// Last-resort cleanup when the process that owns a control plane ends without stopping it:
// normal exit, an uncaught error (Node still emits "exit"), or SIGINT/SIGTERM/SIGHUP.
const cleanups = new Set<() => void>();
let installed = false;

const SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/**
 * Registers a synchronous cleanup to run if the process ends while it is registered;
 * returns the function that unregisters it (call it after an orderly stop).
 */
export function onAbandon(cleanup: () => void): () => void {
  install();
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

function runAll(): void {
  for (const cleanup of [...cleanups]) {
    cleanups.delete(cleanup);
    try {
      cleanup();
    } catch {
      // Keep going: one failed cleanup must not leave the others undone.
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on("exit", runAll);
  for (const signal of SIGNALS) {
    process.once(signal, () => {
      runAll();
      // Listening to a signal cancels Node's default "die"; re-raise it unless someone
      // else (a test runner, the CLI) listens and decides how to exit.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}
