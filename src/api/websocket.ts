/*
 * A small WebSocket (RFC 6455) implementation for console streams: the handshake on both
 * sides, and a frame codec for text/binary messages, ping/pong and close. No extensions,
 * no fragmentation on send; received fragments are reassembled. Node 20 has no built-in
 * WebSocket client, and the daemon needs only this much.
 */

import { createHash, randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import http from 'node:http';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const MAX_MESSAGE = 1 << 20;

export const enum Opcode { CONT = 0, TEXT = 1, BINARY = 2, CLOSE = 8, PING = 9, PONG = 10 }

export function acceptKey(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/** One open WebSocket over a socket, either side. */
export class WebSocketConnection {
  private buf: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private fragOpcode = 0;
  closed = false;
  /** Messages that arrived before anyone listened (a server may speak first). */
  private early: [Buffer, boolean][] | null = [];
  private handler: ((data: Buffer, text: boolean) => void) | null = null;
  private closeHandler: (() => void) | null = null;

  set onMessage(fn: (data: Buffer, text: boolean) => void) {
    this.handler = fn;
    const queued = this.early ?? [];
    this.early = null;
    for (const [d, t] of queued) fn(d, t);
  }

  set onClose(fn: () => void) {
    this.closeHandler = fn;
    if (this.closed) fn();
  }

  private deliver(data: Buffer, text: boolean): void {
    if (this.handler !== null) this.handler(data, text);
    else this.early?.push([data, text]);
  }

  constructor(private readonly socket: Duplex, private readonly maskOutgoing: boolean) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('close', () => this.finish());
    socket.on('error', () => this.finish());
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.closeHandler?.();
  }

  send(data: string | Buffer): void {
    if (this.closed) return;
    const text = typeof data === 'string';
    this.frame(text ? Opcode.TEXT : Opcode.BINARY, text ? Buffer.from(data, 'utf8') : data);
  }

  close(code = 1000): void {
    if (this.closed) return;
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(code, 0);
    this.frame(Opcode.CLOSE, payload);
    this.socket.end();
    this.finish();
  }

  private frame(opcode: Opcode, payload: Buffer): void {
    const len = payload.length;
    const head: number[] = [0x80 | opcode];
    const maskBit = this.maskOutgoing ? 0x80 : 0;
    if (len < 126) head.push(maskBit | len);
    else if (len < 65536) head.push(maskBit | 126, len >>> 8, len & 0xff);
    else head.push(maskBit | 127, 0, 0, 0, 0, (len >>> 24) & 0xff, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff);
    let body: Buffer = payload;
    const parts: Buffer[] = [Buffer.from(head)];
    if (this.maskOutgoing) {
      const mask = randomBytes(4);
      body = Buffer.alloc(len);
      for (let i = 0; i < len; i++) body[i] = payload[i]! ^ mask[i & 3]!;
      parts.push(mask);
    }
    parts.push(body);
    this.socket.write(Buffer.concat(parts));
  }

  private receive(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    for (;;) {
      if (this.buf.length < 2) return;
      const b0 = this.buf[0]!, b1 = this.buf[1]!;
      const fin = (b0 & 0x80) !== 0, opcode = b0 & 0x0f, masked = (b1 & 0x80) !== 0;
      let len = b1 & 0x7f, off = 2;
      if (len === 126) { if (this.buf.length < 4) return; len = this.buf.readUInt16BE(2); off = 4; }
      else if (len === 127) {
        if (this.buf.length < 10) return;
        if (this.buf.readUInt32BE(2) !== 0) { this.close(1009); return; }
        len = this.buf.readUInt32BE(6); off = 10;
      }
      if (len > MAX_MESSAGE) { this.close(1009); return; }
      const maskOff = off;
      if (masked) off += 4;
      if (this.buf.length < off + len) return;
      const payload = Buffer.from(this.buf.subarray(off, off + len));
      if (masked) for (let i = 0; i < len; i++) payload[i]! ^= this.buf[maskOff + (i & 3)]!;
      this.buf = this.buf.subarray(off + len);
      switch (opcode) {
        case Opcode.PING: this.frame(Opcode.PONG, payload); break;
        case Opcode.PONG: break;
        case Opcode.CLOSE: this.close(); return;
        case Opcode.TEXT: case Opcode.BINARY: case Opcode.CONT: {
          if (opcode !== Opcode.CONT) { this.fragments = []; this.fragOpcode = opcode; }
          this.fragments.push(payload);
          if (fin) {
            const whole = Buffer.concat(this.fragments);
            this.fragments = [];
            this.deliver(whole, this.fragOpcode === Opcode.TEXT);
          }
          break;
        }
        default: this.close(1002); return;
      }
    }
  }
}

/** Completes a server-side handshake on an HTTP upgrade request; null if it is not a WebSocket one. */
export function acceptUpgrade(req: http.IncomingMessage, socket: Duplex): WebSocketConnection | null {
  const key = req.headers['sec-websocket-key'];
  if (req.headers.upgrade?.toLowerCase() !== 'websocket' || typeof key !== 'string') return null;
  socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    `Sec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n`);
  return new WebSocketConnection(socket, false);
}

/** Opens a client WebSocket to `url` (ws:// or http://), with extra headers. */
export function connectWebSocket(url: string, headers: Record<string, string> = {}): Promise<WebSocketConnection> {
  return new Promise((resolve, reject) => {
    const u = new URL(url.replace(/^ws/, 'http'));
    const key = randomBytes(16).toString('base64');
    const req = http.request({
      host: u.hostname, port: u.port, path: u.pathname + u.search, method: 'GET',
      headers: { ...headers, Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': key },
    });
    req.on('upgrade', (res, socket, head) => {
      if (res.headers['sec-websocket-accept'] !== acceptKey(key)) { socket.destroy(); reject(new Error('bad WebSocket handshake')); return; }
      const ws = new WebSocketConnection(socket, true);
      if (head.length > 0) socket.unshift(head);
      resolve(ws);
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => {
        let message = `HTTP ${res.statusCode}`;
        try { message = (JSON.parse(body) as { error: { message: string } }).error.message; } catch { /* not JSON */ }
        reject(new HttpError(res.statusCode ?? 0, message));
      });
    });
    req.on('error', reject);
    req.end();
  });
}

export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}
