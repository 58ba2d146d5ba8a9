/*
 * Domain 0's in-process xenstore client (what libxenstore is to xl and the backends):
 * the same requests as a guest's, through Xenstored.handle on a privileged connection,
 * so the toolstack and the backends see exactly the store the guests see.
 */

import { Xenstored, XsConnection, cstr, cstrs, decode, splitArgs } from './xenstored.js';
import { XsError, type XsErrno } from './tree.js';
import { XsType } from './wire.js';

const enc = new TextEncoder();

export type WatchCallback = (path: string, token: string) => void;

export class XsClient {
  private readonly callbacks = new Map<string, WatchCallback>();
  private nextToken = 1;

  constructor(readonly store: Xenstored, readonly conn: XsConnection, private readonly txId = 0) {
    if (txId === 0) conn.deliver = (path, token) => this.callbacks.get(token)?.(path, token);
  }

  private call(type: XsType, payload: Uint8Array): Uint8Array {
    const r = this.store.handle(this.conn, type, this.txId, payload);
    if (r.type === XsType.ERROR) {
      const code = decode(r.payload).replace(/\0$/, '') as XsErrno;
      throw new XsError(code);
    }
    return r.payload;
  }

  /** The value at `path`, or null if there is no such node. */
  read(path: string): string | null {
    try {
      return decode(this.call(XsType.READ, cstr(path)));
    } catch (e) {
      if (e instanceof XsError && e.code === 'ENOENT') return null;
      throw e;
    }
  }

  write(path: string, value: string | Uint8Array): void {
    const v = typeof value === 'string' ? enc.encode(value) : value;
    const p = cstr(path);
    const b = new Uint8Array(p.length + v.length);
    b.set(p);
    b.set(v, p.length);
    this.call(XsType.WRITE, b);
  }

  mkdir(path: string): void {
    this.call(XsType.MKDIR, cstr(path));
  }

  rm(path: string): void {
    try {
      this.call(XsType.RM, cstr(path));
    } catch (e) {
      if (!(e instanceof XsError && e.code === 'ENOENT')) throw e;
    }
  }

  /** Child names, or [] if there is no such node. */
  directory(path: string): string[] {
    try {
      return splitArgs(this.call(XsType.DIRECTORY, cstr(path)));
    } catch (e) {
      if (e instanceof XsError && e.code === 'ENOENT') return [];
      throw e;
    }
  }

  getPerms(path: string): string[] {
    return splitArgs(this.call(XsType.GET_PERMS, cstr(path)));
  }

  setPerms(path: string, perms: string[]): void {
    this.call(XsType.SET_PERMS, cstrs([path, ...perms]));
  }

  /** Watches `path`; `cb` runs once now-ish (registration) and on every change. Returns the token. */
  watch(path: string, cb: WatchCallback, token = `t${this.nextToken++}`): string {
    this.callbacks.set(token, cb);
    this.call(XsType.WATCH, cstrs([path, token]));
    return token;
  }

  unwatch(path: string, token: string): void {
    this.callbacks.delete(token);
    try { this.call(XsType.UNWATCH, cstrs([path, token])); } catch { /* already gone */ }
  }

  /** Runs `fn` in a transaction, retrying on EAGAIN as every xenbus writer does. */
  transaction<T>(fn: (tx: XsClient) => T, maxTries = 16): T {
    for (let i = 0; ; i++) {
      const id = Number(decode(this.call(XsType.TRANSACTION_START, cstr(''))).replace(/\0$/, ''));
      const tx = new XsClient(this.store, this.conn, id);
      let result: T;
      try {
        result = fn(tx);
      } catch (e) {
        try { this.store.handle(this.conn, XsType.TRANSACTION_END, id, cstr('F')); } catch { /* ignore */ }
        throw e;
      }
      const r = this.store.handle(this.conn, XsType.TRANSACTION_END, id, cstr('T'));
      if (r.type !== XsType.ERROR) return result;
      const code = decode(r.payload).replace(/\0$/, '') as XsErrno;
      if (code !== 'EAGAIN' || i + 1 >= maxTries) throw new XsError(code);
    }
  }

  /** Every node under `path` as [path, value, perms] rows, depth first (xenstore-ls). */
  tree(path: string): [string, string, string[]][] {
    const out: [string, string, string[]][] = [];
    const walk = (p: string): void => {
      out.push([p, this.read(p) ?? '', this.getPerms(p)]);
      for (const c of this.directory(p)) walk(p === '/' ? `/${c}` : `${p}/${c}`);
    };
    walk(path);
    return out;
  }
}
