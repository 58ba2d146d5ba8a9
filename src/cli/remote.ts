/*
 * Shared pieces of the commands that talk to the daemon: finding it, and turning its
 * errors into one-line messages.
 */

import { ApiClient, NoDaemonError } from '../api/client.js';
import { HttpError } from '../api/websocket.js';
import { UsageError } from './command.js';

/** A client for the running daemon, or a clear error. */
export function daemonClient(): ApiClient {
  const c = ApiClient.find();
  if (c === null) throw new NoDaemonError("no tsxen daemon is running (start one with 'tsxen daemon')");
  return c;
}

/** Runs `fn` against the daemon; prints daemon and connection errors as one line. */
export async function remote(command: string, fn: (c: ApiClient) => Promise<number>): Promise<number> {
  try {
    return await fn(daemonClient());
  } catch (e) {
    if (e instanceof NoDaemonError || e instanceof HttpError) {
      process.stderr.write(`tsxen ${command}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

/** Exactly `n` positional arguments, or a usage error. */
export function positionals(args: string[], n: number, what: string): string[] {
  const pos = args.filter((a) => !a.startsWith('-') || /^-\d/.test(a));
  if (pos.length !== n) throw new UsageError(`expected ${what}`);
  return pos;
}

export const enc = encodeURIComponent;

/** xl's time format for uptime: [D days, ]H:MM:SS. */
export function formatUptime(sec: number): string {
  const s = Math.floor(sec);
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const hms = `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}`;
  return d > 0 ? `${d} day${d > 1 ? 's' : ''}, ${hms}` : hms;
}
