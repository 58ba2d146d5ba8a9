/*
 * The generic shared ring (io/ring.h, fact sheet §9), both ends, for every split driver.
 *
 *   page:  req_prod @0  req_event @4  rsp_prod @8  rsp_event @12  pad to 64  ring[] @64
 *
 *            front                                   back
 *   req_prod_pvt ──▶ ring[i & (n-1)] ──▶ req_cons         requests
 *   rsp_cons ◀──── ring[i & (n-1)] ◀── rsp_prod_pvt       responses (reuse the slots)
 *
 * Indices are free-running u32 and wrap; a slot is `idx & (size - 1)`. A side publishes by
 * storing its private producer into the shared one, and notifies only if the peer's
 * `*_event` lies in (old, new] — the peer sets `req_event`/`rsp_event` to one past what it
 * has consumed before it sleeps, then looks again (the final check), so no wake-up is
 * lost and most are skipped.
 *
 * The other side is untrusted. The backend copies each request out of the shared page
 * before it looks at it (RING_COPY_REQUEST: the frontend may change the slot meanwhile),
 * and a producer index more than a ring ahead of what was answered is a broken or hostile
 * frontend: `RingError`, after which the backend disconnects that device only.
 *
 * HOT PATH: one BackRing call per request; no allocation (the caller passes the buffer).
 */

/** What a ring page is to the code that drives it: a grant mapping, or a guest's own frame. */
export interface SharedPage {
  read32(offset: number): number;
  write32(offset: number, value: number): void;
  /** The page's bytes, for reading. */
  view(): Uint8Array;
  write(offset: number, bytes: Uint8Array): void;
}

export const SRING = { req_prod: 0, req_event: 4, rsp_prod: 8, rsp_event: 12, pvt: 16, ring: 64 } as const;

/** RING_SIZE: entries in a ring of `pages` pages with `entrySize`-byte slots (power of two). */
export function ringSize(entrySize: number, pages = 1): number {
  const n = Math.floor((4096 * pages - SRING.ring) / entrySize);
  return 2 ** Math.floor(Math.log2(n));
}

export class RingError extends Error {}

/** The backend's end: consumes requests, produces responses. */
export class BackRing {
  reqCons = 0;
  rspProdPvt = 0;
  readonly size: number;

  constructor(readonly page: SharedPage, readonly entrySize: number, start = 0) {
    this.size = ringSize(entrySize);
    this.reqCons = this.rspProdPvt = start >>> 0;
  }

  /** Requests waiting (RING_UNCONSUMED_REQUESTS); throws RingError on impossible indices. */
  unconsumed(): number {
    const prod = this.page.read32(SRING.req_prod) >>> 0;
    if (((prod - this.rspProdPvt) >>> 0) > this.size) {
      throw new RingError(`request producer ${prod} is more than ${this.size} ahead of responses ${this.rspProdPvt}`);
    }
    const reqs = (prod - this.reqCons) >>> 0;
    const room = this.size - ((this.reqCons - this.rspProdPvt) >>> 0);
    return Math.min(reqs, room);
  }

  /** Copies the next request into `dst` (entrySize bytes) and consumes it (RING_COPY_REQUEST). */
  copyRequest(dst: Uint8Array): void {
    const off = SRING.ring + (this.reqCons & (this.size - 1)) * this.entrySize;
    dst.set(this.page.view().subarray(off, off + this.entrySize));
    this.reqCons = (this.reqCons + 1) >>> 0;
  }

  /** Writes the next response into its slot (not yet visible). */
  putResponse(rsp: Uint8Array): void {
    const off = SRING.ring + (this.rspProdPvt & (this.size - 1)) * this.entrySize;
    this.page.write(off, rsp);
    this.rspProdPvt = (this.rspProdPvt + 1) >>> 0;
  }

  /** Writes a response into the slot of request index `idx` (netif rx answers in place). */
  putResponseAt(idx: number, rsp: Uint8Array): void {
    this.page.write(SRING.ring + (idx & (this.size - 1)) * this.entrySize, rsp);
  }

  /** RING_PUSH_RESPONSES_AND_CHECK_NOTIFY. */
  pushResponses(): boolean {
    const old = this.page.read32(SRING.rsp_prod) >>> 0, nw = this.rspProdPvt;
    this.page.write32(SRING.rsp_prod, nw | 0);
    const ev = this.page.read32(SRING.rsp_event) >>> 0;
    return ((nw - ev) >>> 0) < ((nw - old) >>> 0);
  }

  /** RING_FINAL_CHECK_FOR_REQUESTS: true if more work arrived; otherwise arms req_event. */
  finalCheck(): boolean {
    if (this.unconsumed() > 0) return true;
    this.page.write32(SRING.req_event, (this.reqCons + 1) | 0);
    return this.unconsumed() > 0;
  }
}

/** The frontend's end (the guest side; scripted guests in tests and benchmarks use it). */
export class FrontRing {
  reqProdPvt = 0;
  rspCons = 0;
  readonly size: number;

  constructor(readonly page: SharedPage, readonly entrySize: number, init = true) {
    this.size = ringSize(entrySize);
    if (init) {
      // SHARED_RING_INIT: producers 0, events 1, padding zeroed.
      this.page.write(0, new Uint8Array(SRING.ring));
      this.page.write32(SRING.req_event, 1);
      this.page.write32(SRING.rsp_event, 1);
    }
  }

  freeRequests(): number {
    return this.size - ((this.reqProdPvt - this.rspCons) >>> 0);
  }

  /** Writes the next request into its slot (not yet visible); returns its index. */
  putRequest(req: Uint8Array): number {
    const idx = this.reqProdPvt;
    this.page.write(SRING.ring + (idx & (this.size - 1)) * this.entrySize, req);
    this.reqProdPvt = (idx + 1) >>> 0;
    return idx;
  }

  /** RING_PUSH_REQUESTS_AND_CHECK_NOTIFY. */
  pushRequests(): boolean {
    const old = this.page.read32(SRING.req_prod) >>> 0, nw = this.reqProdPvt;
    this.page.write32(SRING.req_prod, nw | 0);
    const ev = this.page.read32(SRING.req_event) >>> 0;
    return ((nw - ev) >>> 0) < ((nw - old) >>> 0);
  }

  unconsumedResponses(): number {
    const prod = this.page.read32(SRING.rsp_prod) >>> 0;
    const n = (prod - this.rspCons) >>> 0;
    if (n > this.size) throw new RingError(`response producer ${prod} is more than a ring ahead`);
    return n;
  }

  /** Copies the next response out (its slot index is `rspCons` before the call). */
  takeResponse(dst: Uint8Array): number {
    const idx = this.rspCons;
    const off = SRING.ring + (idx & (this.size - 1)) * this.entrySize;
    dst.set(this.page.view().subarray(off, off + dst.length));
    this.rspCons = (idx + 1) >>> 0;
    return idx;
  }

  /** RING_FINAL_CHECK_FOR_RESPONSES. */
  finalCheck(): boolean {
    if (this.unconsumedResponses() > 0) return true;
    this.page.write32(SRING.rsp_event, (this.rspCons + 1) | 0);
    return this.unconsumedResponses() > 0;
  }
}
