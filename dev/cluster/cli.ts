// `npm run cluster:up|down` and `tsx dev/cluster/cli.ts build`.
import { ensureBinaries } from "./binaries";

const log = (line: string) => console.log(`[cluster] ${line}`);

async function main(verb: string | undefined): Promise<void> {
  switch (verb) {
    case "build": {
      const binaries = await ensureBinaries(log);
      log(`binaries ready: ${binaries.kubeApiserver.replace(/\/bin\/.*/, "")}`);
      return;
    }
    default:
      console.error("usage: cli.ts build|up|down");
      process.exitCode = 2;
  }
}

await main(process.argv[2]);
