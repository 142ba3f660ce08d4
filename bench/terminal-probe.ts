// What `bench:terminal` does on a terminal, whichever way it is reached (the panel's
// `/ws/terminal`, the exec stream straight to the apiserver, ssh2 straight to the sshd): the
// same shell commands on the same kind of PTY, so every path is measured like for like.
// Pure logic over a byte pipe; imported by the benchmark and by its browser-side child process.

/** A terminal as a byte pipe: keystrokes in, PTY output out. */
export interface ByteTerminal {
  write(data: Buffer): void;
  /** Adds an output listener; returns the function that removes it. */
  onData(listener: (chunk: Buffer) => void): () => void;
}

/** The size of the throughput stream: 100 MiB. */
export const STREAM_BYTES = 100 * 1024 * 1024;

/**
 * Resolves once `text` appears in the output that follows the call, with the bytes seen up to
 * and including it. Each chunk is searched once (plus the seam with the previous one), so a
 * 100 MiB stream costs one pass.
 */
export function waitForText(term: ByteTerminal, text: string, timeoutMs: number): Promise<{ bytes: number }> {
  const needle = Buffer.from(text, "utf8");
  const keep = needle.length - 1;
  return new Promise((resolve, reject) => {
    let bytes = 0;
    let carry = Buffer.alloc(0);
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${JSON.stringify(text)} in the output within ${timeoutMs} ms (${bytes} bytes seen)`));
    }, timeoutMs);
    const off = term.onData((chunk) => {
      bytes += chunk.length;
      const seam = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, keep)]) : null;
      if ((seam && seam.indexOf(needle) >= 0) || chunk.indexOf(needle) >= 0) {
        clearTimeout(timer);
        off();
        resolve({ bytes });
        return;
      }
      // The last needle.length − 1 bytes seen, copied so the chunk itself can be freed.
      const joined = chunk.length >= keep ? chunk : Buffer.concat([carry, chunk]);
      carry = Buffer.from(joined.subarray(joined.length - Math.min(keep, joined.length)));
    });
  });
}

/** Waits until the shell runs commands (the marker is computed, so the typed line never matches). */
export async function waitForShell(term: ByteTerminal, timeoutMs = 20_000): Promise<void> {
  const seen = waitForText(term, "SHELL-42-UP", timeoutMs);
  term.write(Buffer.from("echo SHELL-$((6*7))-UP\r"));
  await seen;
}

/**
 * One throughput round: `head -c 104857600 /dev/zero` (NUL bytes, which a PTY passes through
 * unchanged) followed by a marker; the time is from the keystroke that starts it to the marker.
 */
export async function streamRound(term: ByteTerminal, round: number, timeoutMs: number): Promise<{ ms: number; bytes: number }> {
  const done = waitForText(term, `END-${round}-42`, timeoutMs);
  const started = performance.now();
  term.write(Buffer.from(`head -c ${STREAM_BYTES} /dev/zero; echo END-${round}-$((6*7))\r`));
  const { bytes } = await done;
  const ms = performance.now() - started;
  if (bytes < STREAM_BYTES) throw new Error(`round ${round}: only ${bytes} bytes arrived before the end marker`);
  return { ms, bytes };
}

/** Typing into a terminal whose PTY echoes through `cat` (see `startEcho`). */
export interface EchoProbe {
  /** Types one byte and resolves with the milliseconds until its echo came back. */
  keystroke(): Promise<number>;
  /** Stops listening; throws if more bytes came back than were typed. */
  stop(): void;
}

/**
 * Keystroke echo: puts the PTY in raw mode without local echo and runs `cat`, so every byte
 * typed comes straight back from a process in the pod, as a shell's line editor echoes it.
 * Keystrokes are typed one at a time, each waiting for its echo.
 */
export async function startEcho(term: ByteTerminal, timeoutMs = 5000): Promise<EchoProbe> {
  const ready = waitForText(term, "ECHO-READY\n", 20_000);
  term.write(Buffer.from("stty raw -echo; echo ECHO''-READY; cat\r"));
  await ready;
  let received = 0;
  let sent = 0;
  let wake: (() => void) | null = null;
  const off = term.onData((chunk) => {
    received += chunk.length;
    if (wake && received >= sent) {
      const resolve = wake;
      wake = null;
      resolve();
    }
  });
  return {
    async keystroke() {
      sent++;
      const echoed = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`keystroke ${sent} was not echoed within ${timeoutMs} ms`)), timeoutMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      const started = performance.now();
      term.write(Buffer.of(0x61 + (sent % 26)));
      await echoed;
      return performance.now() - started;
    },
    stop() {
      off();
      if (received !== sent) throw new Error(`typed ${sent} keystrokes, ${received} bytes came back`);
    },
  };
}

