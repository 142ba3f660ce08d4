// Terminal colours that follow the app's light/dark theme: background and text come from the
// stylesheet's variables (app/globals.css), so the terminal sits on the same surface as the
// cards around it; the 16 ANSI colours are chosen per theme so that every one stays readable
// (xterm's defaults are made for a dark background: yellow and white vanish on white).
import type { ITheme } from "@xterm/xterm";

const LIGHT_ANSI: ITheme = {
  black: "#1c2430",
  red: "#c62828",
  green: "#1b7f3b",
  yellow: "#8a6100",
  blue: "#1d4ed8",
  magenta: "#a21caf",
  cyan: "#0e7490",
  white: "#5d6b7e",
  brightBlack: "#4b5563",
  brightRed: "#dc2626",
  brightGreen: "#15803d",
  brightYellow: "#a16207",
  brightBlue: "#2563eb",
  brightMagenta: "#c026d3",
  brightCyan: "#0891b2",
  brightWhite: "#1c2430",
};

const DARK_ANSI: ITheme = {
  black: "#2a3440",
  red: "#ef5350",
  green: "#4caf50",
  yellow: "#e0b341",
  blue: "#60a5fa",
  magenta: "#d17be8",
  cyan: "#4dd0e1",
  white: "#cfd8e3",
  brightBlack: "#6b7a8c",
  brightRed: "#ff7b7b",
  brightGreen: "#7bd88f",
  brightYellow: "#ffd866",
  brightBlue: "#93c5fd",
  brightMagenta: "#e9a6f5",
  brightCyan: "#8be9fd",
  brightWhite: "#ffffff",
};

/** Which theme the app shows now (set on <html data-theme> by the theme switch). */
export function currentAppTheme(): "light" | "dark" {
  return document.documentElement.dataset.theme === "dark" ? "dark" : "light";
}

/** The xterm.js theme for the app's current theme. */
export function terminalTheme(): ITheme {
  const styles = getComputedStyle(document.documentElement);
  const css = (name: string, fallback: string) => styles.getPropertyValue(name).trim() || fallback;
  const dark = currentAppTheme() === "dark";
  const foreground = css("--text", dark ? "#e3e9f0" : "#1c2430");
  return {
    ...(dark ? DARK_ANSI : LIGHT_ANSI),
    background: css("--panel", dark ? "#171e26" : "#ffffff"),
    foreground,
    cursor: foreground,
    cursorAccent: css("--panel", dark ? "#171e26" : "#ffffff"),
    selectionBackground: dark ? "#3b82f666" : "#2563eb40",
  };
}

/** Calls `onChange` whenever the app switches theme; returns the function that stops watching. */
export function watchAppTheme(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
  return () => observer.disconnect();
}
