// What the SSH pod form offers and the service accepts; no imports, so the browser bundle can
// use it (lib/pods/schemas pulls in server-only code through lib/names).

/** Bounds of a pod's size and life (inclusive). */
export const POD_LIMITS = {
  cpuMillicores: { min: 100, max: 16_000 },
  memoryMib: { min: 128, max: 64 * 1024 },
  homeGib: { min: 1, max: 500 },
  ttlMinutes: { min: 15, max: 30 * 24 * 60 },
} as const;

/** Time-to-live choices the form offers (minutes; "" = none). */
export const TTL_CHOICES = [
  { value: "", label: "None (keep until deleted)" },
  { value: "60", label: "1 hour" },
  { value: "480", label: "8 hours" },
  { value: "1440", label: "1 day" },
  { value: "10080", label: "7 days" },
] as const;
