/*
 * xenstored: the store's semantics, one request at a time, for any connection (a guest
 * behind its ring page, or Domain 0's TypeScript services in process). The wire codec
 * is wire.ts, the ring transport ring-connection.ts, the tree and permissions tree.ts.
 *
 *   read/write/mkdir/rm/directory/get-perms/set-perms  checked against the node's
 *        permissions (tree.ts); a write creates missing parents, which inherit their
 *        parent's permissions and are owned by the (unprivileged) writer
 *   watches   `WATCH path token` fires once at registration, then for every change of
 *        the path or a descendant the watcher may read; relative watches get relative
 *        paths; @introduceDomain / @releaseDomain fire on introduce and release
 *   transactions  a private copy of the tree; every path the transaction touched is
 *        stamped with the generation it saw; at commit any stamp that changed in the
 *        live tree fails the commit with EAGAIN (the client retries), otherwise the
 *        transaction's operations are replayed on the live tree and its watches fire
 *   quotas    per unprivileged domain: nodes owned, value size, watches, transactions
 */

import {
  XsError, XsNode, XsTree, canRead, canWrite, formatPerm, join, parentOf, parsePerm, splitPath, type Perm,
} from './tree.js';
import { XsType, XENSTORE_PAYLOAD_MAX } from './wire.js';

export interface XsQuota {
  nodes: number;
  entrySize: number;
  watches: number;
  transactions: number;
}

export const DEFAULT_QUOTA: XsQuota = { nodes: 1000, entrySize: 2048, watches: 128, transactions: 10 };

export interface Watch {
  path: string;
  abs: string;
  token: string;
  relative: boolean;
}

/** One client of the store. */
export class XsConnection {
  readonly watches: Watch[] = [];
  readonly transactions = new Map<number, Transaction>();
  /** Watch events for this client: (path, token). */
  deliver: (path: string, token: string) => void = () => {};
  closed = false;
  /** Replies travel over a ring (xs_wire limits apply); false for in-process clients. */
  onWire = false;

  constructor(readonly domid: number, readonly privileged: boolean) {}

  get home(): string {
    return `/local/domain/${this.domid}`;
  }

  /** An absolute path for a (possibly relative) path from this client. */
  resolve(path: string): string {
    if (path.startsWith('/') || path.startsWith('@')) return path;
    if (path === '') throw new XsError('EINVAL', 'empty path');
    return `${this.home}/${path}`;
  }
}

type Op =
  | { kind: 'write'; path: string; value: Uint8Array }
  | { kind: 'mkdir'; path: string }
  | { kind: 'rm'; path: string }
  | { kind: 'setperms'; path: string; perms: Perm[] };

export class Transaction {
  readonly tree: XsTree;
  /** Generation seen per touched path (-1 = absent). */
  readonly seen = new Map<string, number>();
  readonly ops: Op[] = [];

  constructor(readonly id: number, live: XsTree) {
    this.tree = live.clone();
  }
}

interface Change {
  path: string;
  /** Permissions of the node as it was/is, for deciding who may see the event. */
  node: XsNode;
  /** A removal: watches below the path fire too. */
  removed: boolean;
}

export class Xenstored {
  readonly tree = new XsTree();
  readonly connections = new Map<number, XsConnection>();
  quota: XsQuota = { ...DEFAULT_QUOTA };
  private nextTx = 1;
  /** Counters (statistics and tests). */
  readonly stats = { requests: 0, errors: 0, conflicts: 0, watchEvents: 0 };
  private readonly pendingEvents: (() => void)[] = [];
  private draining = false;

  constructor() {
    for (const p of ['/local', '/local/domain', '/tool', '/vm']) this.applyWrite(this.tree, p, null, true, 0);
  }

  // ---------------------------------------------------------------------------------
  // Domains

  /** A connection for `domid` (created at introduce; Domain 0's is privileged). */
  connect(domid: number, privileged = domid === 0): XsConnection {
    const c = new XsConnection(domid, privileged);
    this.connections.set(domid, c);
    return c;
  }

  introduce(domid: number, quiet = false): XsConnection {
    if (this.connections.has(domid)) throw new XsError('EEXIST', `domain ${domid} is already introduced`);
    const c = this.connect(domid, false);
    if (!quiet) this.fire([{ path: '@introduceDomain', node: this.tree.root, removed: false }]);
    this.drain();
    return c;
  }

  /** Forgets a domain: its connection, watches and transactions; nodes it still owns go to Domain 0. */
  release(domid: number): void {
    const c = this.connections.get(domid);
    if (c !== undefined) {
      c.closed = true;
      this.connections.delete(domid);
    }
    const chown = (n: XsNode): void => {
      if (n.owner === domid) n.perms = [{ id: 0, perm: n.perms[0]!.perm }, ...n.perms.slice(1)];
      for (const ch of n.children.values()) chown(ch);
    };
    chown(this.tree.root);
    this.fire([{ path: '@releaseDomain', node: this.tree.root, removed: false }]);
    this.drain();
  }

  /** Drops a connection (a broken or reconnecting ring) without releasing the domain. */
  disconnect(domid: number): void {
    const c = this.connections.get(domid);
    if (c !== undefined) { c.closed = true; this.connections.delete(domid); }
  }

  isIntroduced(domid: number): boolean {
    return this.connections.has(domid);
  }

  // ---------------------------------------------------------------------------------
  // Requests

  /**
   * Handles one request and returns the reply payload (the reply type is the request's,
   * or XS_ERROR with an errno name). Watch events queued by the request are delivered
   * after it.
   */
  handle(c: XsConnection, type: number, txId: number, payload: Uint8Array): { type: number; payload: Uint8Array } {
    this.stats.requests++;
    let result: { type: number; payload: Uint8Array };
    try {
      result = { type, payload: this.dispatch(c, type, txId, payload) };
      // No reply may exceed the wire's limit (a big directory: the client uses DIRECTORY_PART).
      if (c.onWire && result.payload.length > XENSTORE_PAYLOAD_MAX) throw new XsError('E2BIG', 'reply too large');
    } catch (e) {
      if (!(e instanceof XsError)) throw e;
      this.stats.errors++;
      if (e.code === 'EAGAIN') this.stats.conflicts++;
      result = { type: XsType.ERROR, payload: cstr(e.code) };
    }
    this.drain();
    return result;
  }

  private dispatch(c: XsConnection, type: number, txId: number, payload: Uint8Array): Uint8Array {
    const args = splitArgs(payload);
    const tx = txId === 0 ? null : c.transactions.get(txId);
    if (tx === undefined) throw new XsError('ENOENT', `no transaction ${txId}`);
    const tree = tx === null ? this.tree : tx.tree;
    const path = (i = 0): string => {
      if (args[i] === undefined) throw new XsError('EINVAL', 'missing argument');
      return c.resolve(args[i]!);
    };
    switch (type) {
      case XsType.READ: {
        const p = path();
        this.touch(tx, p);
        return this.read(c, tree, p);
      }
      case XsType.DIRECTORY: {
        const p = path();
        this.touch(tx, p);
        const n = this.readable(c, tree, p);
        return cstrs([...n.children.keys()]);
      }
      case XsType.DIRECTORY_PART: {
        // path\0offset: generation\0 then the names from byte `offset` of the full list,
        // as many whole names as fit; an empty name (a second NUL) ends the list.
        const p = path();
        this.touch(tx, p);
        const n = this.readable(c, tree, p);
        const offset = Number(args[1] ?? NaN);
        if (!Number.isInteger(offset) || offset < 0) throw new XsError('EINVAL', 'bad offset');
        const all = cstrs([...n.children.keys()]);
        if (offset > all.length) throw new XsError('EINVAL', 'offset past the end');
        const head = cstr(String(n.gen));
        const room = XENSTORE_PAYLOAD_MAX - head.length - 1;
        let end = Math.min(all.length, offset + room);
        if (end < all.length) { while (end > offset && all[end - 1] !== 0) end--; }
        const done = end === all.length;
        const out = new Uint8Array(head.length + (end - offset) + (done ? 1 : 0));
        out.set(head);
        out.set(all.subarray(offset, end), head.length);
        return out;
      }
      case XsType.GET_PERMS: {
        const p = path();
        this.touch(tx, p);
        return cstrs(this.readable(c, tree, p).perms.map(formatPerm));
      }
      case XsType.WRITE: {
        // path\0value: the value is everything after the first NUL.
        const nul = payload.indexOf(0);
        if (nul < 0) throw new XsError('EINVAL', 'write without a value');
        const p = c.resolve(decode(payload.subarray(0, nul)));
        const value = payload.slice(nul + 1);
        this.modify(c, tx, { kind: 'write', path: p, value });
        return OK;
      }
      case XsType.MKDIR:
        this.modify(c, tx, { kind: 'mkdir', path: path() });
        return OK;
      case XsType.RM:
        this.modify(c, tx, { kind: 'rm', path: path() });
        return OK;
      case XsType.SET_PERMS: {
        const perms = args.slice(1).map(parsePerm);
        if (perms.length === 0) throw new XsError('EINVAL', 'no permissions');
        this.modify(c, tx, { kind: 'setperms', path: path(), perms });
        return OK;
      }
      case XsType.WATCH: {
        const raw = args[0], token = args[1];
        if (raw === undefined || token === undefined) throw new XsError('EINVAL', 'watch needs a path and a token');
        this.watch(c, raw, token);
        return OK;
      }
      case XsType.UNWATCH: {
        const raw = args[0], token = args[1];
        const abs = c.resolve(raw ?? '');
        const i = c.watches.findIndex((w) => w.abs === abs && w.token === token);
        if (i < 0) throw new XsError('ENOENT', 'no such watch');
        c.watches.splice(i, 1);
        return OK;
      }
      case XsType.TRANSACTION_START: {
        if (txId !== 0) throw new XsError('EBUSY', 'nested transaction');
        if (!c.privileged && c.transactions.size >= this.quota.transactions) throw new XsError('ENOSPC', 'too many transactions');
        const id = this.nextTx++;
        c.transactions.set(id, new Transaction(id, this.tree));
        return cstr(String(id));
      }
      case XsType.TRANSACTION_END: {
        if (tx === null) throw new XsError('EINVAL', 'not in a transaction');
        c.transactions.delete(txId);
        if (args[0] === 'T') this.commit(c, tx);
        else if (args[0] !== 'F') throw new XsError('EINVAL', 'end with T or F');
        return OK;
      }
      case XsType.GET_DOMAIN_PATH:
        return cstr(`/local/domain/${Number(args[0] ?? NaN)}`);
      case XsType.IS_DOMAIN_INTRODUCED:
        return cstr(this.isIntroduced(Number(args[0])) ? 'T' : 'F');
      case XsType.RESET_WATCHES:
        c.watches.length = 0;
        c.transactions.clear();
        return OK;
      case XsType.INTRODUCE: case XsType.RELEASE: case XsType.RESUME: case XsType.SET_TARGET:
        if (!c.privileged) throw new XsError('EACCES', 'Domain 0 only');
        if (type === XsType.RESUME) return OK;
        // Domain 0 introduces and releases domains through its toolstack (io-host), not over a ring.
        throw new XsError('ENOSYS', 'use the toolstack');
      default:
        throw new XsError('ENOSYS', `request type ${type}`);
    }
  }

  // ---------------------------------------------------------------------------------
  // Reads

  private readable(c: XsConnection, tree: XsTree, p: string): XsNode {
    const n = tree.get(p);
    if (n === undefined) throw new XsError('ENOENT', p);
    if (!canRead(n, c.domid, c.privileged)) throw new XsError('EACCES', p);
    return n;
  }

  private read(c: XsConnection, tree: XsTree, p: string): Uint8Array {
    return this.readable(c, tree, p).value;
  }

  // ---------------------------------------------------------------------------------
  // Changes

  private touch(tx: Transaction | null, p: string): void {
    if (tx === null || p.startsWith('@') || tx.seen.has(p)) return;
    tx.seen.set(p, tx.tree.get(p)?.gen ?? -1);
  }

  private modify(c: XsConnection, tx: Transaction | null, op: Op): void {
    if (op.path.startsWith('@')) throw new XsError('EINVAL', 'special paths cannot be written');
    if (tx !== null) {
      // Stamp the path and its ancestors up to the first existing one (creation depends on them).
      this.touch(tx, op.path);
      for (let p = op.path; p !== '/';) { p = parentOf(p); this.touch(tx, p); if (tx.tree.get(p) !== undefined) break; }
      this.apply(c, tx.tree, op);
      tx.ops.push(op);
      return;
    }
    this.fire(this.apply(c, this.tree, op));
  }

  private commit(c: XsConnection, tx: Transaction): void {
    for (const [p, gen] of tx.seen) {
      const live = this.tree.get(p)?.gen ?? -1;
      if (live !== gen) throw new XsError('EAGAIN', `${p} changed during the transaction`);
    }
    const changes: Change[] = [];
    for (const op of tx.ops) changes.push(...this.apply(c, this.tree, op));
    this.fire(changes);
  }

  private apply(c: XsConnection, tree: XsTree, op: Op): Change[] {
    switch (op.kind) {
      case 'write': return this.applyWrite(tree, op.path, op.value, c.privileged, c.domid);
      case 'mkdir': return this.applyWrite(tree, op.path, null, c.privileged, c.domid);
      case 'rm': return this.applyRm(tree, op.path, c);
      case 'setperms': return this.applySetPerms(tree, op.path, op.perms, c);
    }
  }

  /** Writes a value (or only creates the node when `value` is null), creating parents. */
  private applyWrite(tree: XsTree, path: string, value: Uint8Array | null, privileged: boolean, domid: number): Change[] {
    const parts = splitPath(path);
    if (parts.length === 0) throw new XsError('EINVAL', 'cannot write the root');
    if (value !== null && !privileged && value.length > this.quota.entrySize) throw new XsError('ENOSPC', 'value too large');
    let n = tree.root;
    let cur = '/';
    const created: string[] = [];
    let i = 0;
    for (; i < parts.length; i++) {
      const next = n.children.get(parts[i]!);
      if (next === undefined) break;
      n = next;
      cur = join(cur, parts[i]!);
    }
    const changes: Change[] = [];
    if (i < parts.length) {
      if (!canWrite(n, domid, privileged)) throw new XsError('EACCES', cur);
      if (!privileged && tree.countOwned(domid) + (parts.length - i) > this.quota.nodes) throw new XsError('ENOSPC', 'node quota');
      const gen = ++tree.gen;
      n.gen = gen;
      for (; i < parts.length; i++) {
        const perms = n.perms.map((p) => ({ ...p }));
        if (!privileged) perms[0] = { id: domid, perm: perms[0]!.perm };
        const child = new XsNode(parts[i]!, perms);
        child.gen = gen;
        n.children.set(parts[i]!, child);
        n = child;
        cur = join(cur, parts[i]!);
        created.push(cur);
        changes.push({ path: cur, node: child, removed: false });
      }
      if (value !== null) n.value = value;
      return changes;
    }
    if (value === null) return [];
    if (!canWrite(n, domid, privileged)) throw new XsError('EACCES', path);
    n.value = value;
    n.gen = ++tree.gen;
    return [{ path, node: n, removed: false }];
  }

  private applyRm(tree: XsTree, path: string, c: XsConnection): Change[] {
    const parts = splitPath(path);
    if (parts.length === 0) throw new XsError('EINVAL', 'cannot remove the root');
    const parent = tree.get(parentOf(path));
    const n = parent?.children.get(parts[parts.length - 1]!);
    if (n === undefined) {
      if (parent === undefined) throw new XsError('ENOENT', parentOf(path));
      return [];
    }
    if (!canWrite(n, c.domid, c.privileged)) throw new XsError('EACCES', path);
    parent!.children.delete(n.name);
    parent!.gen = ++tree.gen;
    // Every node below changes too (for transactions that read them).
    const stamp = (x: XsNode): void => { x.gen = tree.gen; for (const ch of x.children.values()) stamp(ch); };
    stamp(n);
    return [{ path, node: n, removed: true }];
  }

  private applySetPerms(tree: XsTree, path: string, perms: Perm[], c: XsConnection): Change[] {
    const n = tree.get(path);
    if (n === undefined) throw new XsError('ENOENT', path);
    if (!c.privileged) {
      if (n.owner !== c.domid) throw new XsError('EACCES', 'only the owner may change permissions');
      if (perms[0]!.id !== n.owner) throw new XsError('EPERM', 'only Domain 0 may change the owner');
    }
    n.perms = perms.map((p) => ({ ...p }));
    n.gen = ++tree.gen;
    return [{ path, node: n, removed: false }];
  }

  // ---------------------------------------------------------------------------------
  // Watches

  private watch(c: XsConnection, raw: string, token: string): void {
    const abs = c.resolve(raw);
    if (!abs.startsWith('@')) splitPath(abs);
    if (c.watches.some((w) => w.abs === abs && w.token === token)) throw new XsError('EEXIST', 'watch exists');
    if (!c.privileged && c.watches.length >= this.quota.watches) throw new XsError('E2BIG', 'too many watches');
    const w: Watch = { path: raw, abs, token, relative: !raw.startsWith('/') && !raw.startsWith('@') };
    c.watches.push(w);
    // Fires once at registration, with the watched path.
    this.pendingEvents.push(() => { if (!c.closed) { this.stats.watchEvents++; c.deliver(raw, token); } });
  }

  private fire(changes: Change[]): void {
    for (const ch of changes) {
      for (const c of this.connections.values()) {
        for (const w of c.watches) {
          let eventPath: string | null = null;
          if (ch.path === w.abs || (w.abs === '/' && !ch.path.startsWith('@')) || ch.path.startsWith(w.abs + '/')) eventPath = ch.path;
          else if (ch.removed && w.abs.startsWith(ch.path + '/')) eventPath = w.abs;
          if (eventPath === null) continue;
          if (!eventPath.startsWith('@') && !canRead(ch.node, c.domid, c.privileged)) continue;
          const out = w.relative && eventPath.startsWith(c.home + '/') ? eventPath.slice(c.home.length + 1) : eventPath;
          const token = w.token;
          this.pendingEvents.push(() => { if (!c.closed) { this.stats.watchEvents++; c.deliver(out, token); } });
        }
      }
    }
  }

  /** Delivers queued watch events (a handler may cause more; they queue behind). */
  drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.pendingEvents.length > 0) this.pendingEvents.shift()!();
    } finally {
      this.draining = false;
    }
  }
}

// ---------------------------------------------------------------------------------------
// Payload helpers

const enc = new TextEncoder();
const dec = new TextDecoder();
export const OK = cstr('OK');

export function cstr(s: string): Uint8Array {
  const b = enc.encode(s);
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  return out;
}

export function cstrs(list: string[]): Uint8Array {
  const parts = list.map(cstr);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

export function decode(b: Uint8Array): string {
  return dec.decode(b);
}

/** NUL-separated arguments (a trailing NUL ends the last one). */
export function splitArgs(payload: Uint8Array): string[] {
  const s = dec.decode(payload);
  const parts = s.split('\0');
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}
