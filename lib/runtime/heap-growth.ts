// How far V8 lets the heap grow after each full collection: fixed at 1.5× the live heap instead
// of V8's adaptive factor. Streaming bytes through the panel (a console, a terminal) allocates a
// Buffer per chunk outside the heap; after a full collection the adaptive factor can leave less
// room above the live heap than the young generation holds, and then each full collection starts
// the next at once. Measured: a relay alone used four times the CPU after one
// full collection; while the panel still relayed disk uploads itself (they go through their own
// process now: lib/vms/disks/upload/relay.ts), its CPU per GiB went from 4.5–5 s to 3.1–3.9 s and
// its speed from 0.67 to 0.79 of the direct upload's. The price of the fixed factor: the heap may
// reach 1.5× its live size before a full collection.
import { setFlagsFromString } from "node:v8";

/** Call once, first thing in the process (server.ts; the benchmarks that stand in for it). */
export function fixHeapGrowth(): void {
  setFlagsFromString("--heap-growing-percent=50");
}
