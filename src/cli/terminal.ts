/* The console on the user's terminal: buffered output, raw input, and the quit key. */

import type { Readable, Writable } from 'node:stream';

const QUIT_KEY = 0x1d; // Ctrl-]

export class ConsoleWriter {
  private buf: number[] = [];
  constructor(private readonly stream: Writable) {}

  put(byte: number): void {
    this.buf.push(byte);
    if (this.buf.length >= 4096) this.flush();
  }

  flush(): void {
    if (this.buf.length === 0) return;
    this.stream.write(Buffer.from(this.buf));
    this.buf = [];
  }
}

export interface TerminalInput {
  detach(): void;
}

/**
 * Feeds stdin to the guest. On a TTY the terminal goes raw and Ctrl-] quits; from a
 * pipe the bytes pass through as they are.
 */
export function attachTerminalInput(
  stdin: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => void },
  handlers: { onData: (data: Uint8Array) => void; onQuit: () => void },
): TerminalInput {
  const tty = stdin.isTTY === true && typeof stdin.setRawMode === 'function';
  if (tty) stdin.setRawMode!(true);
  const onData = (chunk: Buffer): void => {
    if (tty && chunk.includes(QUIT_KEY)) { handlers.onQuit(); return; }
    handlers.onData(new Uint8Array(chunk));
  };
  stdin.on('data', onData);
  stdin.on('error', () => {});
  return {
    detach(): void {
      stdin.off('data', onData);
      if (tty) stdin.setRawMode!(false);
      stdin.pause();
      (stdin as unknown as { unref?: () => void }).unref?.();
    },
  };
}
