/*
 * blkback: one virtual block device of one frontend, backed by a raw host image file.
 *
 * Control plane (xenbus.ts): publish features and size, go to InitWait; when the
 * frontend is Initialised, map its ring through its grant, bind its event channel and go
 * Connected; when it closes, let go of everything. A frontend that starts over (state 1
 * or 3 again, e.g. after the backend was restarted) is connected afresh.
 *
 * Data plane (`service`, the only code that runs per request): take every request on the
 * ring, copying each out of shared memory before looking at it; split the batch at
 * barriers and flushes — nothing moves across one; within a run, sort by sector and merge
 * adjacent requests of the same direction into one host I/O; answer each request by its
 * id (answers come out of ring order). Data moves through grant mappings of the
 * frontend's pages (read: the backend writes the page, so the grant must be writable).
 *
 * Host I/O is synchronous and completes before the response is published, so an
 * acknowledged write is in the host file (and after a flush or barrier, on stable
 * storage): restarting the backend loses no acknowledged write.
 *
 * Layouts: the frontend's `protocol` key selects the x86-64/ARM layout (native here, and
 * what rv32 guests use) or the i386 one ("x86_32-abi"); requests are decoded in it and
 * responses encoded in it.
 *
 * Faults: a request with a bad grant, bad segment or out-of-range sector gets
 * BLKIF_RSP_ERROR and the next request is served; a write to a read-only disk gets
 * BLKIF_RSP_ERROR; impossible ring indices disconnect this device (state Closing) and
 * count a violation — every other device keeps being served.
 */

import { readSync, writeSync, fsyncSync } from 'node:fs';
import type { Control, GrantMapping } from '../../hv/control.js';
import { GrantError } from '../../hv/grant-table.js';
import type { XsClient } from '../../xenstore/client.js';
import { BackRing, RingError, SRING } from '../ring.js';
import { XenbusBackend, type DevicePaths } from '../xenbus.js';
import {
  BLKIF_ENTRY, BLKIF_MAX_SEGMENTS_PER_REQUEST, BLKIF_OP_FLUSH_DISKCACHE, BLKIF_OP_READ, BLKIF_OP_WRITE,
  BLKIF_OP_WRITE_BARRIER, BLKIF_RSP_EOPNOTSUPP, BLKIF_RSP_ERROR, BLKIF_RSP_OKAY, BLKIF_SEG,
  BLKIF_NATIVE, blkifLayout, type BlkifLayout,
  SECTOR, VDISK_CDROM, VDISK_READONLY,
} from './blkif.js';

export interface BlkStats {
  requests: number;
  reads: number;
  writes: number;
  flushes: number;
  barriers: number;
  errors: number;
  bytesRead: number;
  bytesWritten: number;
  /** Host I/Os issued (fewer than requests when adjacent ones merge). */
  hostIos: number;
  batches: number;
  violations: number;
  /** Time in host I/O calls and in grant map/unmap + copies (ms, wall clock). */
  hostMs: number;
  grantMs: number;
}

interface Seg {
  gref: number;
  first: number;
  last: number;
}

interface Req {
  op: number;
  id: Uint8Array;
  sector: number;
  segs: Seg[];
  nsect: number;
  /** Set when answered. */
  status: number | null;
}

export class BlkBack extends XenbusBackend {
  private ring: BackRing | null = null;
  private ringMap: GrantMapping | null = null;
  private port = -1;
  readonly stats: BlkStats = {
    requests: 0, reads: 0, writes: 0, flushes: 0, barriers: 0, errors: 0, bytesRead: 0, bytesWritten: 0,
    hostIos: 0, batches: 0, violations: 0, hostMs: 0, grantMs: 0,
  };
  /** The request/response layout the frontend's `protocol` names. */
  private layout: BlkifLayout = BLKIF_NATIVE;
  private reqBuf = new Uint8Array(BLKIF_ENTRY);
  /** One host I/O's bytes (grown on demand, reused: no allocation per request). */
  private scratch = Buffer.allocUnsafe(32 * BLKIF_MAX_SEGMENTS_PER_REQUEST * 4096);
  private rspBuf = new Uint8Array(BLKIF_NATIVE.rsp.SIZE);
  private rspView = new DataView(this.rspBuf.buffer);

  constructor(
    private readonly ctl: Control,
    xs: XsClient,
    readonly feDomid: number,
    readonly devid: number,
    paths: DevicePaths,
    private readonly fd: number,
    readonly sectors: number,
    readonly readonly: boolean,
    readonly cdrom = false,
  ) {
    super(xs, paths);
  }

  get connected(): boolean {
    return this.ring !== null;
  }

  /** Publishes the disk's features and properties, goes to InitWait and follows the frontend. */
  start(): void {
    this.announce({
      'feature-flush-cache': '1', 'feature-barrier': '1', 'feature-persistent': '0', 'max-ring-page-order': '0',
      sectors: String(this.sectors), 'sector-size': String(SECTOR), 'physical-sector-size': String(SECTOR),
      info: String((this.readonly ? VDISK_READONLY : 0) | (this.cdrom ? VDISK_CDROM : 0)),
    });
  }

  protected connect(): void {
    const f = this.paths.front;
    const ref = Number(this.xs.read(`${f}/ring-ref`) ?? NaN);
    const evtchn = Number(this.xs.read(`${f}/event-channel`) ?? NaN);
    const proto = this.xs.read(`${f}/protocol`);
    if (!Number.isInteger(ref) || !Number.isInteger(evtchn)) return this.failDevice('frontend published no ring-ref/event-channel');
    const layout = blkifLayout(proto);
    if (layout === null) return this.failDevice(`unsupported protocol ${proto}`);
    this.layout = layout;
    this.reqBuf = new Uint8Array(layout.entry);
    this.rspBuf = new Uint8Array(layout.rsp.SIZE);
    this.rspView = new DataView(this.rspBuf.buffer);
    try {
      this.ringMap = this.ctl.grantMap(this.feDomid, ref, true);
      // Start where the ring is: a restarted backend answers what is still unanswered.
      this.ring = new BackRing(this.ringMap, layout.entry, this.ringMap.read32(SRING.rsp_prod));
      this.port = this.ctl.bindInterdomain(this.feDomid, evtchn, () => this.service());
    } catch (e) {
      this.release();
      return this.failDevice(`cannot connect: ${(e as Error).message}`);
    }
    this.markConnected();
    this.service();
  }

  protected release(): void {
    if (this.port >= 0) { try { this.ctl.close(this.port); } catch { /* domain gone */ } this.port = -1; }
    if (this.ringMap !== null) { this.ringMap.unmap(); this.ringMap = null; }
    this.ring = null;
  }

  // -----------------------------------------------------------------------------------
  // HOT PATH: the ring worker

  service(): void {
    const ring = this.ring;
    if (ring === null || this.ringMap === null || !this.ringMap.alive) return;
    try {
      do {
        const batch: Req[] = [];
        let n = ring.unconsumed();
        while (n-- > 0) {
          ring.copyRequest(this.reqBuf);
          batch.push(this.parse(this.reqBuf));
        }
        if (batch.length > 0) this.execute(batch);
        if (ring.pushResponses()) this.ctl.send(this.port);
      } while (ring.finalCheck());
    } catch (e) {
      if (!(e instanceof RingError)) throw e;
      this.stats.violations++;
      this.release();
      this.failDevice(`ring violation: ${e.message}`);
    }
  }

  private parse(b: Uint8Array): Req {
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const L = this.layout.req;
    const op = b[L.operation]!;
    const nseg = b[L.nr_segments]!;
    const lo = v.getUint32(L.sector_number, true), hi = v.getUint32(L.sector_number + 4, true);
    const req: Req = {
      op, id: b.slice(L.id, L.id + 8), sector: hi * 0x100000000 + lo, segs: [], nsect: 0, status: null,
    };
    if (nseg > BLKIF_MAX_SEGMENTS_PER_REQUEST) { req.status = BLKIF_RSP_ERROR; return req; }
    for (let i = 0; i < nseg; i++) {
      const o = L.seg + i * BLKIF_SEG.SIZE;
      const seg = { gref: v.getUint32(o + BLKIF_SEG.gref, true), first: b[o + BLKIF_SEG.first_sect]!, last: b[o + BLKIF_SEG.last_sect]! };
      if (seg.first > seg.last || seg.last > 7) { req.status = BLKIF_RSP_ERROR; return req; }
      req.segs.push(seg);
      req.nsect += seg.last - seg.first + 1;
    }
    switch (op) {
      case BLKIF_OP_READ: case BLKIF_OP_WRITE:
        if (nseg === 0) req.status = BLKIF_RSP_ERROR;
        break;
      case BLKIF_OP_WRITE_BARRIER: case BLKIF_OP_FLUSH_DISKCACHE:
        break;
      default:
        req.status = BLKIF_RSP_EOPNOTSUPP;
    }
    if (req.status === null && op !== BLKIF_OP_READ && op !== BLKIF_OP_FLUSH_DISKCACHE && this.readonly) req.status = BLKIF_RSP_ERROR;
    // A pure flush or barrier (no segments) carries no range to check.
    if (req.status === null && req.nsect > 0 && req.sector + req.nsect > this.sectors) req.status = BLKIF_RSP_ERROR;
    return req;
  }

  private execute(batch: Req[]): void {
    this.stats.batches++;
    let run: Req[] = [];
    for (const r of batch) {
      this.stats.requests++;
      if (r.status !== null) { this.respond(r); continue; }
      if (r.op === BLKIF_OP_WRITE_BARRIER || r.op === BLKIF_OP_FLUSH_DISKCACHE) {
        // Everything before completes first; nothing after starts before it.
        this.runIo(run);
        run = [];
        if (r.op === BLKIF_OP_WRITE_BARRIER) { this.stats.barriers++; if (r.segs.length > 0) this.runIo([r], true); }
        else this.stats.flushes++;
        if (r.status === null || r.status === BLKIF_RSP_OKAY) {
          const t = performance.now();
          fsyncSync(this.fd);
          this.stats.hostMs += performance.now() - t;
          r.status = BLKIF_RSP_OKAY;
        }
        this.respond(r);
        continue;
      }
      run.push(r);
    }
    this.runIo(run);
  }

  /** Performs reads and writes sorted by sector, adjacent ones merged into one host I/O. */
  private runIo(run: Req[], barrierWrite = false): void {
    if (run.length === 0) return;
    const sorted = run.length > 1 ? [...run].sort((a, b) => a.sector - b.sector) : run;
    let i = 0;
    while (i < sorted.length) {
      let j = i + 1;
      const isRead = sorted[i]!.op === BLKIF_OP_READ;
      let end = sorted[i]!.sector + sorted[i]!.nsect;
      while (j < sorted.length && (sorted[j]!.op === BLKIF_OP_READ) === isRead && sorted[j]!.sector === end) {
        end += sorted[j]!.nsect;
        j++;
      }
      this.ioGroup(sorted.slice(i, j), isRead);
      i = j;
    }
    for (const r of sorted) if (!(barrierWrite && r.op === BLKIF_OP_WRITE_BARRIER)) this.respond(r);
  }

  /** One host I/O for requests covering contiguous sectors. */
  private ioGroup(group: Req[], isRead: boolean): void {
    const first = group[0]!.sector;
    let total = 0;
    for (const r of group) total += r.nsect * SECTOR;
    if (this.scratch.length < total) this.scratch = Buffer.allocUnsafe(Math.max(total, this.scratch.length * 2));
    const buf = this.scratch.subarray(0, total);
    // Map every segment first: a bad grant fails its request before any I/O.
    const t0 = performance.now();
    const maps: (GrantMapping | null)[][] = group.map((r) => r.segs.map((s) => {
      try {
        return this.ctl.grantMap(this.feDomid, s.gref, isRead);
      } catch (e) {
        if (!(e instanceof GrantError)) throw e;
        r.status = BLKIF_RSP_ERROR;
        return null;
      }
    }));
    this.stats.grantMs += performance.now() - t0;
    try {
      if (!isRead) {
        let o = 0;
        group.forEach((r, k) => {
          for (let s = 0; s < r.segs.length; s++) {
            const seg = r.segs[s]!, m = maps[k]![s];
            const len = (seg.last - seg.first + 1) * SECTOR;
            if (m !== null && m !== undefined) m.read(seg.first * SECTOR, buf, o, len);
            o += len;
          }
        });
      }
      // A failed request in the middle splits the I/O: issue only the good requests' ranges.
      const t1 = performance.now();
      let o = 0;
      let runStart = -1, runOff = 0;
      const flushRun = (upto: number): void => {
        if (runStart < 0) return;
        const len = upto - runOff;
        const pos = runStart * SECTOR;
        if (isRead) {
          const got = readSync(this.fd, buf, runOff, len, pos);
          if (got < len) buf.fill(0, runOff + got, runOff + len);
        } else {
          writeSync(this.fd, buf, runOff, len, pos);
        }
        this.stats.hostIos++;
        runStart = -1;
      };
      for (const r of group) {
        if (r.status === null) {
          if (runStart < 0) { runStart = first + o / SECTOR; runOff = o; }
        } else {
          flushRun(o);
        }
        o += r.nsect * SECTOR;
      }
      flushRun(o);
      this.stats.hostMs += performance.now() - t1;
      const t2 = performance.now();
      if (isRead) {
        o = 0;
        group.forEach((r, k) => {
          for (let s = 0; s < r.segs.length; s++) {
            const seg = r.segs[s]!, m = maps[k]![s];
            const len = (seg.last - seg.first + 1) * SECTOR;
            if (r.status === null && m !== null && m !== undefined) m.write(seg.first * SECTOR, buf.subarray(o, o + len));
            o += len;
          }
        });
      }
      this.stats.grantMs += performance.now() - t2;
    } finally {
      const t3 = performance.now();
      for (const row of maps) for (const m of row) m?.unmap();
      this.stats.grantMs += performance.now() - t3;
    }
    for (const r of group) {
      if (r.status !== null) continue;
      r.status = BLKIF_RSP_OKAY;
      if (isRead) { this.stats.reads++; this.stats.bytesRead += r.nsect * SECTOR; }
      else { this.stats.writes++; this.stats.bytesWritten += r.nsect * SECTOR; }
    }
  }

  private respond(r: Req): void {
    const st = r.status ?? BLKIF_RSP_ERROR;
    if (st !== BLKIF_RSP_OKAY) this.stats.errors++;
    this.rspBuf.fill(0);
    const L = this.layout.rsp;
    this.rspBuf.set(r.id, L.id);
    this.rspBuf[L.operation] = r.op;
    this.rspView.setInt16(L.status, st, true);
    this.ring!.putResponse(this.rspBuf);
  }
}
