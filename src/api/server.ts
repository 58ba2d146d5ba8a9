/*
 * The daemon's HTTP API: JSON over HTTP for actions (routes.ts), WebSocket for console
 * streams. A thin transport: requests become ToolstackActions, results become JSON.
 *
 * Safety: reads need nothing; anything that changes state needs the daemon's token
 * (`Authorization: Bearer TOKEN`; `?token=` for WebSockets). Bodies are limited to 1 MiB
 * and must be JSON; every failure is a JSON `{ "error": { "status", "message" } }`, and no
 * request — malformed, hostile, or abandoned halfway — can take the daemon down.
 */

import http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Toolstack } from '../toolstack/toolstack.js';
import { MUTATING, ToolstackError, type ToolstackAction } from '../toolstack/actions.js';
import { CONSOLE_STREAM_PATH, ROUTES, matchPath } from './routes.js';
import { acceptUpgrade, type WebSocketConnection } from './websocket.js';
import type { GuestRecord } from '../daemon/host.js';

const MAX_BODY = 1 << 20;

export interface ApiOptions {
  toolstack: Toolstack;
  token: string;
  /** The OpenAPI document served at /v1/openapi.json. */
  openApiPath?: string;
  /** Called after every action, so the daemon's run loop can react (e.g. wake up). */
  afterAction?: (action: ToolstackAction) => void;
}

export interface ApiServer {
  server: http.Server;
  /** Forwards a domain's console output to the streams attached to it. */
  consoleOutput(rec: GuestRecord, text: string): void;
  /** Closes the streams of a domain that is gone. */
  domainGone(domid: number): void;
}

export function createApiServer(opts: ApiOptions): ApiServer {
  const streams = new Map<number, Set<WebSocketConnection>>();
  const tokenBuf = Buffer.from(opts.token);
  const authorized = (header: string | undefined, query: URLSearchParams): boolean => {
    const given = header?.startsWith('Bearer ') === true ? header.slice(7) : query.get('token') ?? '';
    const b = Buffer.from(given);
    return b.length === tokenBuf.length && timingSafeEqual(b, tokenBuf);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      sendError(res, 500, `internal error: ${(e as Error).message}`);
    });
  });
  server.on('clientError', (_err, socket) => { socket.destroy(); });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      sendError(res, 400, 'bad request URL');
      return;
    }
    if (req.method === 'GET' && url.pathname === '/v1/openapi.json' && opts.openApiPath !== undefined) {
      send(res, 200, JSON.parse(readFileSync(opts.openApiPath, 'utf8')));
      return;
    }
    let params: Record<string, string> | null = null;
    const route = ROUTES.find((r) => r.method === req.method && (params = matchPath(r.path, url.pathname)) !== null);
    if (route === undefined || params === null) {
      const known = ROUTES.some((r) => matchPath(r.path, url.pathname) !== null);
      sendError(res, known ? 405 : 404, known ? `${req.method} is not allowed on ${url.pathname}` : `no such endpoint: ${url.pathname}`);
      return;
    }
    let body: unknown = undefined;
    if (req.method === 'POST' || req.method === 'PUT') {
      const text = await readBody(req);
      if (text === null) { sendError(res, 413, 'request body too large'); return; }
      if (text.trim() !== '') {
        try { body = JSON.parse(text); } catch { sendError(res, 400, 'the request body is not valid JSON'); return; }
      }
    }
    let action: ToolstackAction;
    try {
      action = route.toAction({ params, query: url.searchParams, body, resolve: (ref) => opts.toolstack.resolveGuest(ref) });
    } catch (e) {
      if (e instanceof ToolstackError) { sendError(res, e.status, e.message); return; }
      throw e;
    }
    const mutating = MUTATING.has(action.kind) || (action.kind === 'dmesg' && action.clear === true);
    if (mutating && !authorized(req.headers.authorization, url.searchParams)) {
      sendError(res, 401, 'this request changes state and needs the daemon token (Authorization: Bearer …)');
      return;
    }
    let result: unknown;
    try {
      result = opts.toolstack.dispatch(action);
    } catch (e) {
      if (e instanceof ToolstackError) { sendError(res, e.status, e.message); return; }
      throw e;
    }
    opts.afterAction?.(action);
    send(res, route.status ?? 200, result);
  }

  server.on('upgrade', (req, socket) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const params = matchPath(CONSOLE_STREAM_PATH, url.pathname);
      const refuse = (status: number, message: string): void => {
        const body = JSON.stringify({ error: { status, message } });
        socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      };
      if (params === null) { refuse(404, `no such stream: ${url.pathname}`); return; }
      if (!authorized(req.headers.authorization, url.searchParams)) { refuse(401, 'console streams need the daemon token'); return; }
      let domid: number;
      try {
        domid = opts.toolstack.resolveGuest(params.domain!);
      } catch (e) {
        if (e instanceof ToolstackError) { refuse(e.status, e.message); return; }
        throw e;
      }
      const ws = acceptUpgrade(req, socket);
      if (ws === null) { refuse(400, 'expected a WebSocket upgrade'); return; }
      const rec = opts.toolstack.host.guests.get(domid)!;
      // Recent output first, so the user sees where the console is.
      ws.send(rec.console.recent());
      let set = streams.get(domid);
      if (set === undefined) streams.set(domid, set = new Set());
      set.add(ws);
      ws.onMessage = (data) => {
        const r = opts.toolstack.host.guests.get(domid);
        if (r !== undefined) r.console.input(new Uint8Array(data));
        opts.afterAction?.({ kind: 'console-input', domain: String(domid), data: '' });
      };
      ws.onClose = () => { set!.delete(ws); };
    } catch {
      socket.destroy();
    }
  });

  return {
    server,
    consoleOutput(rec, text) {
      const set = streams.get(rec.domid);
      if (set === undefined) return;
      for (const ws of set) ws.send(text);
    },
    domainGone(domid) {
      const set = streams.get(domid);
      if (set === undefined) return;
      for (const ws of set) ws.close(1000);
      streams.delete(domid);
    },
  };
}

function readBody(req: http.IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) { tooBig = true; return; }
      chunks.push(c);
    });
    req.on('end', () => resolve(tooBig ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(null));
  });
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: http.ServerResponse, status: number, message: string): void {
  send(res, status, { error: { status, message } });
}
