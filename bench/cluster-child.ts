// The local control plane in a child process, for benchmarks that measure their own process's
// memory: the stand-ins (the CDI upload proxy among them) then run outside it. Sends
// `{ ready: { kubeconfigPath, dir } }` over IPC once up; stops when its parent goes away.
import { startLocalCluster } from "../dev/cluster/index";

const cluster = await startLocalCluster({ log: () => {} });
process.send?.({ ready: { kubeconfigPath: cluster.kubeconfigPath, dir: cluster.dir } });
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await cluster.stop();
  process.exit(0);
};
process.on("disconnect", () => void stop());
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void stop());
