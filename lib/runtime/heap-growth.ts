// How far V8 lets the heap grow after each full collection: fixed at 1.5× the live heap instead
// of V8's adaptive factor. Streaming bytes through the panel (a disk image upload, a console)
// allocates a Buffer per chunk outside the heap; after a full collection the adaptive factor can
// leave less room above the live heap than the young generation holds, and then each full
// collection starts the next at once. Measured on a 1 GiB upload relay: four times the CPU, and
// half the speed (bench:vms, upload). The price of the fixed factor: the heap may reach 1.5× its
// live size before a full collection.
import { setFlagsFromString } from "node:v8";

/** Call once, first thing in the process (server.ts; the benchmarks that stand in for it). */
export function fixHeapGrowth(): void {
  setFlagsFromString("--heap-growing-percent=50");
}
