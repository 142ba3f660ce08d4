// Quantities as the cluster pages need them: CPU in millicores and memory in bytes from
// Kubernetes quantity strings (for sums over pods and quota usage), and short readable text.

const SUFFIX: Record<string, number> = {
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
  n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
};
const PATTERN = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

/** A quantity in base units (cores, bytes, counts); 0 when absent or unreadable. */
export function quantityValue(quantity: string | undefined | null): number {
  const match = quantity ? PATTERN.exec(quantity.trim()) : null;
  if (!match) return 0;
  const [, digits, suffix, exponent] = match;
  return exponent !== undefined ? Number(digits) * 10 ** Number(exponent) : Number(digits) * SUFFIX[suffix ?? ""]!;
}

/** A CPU quantity in millicores, rounded up as Kubernetes rounds requests. */
export function toMillicores(quantity: string | undefined | null): number {
  return Math.ceil(Math.round(quantityValue(quantity) * 1e9) / 1e6);
}

/** "2 cores", "1.5 cores", "250m CPU". */
export function formatCpu(millicores: number): string {
  if (millicores < 1000 && millicores !== 0) return `${millicores}m CPU`;
  const cores = Math.round(millicores / 10) / 100;
  return `${cores} ${cores === 1 ? "core" : "cores"}`;
}

/** "512 MiB", "1.5 GiB". */
export function formatBytes(value: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let n = value;
  let unit = 0;
  while (n >= 1024 && unit < units.length - 1) {
    n /= 1024;
    unit++;
  }
  return `${Number.isInteger(n) || n >= 100 ? Math.round(n) : Math.round(n * 10) / 10} ${units[unit]}`;
}
