// Pages read some things live from a cluster (health, quota usage, namespace contents). A
// cluster that is down must not break the page: the read becomes a message to show instead.
import { toUserError } from "@/lib/errors";

/** A live read that worked, or the user-facing reason it did not. */
export type LiveRead<T> = { ok: true; value: T } | { ok: false; error: string };

/** Runs `read`; an expected failure (unreachable, forbidden, …) becomes its message, anything else is logged. */
export async function readLive<T>(read: () => Promise<T>): Promise<LiveRead<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    return { ok: false, error: toUserError(error).message };
  }
}
