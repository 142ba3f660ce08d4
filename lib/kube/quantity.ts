// Kubernetes resource quantities, the panel's one module for them: reading what the cluster
// writes ("250m", "1.5", "512Mi", "2G", "1e3") by the Kubernetes quantity grammar, reading
// amounts people type (a stricter subset, with a sentence for each lenient form refused), the
// units the panel counts in (millicores, bytes, MiB) and how amounts are said. No imports:
// forms in the browser use it too.
//
//   quantity := sign? number suffix?      number := digits | digits "." digits? | "." digits
//   suffix   := Ki Mi Gi Ti Pi Ei | n u m k M G T P E | (e | E) sign? digits

/** Multipliers of the binary suffixes. */
export const BINARY_SUFFIXES: Readonly<Record<string, number>> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
/** Multipliers of the decimal suffixes ("" is none). */
export const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
const MULTIPLIERS: Readonly<Record<string, number>> = { ...BINARY_SUFFIXES, ...DECIMAL_SUFFIXES };

const NUMBER = String.raw`(?:\d+\.?\d*|\.\d+)`;
const QUANTITY = new RegExp(String.raw`^([+-]?${NUMBER})(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$`);

/** The value of a quantity in base units (cores, bytes, counts); null when it is not one. */
export function parseQuantity(quantity: string): number | null {
  const match = QUANTITY.exec(quantity);
  if (!match) return null;
  const [, digits, suffix, exponent] = match;
  const base = Number(digits);
  if (exponent !== undefined) return base * 10 ** Number(exponent);
  return base * MULTIPLIERS[suffix ?? ""]!;
}

// Base units (cores) → millicores, rounded up as Kubernetes rounds CPU requests.
const millicores = (cores: number) => Math.ceil(Math.round(cores * 1e9) / 1e6);

/** A CPU quantity in millicores (rounded up, as Kubernetes does); null when not a quantity. */
export function cpuMillicoresOf(quantity: string): number | null {
  const value = parseQuantity(quantity);
  return value === null ? null : millicores(value);
}

/** A memory or storage quantity in MiB; null when not a quantity. */
export function mibOf(quantity: string): number | null {
  const value = parseQuantity(quantity);
  return value === null ? null : value / 2 ** 20;
}

/** A quantity in base units (cores, bytes, counts); 0 when absent or unreadable (for sums over objects). */
export function quantityValue(quantity: string | undefined | null): number {
  return (quantity && parseQuantity(quantity)) || 0;
}

/** A CPU quantity in millicores, rounded up as Kubernetes rounds requests; 0 when absent or unreadable. */
export function toMillicores(quantity: string | undefined | null): number {
  return millicores(quantityValue(quantity));
}

// ---- Amounts people type -------------------------------------------------------------

/** A typed amount: its value (in the field's unit, suffix applied), or why it was refused. */
export type TypedAmount = { value: number; problem?: undefined } | { value?: undefined; problem: string | null };

/**
 * Reads an amount a person typed: a plain decimal number ("2", "0.5", ".5"), followed by one
 * of `suffixes` when the field allows any ("500m"). Refused with a sentence: hexadecimal,
 * binary and octal forms, exponents ("1e3" — Kubernetes allows them, but nobody means them),
 * signs and units the field does not take. `problem: null` means it is not a number at all;
 * the caller says what the field wants.
 */
export function readTypedAmount(text: string, suffixes: readonly string[] = []): TypedAmount {
  const typed = text.trim();
  if (/^[+-]?0[xX][0-9a-fA-F]+$/.test(typed)) {
    return { problem: `“${typed}” is a hexadecimal number; write it with the digits 0–9 (${Number.parseInt(typed, 16)}).` };
  }
  if (/^[+-]?0[bBoO][0-9]+$/.test(typed)) return { problem: `“${typed}” is not a decimal number; write it with the digits 0–9.` };
  const exponent = new RegExp(String.raw`^[+-]?${NUMBER}[eE][+-]?\d+$`).exec(typed);
  if (exponent) {
    const value = parseQuantity(typed);
    const spelled = value !== null && Number.isFinite(value) && value < 1e15 && value >= 1e-6 ? ` (${Number(value.toPrecision(12))})` : "";
    return { problem: `“${typed}” uses an exponent; write the number out${spelled}.` };
  }
  const match = new RegExp(String.raw`^([+-]?)(${NUMBER})([A-Za-z]*)$`).exec(typed);
  if (!match || typed.length > 30) return { problem: null };
  const [, sign, digits, suffix] = match;
  if (sign === "-") return { problem: "Enter an amount that is not negative." };
  if (sign === "+") return { problem: `Write the number without a + sign.` };
  if (suffix && !suffixes.includes(suffix)) {
    return { problem: suffixes.length > 0 ? `“${suffix}” is not a unit this field takes; use ${suffixes.map((s) => `“${s}”`).join(" or ")}, or none.` : `Enter a plain number, without a unit such as “${suffix}”.` };
  }
  return { value: Number(digits) * (MULTIPLIERS[suffix!] ?? 1) };
}

// ---- How amounts are said ------------------------------------------------------------

// At most two decimals, no trailing zeros.
function trim(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** Millicores as people say them: "0.5 cores", "1 core"; with `unit` false just the number ("0.5"). */
export function formatCores(millicoresValue: number, unit = true): string {
  const cores = millicoresValue / 1000;
  return unit ? `${trim(cores)} ${cores === 1 ? "core" : "cores"}` : trim(cores);
}

/** CPU for tables: small amounts in millicores ("250m CPU"), else in cores ("1.5 cores"). */
export function formatCpu(millicoresValue: number): string {
  if (millicoresValue < 1000 && millicoresValue !== 0) return `${millicoresValue}m CPU`;
  const cores = Math.round(millicoresValue / 10) / 100;
  return `${cores} ${cores === 1 ? "core" : "cores"}`;
}

/**
 * MiB as people say them: below 1 GiB in MiB, otherwise in GiB ("512 MiB", "1.5 GiB"). With
 * `unit` false just the number; `unitOf` picks the unit by another amount ("7.5" of "8 GiB").
 */
export function formatMib(mib: number, unit = true, unitOf = mib): string {
  const inGib = unitOf >= 1024;
  const n = trim(inGib ? mib / 1024 : mib);
  return unit ? `${n} ${inGib ? "GiB" : "MiB"}` : n;
}

/** Bytes in the largest binary unit that keeps a number of at least 1: "512 MiB", "1.5 GiB". */
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
