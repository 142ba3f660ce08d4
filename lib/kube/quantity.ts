// Kubernetes resource quantities ("250m", "1.5", "512Mi", "2G", "1e3") as plain numbers in
// the units the panel asks in (cores → millicores, bytes → MiB); null when it is not a quantity.

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
const PATTERN = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

/** The value of a quantity in base units (cores, bytes, counts); null when it is not one. */
export function parseQuantity(quantity: string): number | null {
  const match = PATTERN.exec(quantity.trim());
  if (!match) return null;
  const [, digits, suffix, exponent] = match;
  const base = Number(digits);
  if (exponent !== undefined) return base * 10 ** Number(exponent);
  if (suffix && suffix in BINARY) return base * BINARY[suffix]!;
  return base * DECIMAL[suffix ?? ""]!;
}

/** A CPU quantity in millicores (rounded up, as Kubernetes does); null when not a quantity. */
export function cpuMillicoresOf(quantity: string): number | null {
  const value = parseQuantity(quantity);
  return value === null ? null : Math.ceil(Math.round(value * 1e9) / 1e6);
}

/** A memory or storage quantity in MiB; null when not a quantity. */
export function mibOf(quantity: string): number | null {
  const value = parseQuantity(quantity);
  return value === null ? null : value / 2 ** 20;
}
