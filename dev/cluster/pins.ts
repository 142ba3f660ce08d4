// The one place that pins what the local control plane is built from. Changing a pin
// changes the cache key, so the next start rebuilds; nothing else triggers a rebuild.
import { homedir } from "node:os";
import path from "node:path";

/** Module versions fetched through the Go module proxy. */
export const PINS = {
  kubernetes: "v1.35.4",
  etcd: "v3.6.16",
  kwok: "v0.8.0",
  /** Only the chart tests use it (`helm lint`, `helm template`, an install into the local control plane). */
  helm: "v4.3.2",
} as const;

/**
 * Bumped when the way we build changes (flags, wrapper layout) without a pin changing,
 * so a stale cache is not mistaken for a good one.
 */
const RECIPE = 1;

/** Root of everything minicloud caches outside the repo. */
export function cacheRoot(): string {
  return process.env.MINICLOUD_CACHE ?? path.join(homedir(), ".cache", "minicloud");
}

/** Directory holding the binaries built from exactly these pins. */
export function binariesDir(): string {
  const key = `k8s-${PINS.kubernetes}-etcd-${PINS.etcd}-kwok-${PINS.kwok}-r${RECIPE}`;
  return path.join(cacheRoot(), key);
}
