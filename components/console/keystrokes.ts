// Keys for a VNC guest, as X11 keysyms with the DOM `code` of the key on a US keyboard (QEMU
// turns a code into the scancode the guest sees; a keysym alone goes through QEMU's keymap):
// - `textKeystrokes`: pasted text typed key by key, Shift pressed explicitly around capitals and
//   shifted symbols (a guest reading scancodes sees Shift only when it is sent);
// - `parseCombination`: a typed combination (`ctrl+alt+f2`, `ctrl+w`, `super`) for the send-keys menu;
// - the menu's fixed combinations. Pure: unit-tested, used by the VNC console.

/** One key: its keysym and, when it has one on a US keyboard, its DOM `code`. */
export interface Key {
  keysym: number;
  code: string | null;
}

/** A key press: modifiers held (in order) around one key. */
export interface Keystroke {
  modifiers: Key[];
  key: Key;
}

export const KEYS = {
  shift: { keysym: 0xffe1, code: "ShiftLeft" },
  ctrl: { keysym: 0xffe3, code: "ControlLeft" },
  alt: { keysym: 0xffe9, code: "AltLeft" },
  super: { keysym: 0xffeb, code: "MetaLeft" },
  enter: { keysym: 0xff0d, code: "Enter" },
  tab: { keysym: 0xff09, code: "Tab" },
  esc: { keysym: 0xff1b, code: "Escape" },
  backspace: { keysym: 0xff08, code: "Backspace" },
  delete: { keysym: 0xffff, code: "Delete" },
  insert: { keysym: 0xff63, code: "Insert" },
  home: { keysym: 0xff50, code: "Home" },
  end: { keysym: 0xff57, code: "End" },
  pageup: { keysym: 0xff55, code: "PageUp" },
  pagedown: { keysym: 0xff56, code: "PageDown" },
  left: { keysym: 0xff51, code: "ArrowLeft" },
  up: { keysym: 0xff52, code: "ArrowUp" },
  right: { keysym: 0xff53, code: "ArrowRight" },
  down: { keysym: 0xff54, code: "ArrowDown" },
  space: { keysym: 0x20, code: "Space" },
  printscreen: { keysym: 0xff61, code: "PrintScreen" },
} as const satisfies Record<string, Key>;

/** F1…F12. */
export function functionKey(n: number): Key {
  return { keysym: 0xffbe + (n - 1), code: `F${n}` };
}

// The US layout's punctuation: unshifted char → [code, shifted char].
const PUNCTUATION: [string, string, string][] = [
  ["`", "Backquote", "~"],
  ["1", "Digit1", "!"],
  ["2", "Digit2", "@"],
  ["3", "Digit3", "#"],
  ["4", "Digit4", "$"],
  ["5", "Digit5", "%"],
  ["6", "Digit6", "^"],
  ["7", "Digit7", "&"],
  ["8", "Digit8", "*"],
  ["9", "Digit9", "("],
  ["0", "Digit0", ")"],
  ["-", "Minus", "_"],
  ["=", "Equal", "+"],
  ["[", "BracketLeft", "{"],
  ["]", "BracketRight", "}"],
  ["\\", "Backslash", "|"],
  [";", "Semicolon", ":"],
  ["'", "Quote", '"'],
  [",", "Comma", "<"],
  [".", "Period", ">"],
  ["/", "Slash", "?"],
];

const US = new Map<string, { code: string; shift: boolean }>();
for (const [plain, code, shifted] of PUNCTUATION) {
  US.set(plain, { code, shift: false });
  US.set(shifted, { code, shift: true });
}
for (let c = 0; c < 26; c++) {
  const lower = String.fromCharCode(97 + c);
  const code = `Key${lower.toUpperCase()}`;
  US.set(lower, { code, shift: false });
  US.set(lower.toUpperCase(), { code, shift: true });
}

/** The keysym of a character: Latin-1 is its code point, the rest of Unicode 0x01000000 + code point. */
export function keysymOf(char: string): number {
  const cp = char.codePointAt(0)!;
  return cp >= 0x20 && cp <= 0xff ? cp : 0x01000000 + cp;
}

/** Pasted text as keystrokes. Newlines are Enter (CRLF once), tabs Tab; other control characters are left out. */
export function textKeystrokes(text: string): Keystroke[] {
  const out: Keystroke[] = [];
  const chars = [...text.replace(/\r\n?/g, "\n")];
  for (const char of chars) {
    if (char === "\n") out.push({ modifiers: [], key: KEYS.enter });
    else if (char === "\t") out.push({ modifiers: [], key: KEYS.tab });
    else if (char === " ") out.push({ modifiers: [], key: KEYS.space });
    else if ((char.codePointAt(0) ?? 0) < 0x20 || char === "\x7f") continue;
    else {
      const us = US.get(char);
      out.push({ modifiers: us?.shift ? [KEYS.shift] : [], key: { keysym: keysymOf(char), code: us?.code ?? null } });
    }
  }
  return out;
}

const MODIFIER_NAMES: Record<string, Key> = {
  ctrl: KEYS.ctrl,
  control: KEYS.ctrl,
  alt: KEYS.alt,
  shift: KEYS.shift,
  super: KEYS.super,
  win: KEYS.super,
  meta: KEYS.super,
  cmd: KEYS.super,
};

const KEY_NAMES: Record<string, Key> = {
  ...KEYS,
  del: KEYS.delete,
  escape: KEYS.esc,
  return: KEYS.enter,
  pgup: KEYS.pageup,
  pgdn: KEYS.pagedown,
  ins: KEYS.insert,
  bksp: KEYS.backspace,
};

/**
 * A typed combination (`ctrl+alt+f2`, `Ctrl-W`, `super`), case-insensitive, `+` or `-` between
 * parts: modifiers, then one key (a named key, F1–F12 or one character). Null when it is not one.
 */
export function parseCombination(text: string): Keystroke | null {
  if (/[+]\s*$/.test(text)) return null;
  const parts = text
    .trim()
    .toLowerCase()
    .split(/\s*[+]\s*|(?<=\w)-(?=\w)/)
    .filter(Boolean);
  if (parts.length === 0 || parts.length > 5) return null;
  const last = parts[parts.length - 1]!;
  const modifiers: Key[] = [];
  for (const part of parts.slice(0, -1)) {
    const modifier = MODIFIER_NAMES[part];
    if (!modifier || modifiers.includes(modifier)) return null;
    modifiers.push(modifier);
  }
  const fn = /^f([1-9]|1[0-2])$/.exec(last);
  if (fn) return { modifiers, key: functionKey(Number(fn[1])) };
  const named = KEY_NAMES[last];
  if (named) return { modifiers, key: named };
  if (MODIFIER_NAMES[last]) return { modifiers, key: MODIFIER_NAMES[last]! };
  if ([...last].length === 1) {
    const us = US.get(last);
    return { modifiers, key: { keysym: keysymOf(last), code: us?.code ?? null } };
  }
  return null;
}

/** The send-keys menu: what a browser will not pass to a page, or what is awkward to press. */
export const MENU_COMBINATIONS: { label: string; keystroke: Keystroke }[] = [
  ...Array.from({ length: 7 }, (_, i) => ({ label: `Ctrl+Alt+F${i + 1}`, keystroke: { modifiers: [KEYS.ctrl, KEYS.alt], key: functionKey(i + 1) } })),
  { label: "Alt+Tab", keystroke: { modifiers: [KEYS.alt], key: KEYS.tab } },
  { label: "Esc", keystroke: { modifiers: [], key: KEYS.esc } },
  { label: "Ctrl+W", keystroke: { modifiers: [KEYS.ctrl], key: { keysym: 0x77, code: "KeyW" } } },
  { label: "Ctrl+T", keystroke: { modifiers: [KEYS.ctrl], key: { keysym: 0x74, code: "KeyT" } } },
  { label: "Ctrl+N", keystroke: { modifiers: [KEYS.ctrl], key: { keysym: 0x6e, code: "KeyN" } } },
  { label: "Print Screen", keystroke: { modifiers: [], key: KEYS.printscreen } },
];

/** Presses a keystroke through `send(keysym, code, down)`: modifiers down in order, the key, modifiers up in reverse. */
export function pressKeystroke(send: (keysym: number, code: string | null, down: boolean) => void, stroke: Keystroke): void {
  for (const m of stroke.modifiers) send(m.keysym, m.code, true);
  send(stroke.key.keysym, stroke.key.code, true);
  send(stroke.key.keysym, stroke.key.code, false);
  for (const m of [...stroke.modifiers].reverse()) send(m.keysym, m.code, false);
}
