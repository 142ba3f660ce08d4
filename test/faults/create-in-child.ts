// A second panel process for the fault scenarios: it creates one SSH pod in the shared
// PostgreSQL database and is killed (SIGKILL) in the middle of it.
//   tsx test/faults/create-in-child.ts <database-url> <actor-json> <input-json>
import { createDatabase } from "@/lib/db/client";
import { createSshPod } from "@/lib/pods/service";

const [url, actor, input] = process.argv.slice(2);
const { db } = await createDatabase({ url: url! });
const created = await createSshPod(db, JSON.parse(actor!), JSON.parse(input!));
process.stdout.write(`${JSON.stringify(created)}\n`);
process.exit(0);
