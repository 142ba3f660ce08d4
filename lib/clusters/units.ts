// Quantities as the cluster pages need them: CPU in millicores and memory in bytes from
// Kubernetes quantity strings (for sums over pods and quota usage, absent counting as 0),
// and short readable text.
import { parseQuantity } from "@/lib/kube/quantity";

/** A quantity in base units (cores, bytes, counts); 0 when absent or unreadable. */
export function quantityValue(quantity: string | undefined | null): number {
  return (quantity && parseQuantity(quantity)) || 0;
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
