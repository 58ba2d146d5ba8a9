/*
 * A scripted guest for I/O tests: a real domain (built from the minios image, created
 * paused and never run) whose frontend side is played by TypeScript that does exactly
 * what the guest's own code would — stores into its own frames (through a foreign
 * mapping, as its kernel's stores would land), grant entries written with the Xen
 * granter protocol, GNTTABOP_setup_table, unbound ports for Domain 0 and EVTCHNOP_send.
 * Everything the backends see comes through the same grant table, event channels and
 * xenstore as a compiled frontend's would.
 */

import { readFileSync } from 'node:fs';
import { XenHost, type GuestRecord } from '../src/daemon/host.js';
import { parseConfig } from '../src/toolstack/config.js';
import { image } from './support/paths.js';
import { grantTables, GTF_permit_access, GTF_accept_transfer, GTF_readonly, GTF_reading, GTF_writing } from '../src/hv/grant-table.js';
import type { Domain } from '../src/hv/domain.js';
import type { ForeignFrame } from '../src/hv/control.js';

export const MINIOS = readFileSync(image('minios-pv.elf'));

export function guestConfig(name: string, extra = '') {
  const maxmem = /maxmem\s*=/.test(extra) ? '' : 'maxmem = 12\n';
  return parseConfig(`name = "${name}"\nkernel = "minios-pv.elf"\nmemory = 8\n${maxmem}${extra}`, `${name}.cfg`);
}

export class ScriptedGuest {
  readonly rec: GuestRecord;
  readonly d: Domain;
  private nextPfn: number;
  private readonly freeRefs: number[] = [];
  private readonly gframes: number[];

  constructor(readonly host: XenHost, name: string, extra = '') {
    this.rec = host.create(guestConfig(name, extra), { kernel: MINIOS, paused: true });
    this.d = host.hv.domains.get(this.rec.domid)!;
    this.nextPfn = this.rec.built.p2m.length - 1;
    this.gframes = grantTables(host.hv).setup(this.d, 4);
    for (let r = 4 * 512 - 1; r >= 8; r--) this.freeRefs.push(r);
  }

  private allocRef(): number {
    const r = this.freeRefs.pop();
    if (r === undefined) throw new Error('scripted guest out of grant refs');
    return r;
  }

  /** Clears a finished accept_transfer entry and recycles the ref. */
  recycle(ref: number): void {
    const { frame, off } = this.entry(ref);
    frame.write32(off, 0);
    this.freeRefs.push(ref);
  }

  /** Ends a grant (the revoke must succeed: the backend is done with it) and recycles the ref. */
  ungrant(ref: number): boolean {
    const ok = this.endAccess(ref);
    if (ok) this.freeRefs.push(ref);
    return ok;
  }

  get domid(): number {
    return this.rec.domid;
  }

  /** A fresh page of the guest's own memory (top of its pseudo-physical space). */
  page(): { mfn: number; frame: ForeignFrame } {
    const mfn = this.rec.built.p2m[this.nextPfn--]!;
    return { mfn, frame: this.host.ctl.mapForeign(this.domid, mfn) };
  }

  private entry(ref: number): { frame: ForeignFrame; off: number } {
    return { frame: this.host.ctl.mapForeign(this.domid, this.gframes[ref >>> 9]!), off: (ref & 511) * 8 };
  }

  /** Grants `mfn` to `domid` (domid and frame first, then the flags, as the granter protocol says). */
  grant(domid: number, mfn: number, readonly = false, ref = this.allocRef()): number {
    const { frame, off } = this.entry(ref);
    frame.write32(off, domid << 16);
    frame.write32(off + 4, mfn);
    frame.write32(off, (domid << 16) | GTF_permit_access | (readonly ? GTF_readonly : 0));
    return ref;
  }

  acceptTransfer(domid: number, ref = this.allocRef()): number {
    const { frame, off } = this.entry(ref);
    frame.write32(off + 4, 0);
    frame.write32(off, (domid << 16) | GTF_accept_transfer);
    return ref;
  }

  flags(ref: number): number {
    const { frame, off } = this.entry(ref);
    return frame.read32(off) & 0xffff;
  }

  frameField(ref: number): number {
    const { frame, off } = this.entry(ref);
    return frame.read32(off + 4) >>> 0;
  }

  /** The Xen revoke: succeeds only if the grant is not in use (GTF_reading/writing clear). */
  endAccess(ref: number): boolean {
    const { frame, off } = this.entry(ref);
    const w = frame.read32(off);
    if ((w & (GTF_reading | GTF_writing)) !== 0) return false;
    frame.write32(off, w & ~0xffff);
    return true;
  }

  /** Writes an arbitrary entry (hostile tests). */
  rawEntry(ref: number, flags: number, domid: number, mfn: number): void {
    const { frame, off } = this.entry(ref);
    frame.write32(off + 4, mfn);
    frame.write32(off, (domid << 16) | flags);
  }

  /** An unbound port for Domain 0 (what the frontend writes as `event-channel`). */
  allocPort(): number {
    return this.host.ctl.allocUnbound(this.domid, 0);
  }

  /** EVTCHNOP_send from the guest, then Domain 0 handles it. */
  notify(port: number): void {
    this.d.evtchn.send(port);
    this.host.hv.drainDom0Events();
  }
}

// ---------------------------------------------------------------------------------------
// The guest's xenstore client, over its own store ring page (xs_wire messages).

import { XS_RING, XsType, encodeMessage, decodeMessages } from '../src/xenstore/wire.js';
import { FrontRing, type SharedPage } from '../src/backends/ring.js';
import { BLKIF_REQ, BLKIF_RSP, BLKIF_ENTRY, BLKIF_SEG } from '../src/backends/blk/blkif.js';
import { NETIF_RX_REQ, NETIF_RX_RSP, NETIF_TX_REQ, NETIF_TX_RSP, NETIF_TX_ENTRY, NETIF_RX_ENTRY, NETTXF_more_data } from '../src/backends/net/netif.js';

export function sharedPage(f: ForeignFrame): SharedPage {
  return { read32: (o) => f.read32(o), write32: (o, v) => f.write32(o, v), view: () => f.bytes(), write: (o, b) => f.write(o, b) };
}

const te = new TextEncoder(), td = new TextDecoder();

export class GuestXs {
  private readonly page: ForeignFrame;
  private readonly port: number;
  private inbuf = new Uint8Array(0);
  private reqId = 1;
  readonly events: [string, string][] = [];

  constructor(readonly g: ScriptedGuest) {
    this.page = g.host.ctl.mapForeign(g.domid, g.rec.built.storeMfn);
    this.port = g.rec.built.storePort;
  }

  private send(bytes: Uint8Array): void {
    const p = this.page;
    let prod = p.read32(XS_RING.req_prod) >>> 0;
    for (const b of bytes) { p.write(XS_RING.req + (prod & 1023), Uint8Array.of(b)); prod = (prod + 1) >>> 0; }
    p.write32(XS_RING.req_prod, prod | 0);
    this.g.notify(this.port);
  }

  private pump(): void {
    const p = this.page;
    let cons = p.read32(XS_RING.rsp_cons) >>> 0;
    const prod = p.read32(XS_RING.rsp_prod) >>> 0;
    const chunk: number[] = [];
    const bytes = p.bytes();
    while (cons !== prod) { chunk.push(bytes[XS_RING.rsp + (cons & 1023)]!); cons = (cons + 1) >>> 0; }
    p.write32(XS_RING.rsp_cons, cons | 0);
    if (chunk.length > 0) this.g.notify(this.port);
    const merged = new Uint8Array(this.inbuf.length + chunk.length);
    merged.set(this.inbuf); merged.set(chunk, this.inbuf.length);
    const { messages, used } = decodeMessages(merged);
    this.inbuf = merged.slice(used);
    for (const m of messages) {
      if (m.type === XsType.WATCH_EVENT) {
        const [path, token] = td.decode(m.payload).split('\0');
        this.events.push([path!, token!]);
      } else {
        this.replies.push(m);
      }
    }
  }

  private readonly replies: { type: number; reqId: number; payload: Uint8Array }[] = [];

  /** One request; returns [type, payload text]. Throws the errno name on XS_ERROR. */
  request(type: number, payload: Uint8Array, txId = 0): string {
    const id = this.reqId++;
    const msg = encodeMessage({ type, reqId: id, txId, payload });
    // Messages over the free space go in pieces, as a guest's would.
    for (let o = 0; o < msg.length; o += 512) this.send(msg.subarray(o, o + 512));
    for (let tries = 0; tries < 100; tries++) {
      this.pump();
      const i = this.replies.findIndex((r) => r.reqId === id);
      if (i >= 0) {
        const r = this.replies.splice(i, 1)[0]!;
        const text = td.decode(r.payload);
        if (r.type === XsType.ERROR) throw new Error(text.replace(/\0$/, ''));
        return text;
      }
    }
    throw new Error('no reply from xenstored');
  }

  read(path: string): string { return this.request(XsType.READ, te.encode(path + '\0')); }
  write(path: string, value: string, txId = 0): void { this.request(XsType.WRITE, te.encode(`${path}\0${value}`), txId); }
  watch(path: string, token: string): void { this.request(XsType.WATCH, te.encode(`${path}\0${token}\0`)); }
  start(): number { return Number(this.request(XsType.TRANSACTION_START, te.encode('\0')).replace('\0', '')); }
  end(tx: number, commit: boolean): void { this.request(XsType.TRANSACTION_END, te.encode(commit ? 'T\0' : 'F\0'), tx); }
  /** Raw bytes into the request ring (hostile tests). */
  raw(bytes: Uint8Array): void { this.send(bytes); this.pump(); }
  get ring(): ForeignFrame { return this.page; }
}

// ---------------------------------------------------------------------------------------
// blkfront, as a guest's driver would do it

export class ScriptedBlkFront {
  readonly xs: GuestXs;
  ring!: FrontRing;
  ringPage!: ForeignFrame;
  ringRef = 0;
  port = 0;
  private nextId = 1;
  readonly done = new Map<number, { op: number; status: number }>();
  private readonly dataPages: { mfn: number; frame: ForeignFrame }[] = [];

  constructor(readonly g: ScriptedGuest, readonly devid = 51712) {
    this.xs = new GuestXs(g);
    for (let i = 0; i < 64; i++) this.dataPages.push(g.page());
  }

  get dir(): string { return `device/vbd/${this.devid}`; }

  /** The frontend half of the handshake: ring, grant, port, keys, Initialised. */
  connect(): void {
    const p = this.g.page();
    this.ringPage = p.frame;
    this.ring = new FrontRing(sharedPage(p.frame), BLKIF_ENTRY);
    this.ringRef = this.g.grant(0, p.mfn);
    this.port = this.g.allocPort();
    for (let tries = 0; ; tries++) {
      const tx = this.xs.start();
      this.xs.write(`${this.dir}/ring-ref`, String(this.ringRef), tx);
      this.xs.write(`${this.dir}/event-channel`, String(this.port), tx);
      this.xs.write(`${this.dir}/protocol`, 'x86_64-abi', tx);
      try { this.xs.end(tx, true); break; } catch (e) { if ((e as Error).message !== 'EAGAIN' || tries > 5) throw e; }
    }
    this.xs.write(`${this.dir}/state`, '3');
    if (this.xs.read(`/local/domain/0/backend/vbd/${this.g.domid}/${this.devid}/state`) === '4') this.xs.write(`${this.dir}/state`, '4');
  }

  /** Queues one request (not yet pushed). Data pages come from a pool; returns the id. */
  queue(op: number, sector: number, data: Uint8Array | null, nsect: number, grefs?: number[]): number {
    const id = this.nextId++;
    const req = new Uint8Array(BLKIF_REQ.SIZE);
    const v = new DataView(req.buffer);
    req[BLKIF_REQ.operation] = op;
    v.setUint32(BLKIF_REQ.id, id, true);
    v.setUint32(BLKIF_REQ.sector_number, sector, true);
    const nseg = Math.ceil(nsect / 8);
    req[BLKIF_REQ.nr_segments] = nseg;
    for (let s = 0; s < nseg; s++) {
      const page = this.dataPages[(id * 11 + s) % this.dataPages.length]!;
      const n = Math.min(8, nsect - s * 8);
      if (data !== null) page.frame.write(0, data.subarray(s * 4096, s * 4096 + n * 512));
      const gref = grefs?.[s] ?? this.g.grant(0, page.mfn, op === 1 || op === 2);
      const o = BLKIF_REQ.seg + s * BLKIF_SEG.SIZE;
      v.setUint32(o + BLKIF_SEG.gref, gref, true);
      req[o + BLKIF_SEG.first_sect] = 0;
      req[o + BLKIF_SEG.last_sect] = n - 1;
      const prev = this.pending.get(id);
      this.pending.set(id, { pages: [...(prev?.pages ?? []), page], nsect, refs: [...(prev?.refs ?? []), ...(grefs === undefined ? [gref] : [])] });
    }
    if (nseg === 0) this.pending.set(id, { pages: [], nsect: 0, refs: [] });
    this.ring.putRequest(req);
    return id;
  }

  readonly pending = new Map<number, { pages: { frame: ForeignFrame }[]; nsect: number; refs: number[] }>();
  /** Grants the backend still held when their request was answered (must stay 0). */
  leakedGrants = 0;
  readonly readData = new Map<number, Uint8Array>();

  push(): void {
    if (this.ring.pushRequests()) this.g.notify(this.port);
    this.collect();
  }

  collect(): void {
    const rsp = new Uint8Array(BLKIF_RSP.SIZE);
    const v = new DataView(rsp.buffer);
    while (this.ring.unconsumedResponses() > 0) {
      this.ring.takeResponse(rsp);
      const id = v.getUint32(BLKIF_RSP.id, true);
      const status = v.getInt16(BLKIF_RSP.status, true);
      this.done.set(id, { op: rsp[BLKIF_RSP.operation]!, status });
      const p = this.pending.get(id);
      if (p !== undefined && rsp[BLKIF_RSP.operation] === 0) {
        const out = new Uint8Array(p.nsect * 512);
        p.pages.forEach((pg, s) => out.set(pg.frame.bytes().subarray(0, Math.min(4096, out.length - s * 4096)), s * 4096));
        this.readData.set(id, out);
      }
      for (const r of p?.refs ?? []) if (!this.g.ungrant(r)) this.leakedGrants++;
      this.pending.delete(id);
    }
  }

  /** Synchronous helpers: one request, pushed and answered. */
  io(op: number, sector: number, data: Uint8Array | null, nsect: number): { status: number; data?: Uint8Array } {
    const id = this.queue(op, sector, data, nsect);
    this.push();
    const d = this.done.get(id);
    if (d === undefined) throw new Error(`request ${id} not answered`);
    return { status: d.status, data: this.readData.get(id) };
  }
}

// ---------------------------------------------------------------------------------------
// netfront

export class ScriptedNetFront {
  readonly xs: GuestXs;
  tx!: FrontRing;
  rx!: FrontRing;
  txPage!: ForeignFrame;
  rxPage!: ForeignFrame;
  port = 0;
  private txId = 0;
  private rxId = 0;
  readonly received: Uint8Array[] = [];
  /** Frames that arrived by page flip (now the guest's). */
  readonly flipped: number[] = [];
  private readonly txPages: { mfn: number; frame: ForeignFrame }[] = [];
  private readonly rxPosted = new Map<number, { mfn: number; frame: ForeignFrame; ref: number }>();
  readonly txStatus: number[] = [];
  private readonly txRefs = new Map<number, number>();
  private readonly rxPool: { mfn: number; frame: ForeignFrame }[] = [];

  constructor(readonly g: ScriptedGuest, readonly flip = false, readonly devid = 0) {
    this.xs = new GuestXs(g);
    for (let i = 0; i < 32; i++) this.txPages.push(g.page());
  }

  get dir(): string { return `device/vif/${this.devid}`; }
  get mac(): string { return this.xs.read(`${this.dir}/mac`); }

  connect(): void {
    const t = this.g.page(), r = this.g.page();
    this.txPage = t.frame; this.rxPage = r.frame;
    this.tx = new FrontRing(sharedPage(t.frame), NETIF_TX_ENTRY);
    this.rx = new FrontRing(sharedPage(r.frame), NETIF_RX_ENTRY);
    const txRef = this.g.grant(0, t.mfn), rxRef = this.g.grant(0, r.mfn);
    this.port = this.g.allocPort();
    const tx = this.xs.start();
    this.xs.write(`${this.dir}/tx-ring-ref`, String(txRef), tx);
    this.xs.write(`${this.dir}/rx-ring-ref`, String(rxRef), tx);
    this.xs.write(`${this.dir}/event-channel`, String(this.port), tx);
    this.xs.write(`${this.dir}/request-rx-copy`, this.flip ? '0' : '1', tx);
    this.xs.write(`${this.dir}/feature-rx-notify`, '1', tx);
    this.xs.end(tx, true);
    this.xs.write(`${this.dir}/state`, '4');
  }

  /** Posts `n` receive buffers (copy: granted pages; flip: accept_transfer grants). */
  postRx(n: number): void {
    const req = new Uint8Array(NETIF_RX_REQ.SIZE);
    const v = new DataView(req.buffer);
    for (let i = 0; i < n && this.rx.freeRequests() > 0; i++) {
      const id = this.rxId++ & 0xffff;
      let ref: number, page = { mfn: 0, frame: null as unknown as ForeignFrame };
      if (this.flip) ref = this.g.acceptTransfer(0);
      else { page = this.rxPool.pop() ?? this.g.page(); ref = this.g.grant(0, page.mfn); }
      this.rxPosted.set(id, { ...page, ref });
      v.setUint16(NETIF_RX_REQ.id, id, true);
      v.setUint32(NETIF_RX_REQ.gref, ref, true);
      this.rx.putRequest(req);
    }
    if (this.rx.pushRequests()) this.g.notify(this.port);
  }

  send(frame: Uint8Array, fragment = 0): void {
    const req = new Uint8Array(NETIF_TX_REQ.SIZE);
    const v = new DataView(req.buffer);
    const pieces = fragment > 0 ? Math.ceil(frame.length / fragment) : 1;
    for (let k = 0; k < pieces; k++) {
      const page = this.txPages[(this.txId) % this.txPages.length]!;
      const part = fragment > 0 ? frame.subarray(k * fragment, (k + 1) * fragment) : frame;
      page.frame.write(0, part);
      const ref = this.g.grant(0, page.mfn, true);
      this.txRefs.set(this.txId & 0xffff, ref);
      v.setUint32(NETIF_TX_REQ.gref, ref, true);
      v.setUint16(NETIF_TX_REQ.offset, 0, true);
      v.setUint16(NETIF_TX_REQ.flags, k + 1 < pieces ? NETTXF_more_data : 0, true);
      v.setUint16(NETIF_TX_REQ.id, this.txId++ & 0xffff, true);
      v.setUint16(NETIF_TX_REQ.size, k === 0 ? frame.length : part.length, true);
      this.tx.putRequest(req);
    }
    if (this.tx.pushRequests()) this.g.notify(this.port);
    this.collect();
  }

  collect(): void {
    const trsp = new Uint8Array(NETIF_TX_ENTRY);
    const tv = new DataView(trsp.buffer);
    while (this.tx.unconsumedResponses() > 0) {
      this.tx.takeResponse(trsp);
      this.txStatus.push(tv.getInt16(NETIF_TX_RSP.status, true));
      const tid = tv.getUint16(NETIF_TX_RSP.id, true), ref = this.txRefs.get(tid);
      if (ref !== undefined) { this.txRefs.delete(tid); this.g.ungrant(ref); }
    }
    const rrsp = new Uint8Array(NETIF_RX_RSP.SIZE);
    const rv = new DataView(rrsp.buffer);
    while (this.rx.unconsumedResponses() > 0) {
      this.rx.takeResponse(rrsp);
      const id = rv.getUint16(NETIF_RX_RSP.id, true), status = rv.getInt16(NETIF_RX_RSP.status, true);
      const posted = this.rxPosted.get(id);
      this.rxPosted.delete(id);
      if (posted === undefined) continue;
      if (!this.flip || status < 0) this.g.ungrant(posted.ref);
      if (status < 0) { if (!this.flip) this.rxPool.push({ mfn: posted.mfn, frame: posted.frame }); continue; }
      if (this.flip) {
        const mfn = this.g.frameField(posted.ref);
        const f = this.g.host.ctl.mapForeign(this.g.domid, mfn);
        this.received.push(f.bytes().slice(0, status));
        this.flipped.push(mfn);
        this.g.recycle(posted.ref);
      } else {
        this.received.push(posted.frame.bytes().slice(0, status));
        this.rxPool.push({ mfn: posted.mfn, frame: posted.frame });
      }
    }
  }
}

export function ethFrame(dst: string, src: string, payload: Uint8Array, type = 0x88b5): Uint8Array {
  const f = new Uint8Array(14 + payload.length);
  const mac = (m: string) => m.split(':').map((h) => parseInt(h, 16));
  f.set(mac(dst), 0); f.set(mac(src), 6);
  f[12] = type >> 8; f[13] = type & 0xff;
  f.set(payload, 14);
  return f;
}

// ---------------------------------------------------------------------------------------
// A PV domain issuing grant_table_op from its own vCPU 0 (paused; pointers are virtual
// addresses in its bootstrap mapping, checked through its own page tables).

import { Call } from '../src/hv/hypercall/call.js';
import { grantTableOp } from '../src/hv/hypercall/grant.js';
import { GuestMemory } from '../src/hv/guest-access.js';
import { SATP_MODE_SV32 } from '../src/machine/rv32/csr.js';
import type { Hart } from '../src/machine/rv32/hart.js';

/** A PV domain acting through hypercalls from its vCPU 0. */
export class PvCaller {
  readonly g: ScriptedGuest;
  readonly mem: GuestMemory;
  private readonly hart: Hart;
  constructor(host: XenHost, name: string) {
    this.g = new ScriptedGuest(host, name);
    const v = this.g.d.vcpus[0]!;
    const satp = (SATP_MODE_SV32 | v.baseMfn) >>> 0;
    this.hart = { satp, mstatus: 0, charge: () => {}, flushTlbs: () => {}, x: new Int32Array(32) } as unknown as Hart;
    this.mem = new GuestMemory(host.machine.ram, satp, 0);
  }
  op(cmd: number, uops: number, count: number): number {
    return grantTableOp(new Call(this.g.host.hv, this.hart, this.g.d.vcpus[0]!), [cmd, uops, count]);
  }
  /** Empties the leaf entry of `va` (as update_va_mapping(va, 0) would). */
  unmapVa(va: number): void {
    const hv = this.g.host.hv;
    const slot = hv.mmu.l1EntryFor(this.g.d.vcpus[0]!.baseMfn, va)!;
    hv.mmu.updateEntry(slot.mfn * 4096 + slot.off, 0, this.g.domid, false);
  }
  pteOf(va: number): number {
    const hv = this.g.host.hv;
    const slot = hv.mmu.l1EntryFor(this.g.d.vcpus[0]!.baseMfn, va)!;
    return hv.mem.read32(slot.mfn, slot.off) >>> 0;
  }
}

