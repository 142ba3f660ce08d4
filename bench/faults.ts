// `npm run bench:faults`: real faults in the middle of creates, and generated bad input, with
// the panel's promises counted. Each fault scenario (test/faults/scenarios.ts) runs `ROUNDS`
// times on a private control plane and PostgreSQL server: the API server killed and
// restarted, frozen 30 s, the database restarted, the panel SIGKILLed. The bad-input figures
// come from the property-based suite (test/cluster/bad-input.test.ts), run here through Vitest.
// Ends with one line:
//   RESULT faults_injected=N faults_survived=N bad_inputs=N server_errors=0 objects_created=0 orphans=0 lost_rows=0 relists_per_restart=N
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { prepareBenchEnvironment } from "./support";

const ROUNDS = Number(process.env.FAULT_ROUNDS ?? 2);

async function main() {
  const ownDataDir = prepareBenchEnvironment();
  const { FAULTS, runFaultMidCreate, startFaultWorld, pendingAuditRows } = await import("../test/faults/scenarios");
  const { watchCacheFor } = await import("@/lib/kube/watch-cache");
  const world = await startFaultWorld((line) => console.log(`[cluster] ${line}`));
  let injected = 0;
  let missed = 0;
  let survived = 0;
  let orphans = 0;
  let lostRows = 0;
  let restarts = 0;
  let listsAcrossRestarts = 0;
  try {
    // The panel's own watch of the cluster, as the live pages keep it: how many lists each API server restart costs.
    const cache = await watchCacheFor(world.db, world.clusterId);
    await cache.ready(60_000);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const fault of FAULTS) {
        const listsBefore = cache.stats().lists;
        // Counted only when the fault landed before the create finished (tried up to 4 times).
        const result = await runFaultMidCreate(world, fault);
        if (!result.landedMidCreate) {
          missed++;
          console.log(`round ${round} ${fault}: the create finished before the fault ${result.attempts} times; not counted`);
          continue;
        }
        injected++;
        const ok = result.answeredInTime && result.orphans === 0 && result.lostRows === 0 && result.retryOk && result.duplicates === 0;
        if (ok) survived++;
        orphans += result.orphans;
        lostRows += result.lostRows;
        if (fault === "apiserver-killed") {
          // The cache lists again once the restarted API server answers; wait for it to be whole.
          await cache.ready(60_000);
          restarts++;
          listsAcrossRestarts += cache.stats().lists - listsBefore;
        }
        console.log(`round ${round} ${fault}: ${ok ? "survived" : "FAILED"} (attempt ${result.attempts}) — heard “${result.heard}”: ${result.message}`);
      }
    }
    const pending = await pendingAuditRows(world);
    if (pending > 0) console.log(`${pending} audit row(s) still pending`);
  } finally {
    await world.close();
    if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });
  }

  console.log("running the bad-input suite …");
  const suite = spawnSync("vitest", ["run", "--project", "cluster", "test/cluster/bad-input.test.ts"], { stdio: "inherit" });
  const summaryFile = "test-results/bad-input-summary.json";
  const summary = existsSync(summaryFile)
    ? (JSON.parse(readFileSync(summaryFile, "utf8")) as { cases: number; serverErrors: number; rowsCreated: number; objectsCreated: number })
    : { cases: 0, serverErrors: -1, rowsCreated: -1, objectsCreated: -1 };
  if (suite.status !== 0) console.log("the bad-input suite failed; its figures are as it left them");

  console.log(
    `RESULT faults_injected=${injected} faults_survived=${survived} faults_missed=${missed} bad_inputs=${summary.cases} server_errors=${summary.serverErrors} ` +
      `objects_created=${summary.objectsCreated} rows_created=${summary.rowsCreated} orphans=${orphans} lost_rows=${lostRows} ` +
      `relists_per_restart=${restarts ? (listsAcrossRestarts / restarts).toFixed(1) : "n/a"}`,
  );
  process.exit(0);
}

void main();
