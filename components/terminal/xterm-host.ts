// Mounts an xterm.js terminal into an element, for live terminals and for replays alike:
// the DOM renderer (xterm's default — its rows are real text, readable by screen readers and
// tests), the app's colours kept in step with the theme switch, and the size fitted to the
// element whenever the element changes size. xterm touches `window` as it loads, so it is
// imported here, in the browser, never during server rendering.
import type { Terminal } from "@xterm/xterm";
import type { FitAddon } from "@xterm/addon-fit";
import type { SearchAddon } from "@xterm/addon-search";
import { terminalTheme, watchAppTheme } from "@/components/terminal/terminal-theme";

/** A mounted terminal and its addons; `dispose` undoes everything `mountXterm` did. */
export interface MountedXterm {
  term: Terminal;
  fit: FitAddon;
  search: SearchAddon;
  /** Fits the terminal to its element, unless the element is hidden (an inactive tab). */
  refit(): void;
  dispose(): void;
}

/** Creates a terminal in `host`. `links`: make URLs in the output clickable (live terminals). */
export async function mountXterm(host: HTMLElement, options: { links: boolean; readOnly?: boolean; cols?: number; rows?: number }): Promise<MountedXterm> {
  const [{ Terminal }, { FitAddon }, { SearchAddon }, { WebLinksAddon }] = await Promise.all([
    import("@xterm/xterm"),
    import("@xterm/addon-fit"),
    import("@xterm/addon-search"),
    import("@xterm/addon-web-links"),
  ]);
  const term = new Terminal({
    cursorBlink: !options.readOnly,
    disableStdin: options.readOnly ?? false,
    fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace',
    fontSize: 14,
    scrollback: 5000,
    theme: terminalTheme(),
    allowProposedApi: true, // the search addon's match decorations need it
    ...(options.cols && options.rows ? { cols: options.cols, rows: options.rows } : {}),
  });
  const fit = new FitAddon();
  const search = new SearchAddon();
  term.loadAddon(fit);
  term.loadAddon(search);
  if (options.links) term.loadAddon(new WebLinksAddon());
  term.open(host);

  const refit = () => {
    // A hidden element measures 0×0; fitting then would shrink the PTY to nothing.
    if (options.readOnly || host.clientWidth === 0 || host.clientHeight === 0) return;
    try {
      fit.fit();
    } catch {
      // Not laid out yet; the next resize fits it.
    }
  };
  const resizeObserver = new ResizeObserver(() => refit());
  resizeObserver.observe(host);
  const stopTheme = watchAppTheme(() => {
    term.options.theme = terminalTheme();
  });
  refit();
  return {
    term,
    fit,
    search,
    refit,
    dispose() {
      resizeObserver.disconnect();
      stopTheme();
      term.dispose();
    },
  };
}
