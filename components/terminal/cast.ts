// Asciicast v2 as the panel records it (lib/console/session/recording.ts): a JSON header line, then
// one `[seconds, code, data]` line per event — "o" output, "r" resize ("COLSxROWS"), "m" a
// marker (e.g. "recording stopped"). No imports: the browser's replay player uses it.

/** One recorded event. */
export interface CastEvent {
  time: number;
  code: "o" | "r" | "m";
  data: string;
}

/** A parsed recording. */
export interface Cast {
  cols: number;
  rows: number;
  events: CastEvent[];
  /** When the last event happened, in seconds from the start. */
  duration: number;
}

/** Parses asciicast v2 text; lines that are not events are skipped rather than failing the replay. */
export function parseCastText(text: string): Cast {
  const [first, ...rest] = text.split("\n").filter((line) => line.trim().length > 0);
  const header = JSON.parse(first ?? "{}") as { width?: unknown; height?: unknown };
  const events: CastEvent[] = [];
  for (const line of rest) {
    try {
      const [time, code, data] = JSON.parse(line) as [unknown, unknown, unknown];
      if (typeof time === "number" && (code === "o" || code === "r" || code === "m") && typeof data === "string") events.push({ time, code, data });
    } catch {
      // A torn last line (the server stopped mid-write) is not worth failing over.
    }
  }
  return {
    cols: typeof header.width === "number" ? header.width : 80,
    rows: typeof header.height === "number" ? header.height : 24,
    events,
    duration: events.at(-1)?.time ?? 0,
  };
}

/** A resize event's size, or null when it is malformed. */
export function parseResize(data: string): { cols: number; rows: number } | null {
  const match = /^(\d+)x(\d+)$/.exec(data);
  return match ? { cols: Number(match[1]), rows: Number(match[2]) } : null;
}
