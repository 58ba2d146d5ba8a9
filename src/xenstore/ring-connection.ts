/*
 * A guest's xenstore connection over its ring page (xenstore_domain_interface, fact
 * sheet §12.2): requests are bytes in `req`, replies and watch events bytes in `rsp`,
 * both free-running u32 indices mod 1024, and the store event channel in both
 * directions. Domain 0 reaches the page by its MFN (start_info.store_mfn), as xenstored
 * does.
 *
 * The guest controls the indices and the bytes. A producer index more than a ring ahead
 * of the consumer, or a payload over 4096 bytes, is a protocol violation: the ring's
 * `error` field says which and the connection stops being served (the guest's other
 * devices and every other domain carry on). A guest that stops reading replies gets at
 * most OUT_LIMIT bytes queued, then is disconnected the same way.
 */

import type { Control, ForeignFrame } from '../hv/control.js';
import { Xenstored, XsConnection, cstrs } from './xenstored.js';
import {
  XENSTORE_CONNECTED, XENSTORE_ERROR_COMM, XENSTORE_ERROR_PROTO, XENSTORE_ERROR_RINGIDX, XENSTORE_RECONNECT,
  XENSTORE_RING_SIZE, XENSTORE_SERVER_FEATURE_ERROR, XENSTORE_SERVER_FEATURE_RECONNECTION, XS_RING, XsType,
  ProtocolError, decodeMessages, encodeMessage,
} from './wire.js';

const OUT_LIMIT = 256 * 1024;
const MASK = XENSTORE_RING_SIZE - 1;

export class XsRingConnection {
  private readonly page: ForeignFrame;
  readonly port: number;
  conn: XsConnection;
  private inbuf = new Uint8Array(0);
  private out: Uint8Array[] = [];
  private outBytes = 0;
  /** Why the connection stopped being served, or null. */
  broken: string | null = null;
  private inService = false;
  private held: Uint8Array[] = [];

  constructor(private readonly store: Xenstored, private readonly ctl: Control, readonly domid: number, mfn: number, guestPort: number) {
    this.page = ctl.mapForeign(domid, mfn);
    this.page.write32(XS_RING.server_features, XENSTORE_SERVER_FEATURE_RECONNECTION | XENSTORE_SERVER_FEATURE_ERROR);
    this.conn = this.attach(store.introduce(domid));
    this.port = ctl.bindInterdomain(domid, guestPort, () => this.service());
  }

  private attach(c: XsConnection): XsConnection {
    c.onWire = true;
    // An event raised by someone else's change must reach the ring now: the guest may be
    // waiting for nothing else. (Inside service() the flush happens after the replies.)
    // Events raised while a request is handled follow its reply (as xenstored sends them).
    c.deliver = (path, token) => {
      const msg = encodeMessage({ type: XsType.WATCH_EVENT, reqId: 0, txId: 0, payload: cstrs([path, token]) });
      if (this.inService) { this.held.push(msg); return; }
      this.queue(msg);
      this.flush();
    };
    return c;
  }

  /** Handles everything the guest has written and pushes out what fits. */
  service(): void {
    if (this.broken !== null) return;
    this.inService = true;
    try {
      this.serviceRing();
    } finally {
      this.inService = false;
    }
  }

  private serviceRing(): void {
    const p = this.page;
    if (p.read32(XS_RING.connection) === XENSTORE_RECONNECT) this.reconnect();
    const cons = p.read32(XS_RING.req_cons) >>> 0, prod = p.read32(XS_RING.req_prod) >>> 0;
    const avail = (prod - cons) >>> 0;
    if (avail > XENSTORE_RING_SIZE) return this.fail(XENSTORE_ERROR_RINGIDX, `request indices ${cons}..${prod}`);
    if (avail > 0) {
      const bytes = p.bytes();
      const chunk = new Uint8Array(avail);
      for (let i = 0; i < avail; i++) chunk[i] = bytes[XS_RING.req + ((cons + i) & MASK)]!;
      p.write32(XS_RING.req_cons, (cons + avail) | 0);
      const merged = new Uint8Array(this.inbuf.length + avail);
      merged.set(this.inbuf);
      merged.set(chunk, this.inbuf.length);
      let decoded;
      try {
        decoded = decodeMessages(merged);
      } catch (e) {
        if (e instanceof ProtocolError) return this.fail(XENSTORE_ERROR_PROTO, e.message);
        throw e;
      }
      this.inbuf = merged.slice(decoded.used);
      for (const m of decoded.messages) {
        const r = this.store.handle(this.conn, m.type, m.txId, m.payload);
        this.queue(encodeMessage({ type: r.type, reqId: m.reqId, txId: m.txId, payload: r.payload }));
        for (const ev of this.held.splice(0)) this.queue(ev);
        if (this.broken !== null) return;
      }
    }
    for (const ev of this.held.splice(0)) this.queue(ev);
    this.flush(avail > 0);
  }

  private queue(msg: Uint8Array): void {
    if (this.broken !== null) return;
    this.out.push(msg);
    this.outBytes += msg.length;
    if (this.outBytes > OUT_LIMIT) this.fail(XENSTORE_ERROR_COMM, 'the guest does not read its replies');
  }

  /** Copies queued output into the response ring as space allows. */
  flush(consumed = false): void {
    if (this.broken !== null) return;
    const p = this.page;
    const cons = p.read32(XS_RING.rsp_cons) >>> 0, prod = p.read32(XS_RING.rsp_prod) >>> 0;
    const used = (prod - cons) >>> 0;
    if (used > XENSTORE_RING_SIZE) return this.fail(XENSTORE_ERROR_RINGIDX, `response indices ${cons}..${prod}`);
    let space = XENSTORE_RING_SIZE - used;
    let w = prod;
    while (space > 0 && this.out.length > 0) {
      const head = this.out[0]!;
      const n = Math.min(space, head.length);
      // At most two pieces: up to the end of the ring, then from its start.
      const first = Math.min(n, XENSTORE_RING_SIZE - (w & MASK));
      p.write(XS_RING.rsp + (w & MASK), head.subarray(0, first));
      if (n > first) p.write(XS_RING.rsp, head.subarray(first, n));
      w = (w + n) >>> 0;
      space -= n;
      this.outBytes -= n;
      if (n === head.length) this.out.shift(); else this.out[0] = head.subarray(n);
    }
    if (w !== prod) p.write32(XS_RING.rsp_prod, w | 0);
    if (w !== prod || consumed) this.ctl.send(this.port);
  }

  /** The guest asked to reconnect: drop its state and start from clean indices. */
  private reconnect(): void {
    this.store.disconnect(this.domid);
    this.conn = this.attach(this.store.introduce(this.domid, true));
    this.inbuf = new Uint8Array(0);
    this.out = [];
    this.outBytes = 0;
    const p = this.page;
    p.write32(XS_RING.req_cons, p.read32(XS_RING.req_prod));
    p.write32(XS_RING.rsp_prod, p.read32(XS_RING.rsp_cons));
    p.write32(XS_RING.error, 0);
    p.write32(XS_RING.connection, XENSTORE_CONNECTED);
  }

  private fail(code: number, why: string): void {
    this.broken = why;
    this.page.write32(XS_RING.error, code);
    this.store.disconnect(this.domid);
    this.ctl.send(this.port);
  }

  /** Stops serving the ring (the toolstack releases the domain itself). */
  close(): void {
    if (this.broken === null) this.store.disconnect(this.domid);
    this.broken ??= 'closed';
    try { this.ctl.close(this.port); } catch { /* the domain is gone */ }
  }
}
