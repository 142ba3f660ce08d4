// The contract between the control-plane launcher and the KubeVirt / CDI stand-ins.
export interface StandinContext {
  /** Admin kubeconfig of the running control plane. */
  kubeconfigPath: string;
  /** The run's temp directory; stand-ins keep their files (certs, uploads, logs) under it. */
  dir: string;
  /** Writes a line to the run's log (prefixed by the launcher). */
  log: (line: string) => void;
}

export interface RunningStandins {
  /** QEMU guests holding a slot now (starting, running or shutting down after their VMI went). */
  guestsRunning(): number;
  stop(): Promise<void>;
}
