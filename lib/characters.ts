// Naming a refused character in a message so that a person can see it: visible ASCII in
// quotes, other visible characters in quotes with their code point (a Cyrillic “а” looks like
// a Latin one), and invisible ones — control characters, zero-width and bidi controls, odd
// spaces, combining marks — by code point and name alone, since quoting them shows nothing.
// No imports: forms in the browser use it too.

// Names of the invisible characters people most often paste by accident.
const NAMES: Record<number, string> = {
  0x00: "NULL",
  0x07: "BELL",
  0x08: "BACKSPACE",
  0x09: "CHARACTER TABULATION",
  0x0a: "LINE FEED",
  0x0b: "LINE TABULATION",
  0x0c: "FORM FEED",
  0x0d: "CARRIAGE RETURN",
  0x1b: "ESCAPE",
  0x20: "SPACE",
  0x7f: "DELETE",
  0x85: "NEXT LINE",
  0xa0: "NO-BREAK SPACE",
  0xad: "SOFT HYPHEN",
  0x034f: "COMBINING GRAPHEME JOINER",
  0x115f: "HANGUL CHOSEONG FILLER",
  0x180e: "MONGOLIAN VOWEL SEPARATOR",
  0x2000: "EN QUAD",
  0x2002: "EN SPACE",
  0x2003: "EM SPACE",
  0x2009: "THIN SPACE",
  0x200a: "HAIR SPACE",
  0x200b: "ZERO WIDTH SPACE",
  0x200c: "ZERO WIDTH NON-JOINER",
  0x200d: "ZERO WIDTH JOINER",
  0x200e: "LEFT-TO-RIGHT MARK",
  0x200f: "RIGHT-TO-LEFT MARK",
  0x2028: "LINE SEPARATOR",
  0x2029: "PARAGRAPH SEPARATOR",
  0x202a: "LEFT-TO-RIGHT EMBEDDING",
  0x202b: "RIGHT-TO-LEFT EMBEDDING",
  0x202c: "POP DIRECTIONAL FORMATTING",
  0x202d: "LEFT-TO-RIGHT OVERRIDE",
  0x202e: "RIGHT-TO-LEFT OVERRIDE",
  0x202f: "NARROW NO-BREAK SPACE",
  0x205f: "MEDIUM MATHEMATICAL SPACE",
  0x2060: "WORD JOINER",
  0x2066: "LEFT-TO-RIGHT ISOLATE",
  0x2067: "RIGHT-TO-LEFT ISOLATE",
  0x2068: "FIRST STRONG ISOLATE",
  0x2069: "POP DIRECTIONAL ISOLATE",
  0x3000: "IDEOGRAPHIC SPACE",
  0x3164: "HANGUL FILLER",
  0xfeff: "ZERO WIDTH NO-BREAK SPACE",
  0xffa0: "HALFWIDTH HANGUL FILLER",
  0xfffd: "REPLACEMENT CHARACTER",
};

// What shows nothing (or nothing reliable) when printed.
const INVISIBLE = /^[\p{C}\p{Z}\p{M}\p{Default_Ignorable_Code_Point}]$/u;
// Letters of scripts with look-alikes of Latin letters.
const LOOK_ALIKE_SCRIPTS: [RegExp, string][] = [
  [/^\p{Script=Cyrillic}$/u, "a Cyrillic letter"],
  [/^\p{Script=Greek}$/u, "a Greek letter"],
  [/^\p{Script=Armenian}$/u, "an Armenian letter"],
  [/^\p{Script=Cherokee}$/u, "a Cherokee letter"],
  [/^[\uff01-\uff5e]$/u, "a full-width form"],
];

/** "U+200B": the code point of the first character of `ch`, as Unicode writes it. */
export function codePointOf(ch: string): string {
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}

// Invisible characters with no name in the table are described by their kind.
function invisibleKind(ch: string): string {
  if (/^\p{Cc}$/u.test(ch)) return "a control character";
  if (/^\p{Z}$/u.test(ch)) return "a space character";
  if (/^\p{M}$/u.test(ch)) return "a combining mark";
  if (/^\p{Co}$/u.test(ch)) return "a private-use character";
  if (/^\p{Cn}$/u.test(ch)) return "an unassigned code point";
  return "an invisible formatting character";
}

/**
 * How a message names one character: `label` stands in the sentence, `detail` (when not
 * empty) goes in brackets after it. “_” · “é” (U+00E9) · U+200B ZERO WIDTH SPACE.
 */
export function describeCharacter(ch: string): { label: string; detail: string } {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp > 0x20 && cp < 0x7f) return { label: `“${ch}”`, detail: "" };
  const code = codePointOf(ch);
  if (cp <= 0x20 || cp === 0x7f || INVISIBLE.test(ch)) return { label: `${code} ${NAMES[cp] ?? `(${invisibleKind(ch)})`}`, detail: "" };
  const script = LOOK_ALIKE_SCRIPTS.find(([pattern]) => pattern.test(ch));
  return { label: `“${ch}”`, detail: script ? `${code}, ${script[1]}` : code };
}

/** A clause about one character: `sayCharacter("é", "is not allowed")` → "“é” is not allowed (U+00E9)". */
export function sayCharacter(ch: string, predicate: string): string {
  const { label, detail } = describeCharacter(ch);
  return `${label} ${predicate}${detail ? ` (${detail})` : ""}`;
}

/** The first character (code point) of `text` that `allowed` does not match, or null. */
export function firstCharacterOutside(text: string, allowed: RegExp): string | null {
  for (const ch of text) if (!allowed.test(ch)) return ch;
  return null;
}
