/*
 * The CLI's side of the API: finds the daemon (TSXEN_URL, or the address file the daemon
 * writes in TSXEN_HOME, default ~/.tsxen), reads its token, and makes JSON calls.
 */

import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HttpError, connectWebSocket, type WebSocketConnection } from './websocket.js';

export function daemonPaths(home?: string): { home: string; token: string; address: string } {
  const dir = home ?? process.env.TSXEN_HOME ?? path.join(os.homedir(), '.tsxen');
  return { home: dir, token: path.join(dir, 'token'), address: path.join(dir, 'daemon.json') };
}

export class NoDaemonError extends Error {}

export class ApiClient {
  constructor(readonly url: string, private readonly token: string | null) {}

  /** The daemon this user would talk to, or null when none is configured or running. */
  static find(): ApiClient | null {
    const p = daemonPaths();
    let url = process.env.TSXEN_URL;
    if (url === undefined) {
      if (!existsSync(p.address)) return null;
      try { url = (JSON.parse(readFileSync(p.address, 'utf8')) as { url: string }).url; } catch { return null; }
    }
    const token = process.env.TSXEN_TOKEN ?? (existsSync(p.token) ? readFileSync(p.token, 'utf8').trim() : null);
    return new ApiClient(url, token);
  }

  async call<T>(method: string, route: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.url + route, {
        method,
        headers: {
          ...(this.token !== null ? { Authorization: `Bearer ${this.token}` } : {}),
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
    } catch {
      throw new NoDaemonError(`no tsxen daemon answers at ${this.url} (start one with 'tsxen daemon')`);
    }
    const text = await res.text();
    let json: unknown;
    try { json = JSON.parse(text); } catch { throw new HttpError(res.status, `bad response from the daemon: ${text.slice(0, 200)}`); }
    if (!res.ok) throw new HttpError(res.status, (json as { error?: { message?: string } }).error?.message ?? `HTTP ${res.status}`);
    return json as T;
  }

  /** Is a daemon really there (the address file may be stale)? */
  async alive(): Promise<boolean> {
    try { await this.call('GET', '/v1/info'); return true; } catch { return false; }
  }

  consoleStream(domain: string): Promise<WebSocketConnection> {
    const u = `${this.url.replace(/^http/, 'ws')}/v1/domains/${encodeURIComponent(domain)}/console/stream`;
    return connectWebSocket(u, this.token !== null ? { Authorization: `Bearer ${this.token}` } : {});
  }
}
