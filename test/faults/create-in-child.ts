// A second panel process for the fault scenarios: it creates one workload (an SSH pod, or a VM)
// in the shared PostgreSQL database and is killed (SIGKILL) in the middle of it.
//   tsx test/faults/create-in-child.ts <database-url> <actor-json> <input-json> [ssh-pod|vm]
import { createDatabase } from "@/lib/db/client";
import { createSshPod } from "@/lib/pods/service";
import { createVm } from "@/lib/vms/service";

const [url, actor, input, kind = "ssh-pod"] = process.argv.slice(2);
const { db } = await createDatabase({ url: url! });
const created = kind === "vm" ? await createVm(db, JSON.parse(actor!), JSON.parse(input!)) : await createSshPod(db, JSON.parse(actor!), JSON.parse(input!));
process.stdout.write(`${JSON.stringify(created)}\n`);
process.exit(0);
