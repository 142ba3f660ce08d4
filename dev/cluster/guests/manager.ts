// The guests of one control plane: at most `limit` QEMU processes at once, each known by an id (the
// VMI's uid), with its own directory; none outlives stop(), and each dies with the harness (QEMU runs
// under the same parent-death signal as every other child, see processes.ts).
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { Guest, type GuestEnd, type GuestSpec } from "./qemu";

/** MINICLOUD_MAX_GUESTS, default 4. */
export function guestLimitFromEnv(): number {
  const value = Number(process.env.MINICLOUD_MAX_GUESTS ?? "4");
  return Number.isInteger(value) && value >= 0 ? value : 4;
}

interface Slot {
  guest?: Guest;
  starting?: Promise<Guest>;
  /** Stop asked for while starting: carried out once the start settles. */
  stopAfterStart?: number;
}

export interface GuestManagerOptions {
  /** Parent of the guests' directories. */
  root: string;
  limit: number;
  log: (line: string) => void;
  /** A guest ended without being asked to (it powered off or QEMU died). */
  onEnd: (id: string, end: GuestEnd) => void;
  /** A slot became free (its guest ended, or never started): whoever waits for one may take it now. */
  onSlotFreed?: () => void;
}

export class GuestManager {
  private readonly slots = new Map<string, Slot>();
  private stopped = false;

  constructor(private readonly options: GuestManagerOptions) {}

  get limit(): number {
    return this.options.limit;
  }

  /** Guests holding a slot (running, starting or shutting down). */
  get count(): number {
    return this.slots.size;
  }

  ids(): string[] {
    return [...this.slots.keys()];
  }

  /** Takes a slot for `id` (true if it already has one); false when the limit is reached. */
  reserve(id: string): boolean {
    if (this.slots.has(id)) return true;
    if (this.stopped || this.slots.size >= this.options.limit) return false;
    this.slots.set(id, {});
    return true;
  }

  get(id: string): Guest | undefined {
    return this.slots.get(id)?.guest;
  }

  /** Starts the guest of a reserved slot (once; later calls get the same guest). */
  start(id: string, describe: (dir: string) => Promise<Omit<GuestSpec, "dir">>): Promise<Guest> {
    const slot = this.slots.get(id);
    if (!slot) return Promise.reject(new Error(`guest ${id} has no slot (reserve first)`));
    if (slot.guest) return Promise.resolve(slot.guest);
    slot.starting ??= (async () => {
      const dir = path.join(this.options.root, id);
      await mkdir(dir, { recursive: true });
      const spec = { ...(await describe(dir)), dir };
      const guest = await Guest.start(spec);
      slot.guest = guest;
      this.options.log(`guest ${spec.label}: QEMU ${guest.pid} started (${spec.image.name}, ${spec.memoryMiB} MiB, ${spec.disks.length} disk(s)${spec.seedIso ? ", cloud-init seed" : ""})`);
      void guest.ended.then((end) => this.ended(id, slot, guest, end));
      return guest;
    })();
    slot.starting.catch(() => {
      this.free(id, slot);
      void rm(path.join(this.options.root, id), { recursive: true, force: true });
    });
    return slot.starting.then(async (guest) => {
      if (slot.stopAfterStart !== undefined) {
        await guest.stop(slot.stopAfterStart);
        throw new Error("the guest was stopped while starting");
      }
      return guest;
    });
  }

  /** Stops `id`'s guest (ACPI power button, then kill after `graceMs`) and frees its slot. */
  async stop(id: string, graceMs: number): Promise<void> {
    const slot = this.slots.get(id);
    if (!slot) return;
    if (!slot.guest) {
      if (!slot.starting) {
        this.free(id, slot);
        return;
      }
      slot.stopAfterStart = graceMs;
      await slot.starting.catch(() => undefined);
      if (!slot.guest) return;
    }
    await slot.guest.stop(graceMs);
    await slot.guest.ended;
  }

  /** Kills every guest at once (the harness is stopping). */
  async stopAll(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.ids().map((id) => this.stop(id, 0)));
  }

  private free(id: string, slot: Slot): void {
    if (this.slots.get(id) !== slot) return;
    this.slots.delete(id);
    if (!this.stopped) this.options.onSlotFreed?.();
  }

  private ended(id: string, slot: Slot, guest: Guest, end: GuestEnd): void {
    this.free(id, slot);
    void rm(guest.spec.dir, { recursive: true, force: true });
    this.options.log(`guest ${guest.spec.label}: QEMU ${guest.pid} ended (${end.kind}${end.kind === "crashed" ? `: ${end.detail}` : ""})`);
    if (!this.stopped) this.options.onEnd(id, end);
  }
}
