/*
 * netback: one virtual interface of one guest, a port on a Domain 0 bridge.
 *
 * Control plane: publish features (feature-rx-copy, feature-rx-flip, feature-sg), go to
 * InitWait; when the frontend is Connected (netfront skips Initialised) map its tx and
 * rx rings through their grants and bind its event channel. `request-rx-copy`=1 selects
 * copy mode; otherwise the paper's page flipping (feature-rx-flip).
 *
 * Transmit (guest → bridge): each packet is a chain of tx requests (NETTXF_more_data),
 * possibly with extra-info slots (answered NETIF_RSP_NULL); each request is copied out
 * of the ring before it is checked, the data copied out of the granted pages with
 * hypervisor-checked grant copies, every slot answered by id, and the frame handed to
 * the bridge.
 *
 * Receive (bridge → guest): the guest posts rx requests, each naming a granted page.
 *   copy mode  the frame is copied into the page (grant copy); frames wait in a small
 *              queue (RX_QUEUE) for posted buffers, beyond which they are dropped
 *   flip mode  a fresh page holding the frame is given to the guest through its
 *              accept_transfer grant (gnttab_transfer): no copy into guest memory; with
 *              no page posted the frame is dropped and counted, as in the paper
 * The response goes into the slot of the request it answers.
 *
 * Faults: a bad grant or a malformed packet gets NETIF_RSP_ERROR for its slots; impossible
 * ring indices disconnect this interface only.
 */

import type { Control, GrantMapping } from '../../hv/control.js';
import { GrantError } from '../../hv/grant-table.js';
import type { XsClient } from '../../xenstore/client.js';
import { BackRing, RingError, SRING } from '../ring.js';
import { XenbusBackend, type DevicePaths } from '../xenbus.js';
import type { Bridge, BridgePort } from './bridge.js';
import type { VifSpec } from './vif-spec.js';
import {
  NETIF_RSP_ERROR, NETIF_RSP_NULL, NETIF_RSP_OKAY, NETIF_RX_ENTRY, NETIF_RX_REQ, NETIF_RX_RSP, NETIF_TX_ENTRY,
  NETIF_TX_REQ, NETIF_TX_RSP, NETTXF_extra_info, NETTXF_more_data, XEN_NETIF_EXTRA_FLAG_MORE, XEN_NETIF_NR_SLOTS_MIN,
  NETTXF_csum_blank, NETTXF_data_validated, NETRXF_csum_blank, NETRXF_data_validated,
} from './netif.js';

const RX_QUEUE = 64;

/**
 * Checksum state travelling with a frame from its sender to its receivers (Linux's
 * ip_summed): a frame sent with NETTXF_csum_blank arrives with NETRXF_csum_blank |
 * NETRXF_data_validated, so a receiver does not drop it for a checksum the sender left
 * to be filled in; NETTXF_data_validated becomes NETRXF_data_validated.
 */
const rxFlagsOf = new WeakMap<Uint8Array, number>();
const MAX_FRAME = 65535;

export interface NetStats {
  txPackets: number;
  txBytes: number;
  txErrors: number;
  rxPackets: number;
  rxBytes: number;
  /** Frames dropped because the guest had posted no receive buffer. */
  rxDropped: number;
  rxErrors: number;
  flips: number;
  violations: number;
}

export class NetBack extends XenbusBackend implements BridgePort {
  readonly name: string;
  private tx: BackRing | null = null;
  private rx: BackRing | null = null;
  private txMap: GrantMapping | null = null;
  private rxMap: GrantMapping | null = null;
  private port = -1;
  flip = false;
  private readonly rxQueue: Uint8Array[] = [];
  readonly stats: NetStats = {
    txPackets: 0, txBytes: 0, txErrors: 0, rxPackets: 0, rxBytes: 0, rxDropped: 0, rxErrors: 0, flips: 0, violations: 0,
  };
  private readonly txReq = new Uint8Array(NETIF_TX_ENTRY);
  private readonly txReqV = new DataView(this.txReq.buffer);
  private readonly txRsp = new Uint8Array(NETIF_TX_ENTRY);
  private readonly txRspV = new DataView(this.txRsp.buffer);
  private readonly rxReq = new Uint8Array(NETIF_RX_ENTRY);
  private readonly rxReqV = new DataView(this.rxReq.buffer);
  private readonly rxRsp = new Uint8Array(NETIF_RX_ENTRY);
  private readonly rxRspV = new DataView(this.rxRsp.buffer);

  constructor(
    private readonly ctl: Control,
    xs: XsClient,
    readonly feDomid: number,
    readonly devid: number,
    paths: DevicePaths,
    readonly spec: VifSpec,
    readonly bridge: Bridge,
  ) {
    super(xs, paths);
    this.name = `vif${feDomid}.${devid}`;
  }

  get connected(): boolean {
    return this.tx !== null;
  }

  start(): void {
    this.bridge.addPort(this);
    this.announce({
      'feature-rx-copy': '1', 'feature-rx-flip': '1', 'feature-sg': '1', 'feature-gso-tcpv4': '0',
      'feature-split-event-channels': '0', 'multi-queue-max-queues': '1',
    });
  }

  protected connect(): void {
    const f = this.paths.front;
    const txRef = Number(this.xs.read(`${f}/tx-ring-ref`) ?? NaN);
    const rxRef = Number(this.xs.read(`${f}/rx-ring-ref`) ?? NaN);
    const evtchn = Number(this.xs.read(`${f}/event-channel`) ?? NaN);
    if (!Number.isInteger(txRef) || !Number.isInteger(rxRef) || !Number.isInteger(evtchn)) {
      return this.failDevice('frontend published no tx-ring-ref/rx-ring-ref/event-channel');
    }
    this.flip = this.xs.read(`${f}/request-rx-copy`) !== '1';
    try {
      this.txMap = this.ctl.grantMap(this.feDomid, txRef, true);
      this.rxMap = this.ctl.grantMap(this.feDomid, rxRef, true);
      this.tx = new BackRing(this.txMap, NETIF_TX_ENTRY, this.txMap.read32(SRING.rsp_prod));
      this.rx = new BackRing(this.rxMap, NETIF_RX_ENTRY, this.rxMap.read32(SRING.rsp_prod));
      this.port = this.ctl.bindInterdomain(this.feDomid, evtchn, () => this.service());
    } catch (e) {
      this.release();
      return this.failDevice(`cannot connect: ${(e as Error).message}`);
    }
    this.markConnected();
    this.service();
  }

  protected release(): void {
    if (this.port >= 0) { try { this.ctl.close(this.port); } catch { /* gone */ } this.port = -1; }
    this.txMap?.unmap();
    this.rxMap?.unmap();
    this.txMap = this.rxMap = null;
    this.tx = this.rx = null;
    this.rxQueue.length = 0;
  }

  override stop(): void {
    this.bridge.removePort(this);
    super.stop();
  }

  // -----------------------------------------------------------------------------------
  // HOT PATH: ring workers

  /** The guest notified: transmit what it queued, refill receive buffers, switch. */
  service(): void {
    if (this.tx === null) return;
    try {
      this.serviceTx();
      this.flushRx();
    } catch (e) {
      if (!(e instanceof RingError)) throw e;
      this.stats.violations++;
      this.release();
      this.failDevice(`ring violation: ${e.message}`);
      return;
    }
    this.bridge.service();
  }

  private serviceTx(): void {
    const ring = this.tx!;
    let notify = false;
    do {
      let n = ring.unconsumed();
      while (n > 0) {
        n -= this.onePacket(ring, n);
      }
      if (ring.pushResponses()) notify = true;
    } while (ring.finalCheck());
    if (notify) this.ctl.send(this.port);
  }

  /** Consumes one packet's slots (at most `avail`); returns how many were consumed. */
  private onePacket(ring: BackRing, avail: number): number {
    const slots: { id: number; gref: number; offset: number; size: number; extra: boolean }[] = [];
    let total = 0;
    let more = true, extraNext = false, bad = '', firstFlags = 0;
    while (more && slots.length < avail) {
      ring.copyRequest(this.txReq);
      const v = this.txReqV;
      const id = v.getUint16(NETIF_TX_REQ.id, true);
      if (extraNext) {
        // An extra-info slot: {type u8, flags u8, ...}; more extras follow while MORE is set.
        slots.push({ id, gref: 0, offset: 0, size: 0, extra: true });
        extraNext = (this.txReq[1]! & XEN_NETIF_EXTRA_FLAG_MORE) !== 0;
        continue;
      }
      const flags = v.getUint16(NETIF_TX_REQ.flags, true);
      const slot = {
        id, gref: v.getUint32(NETIF_TX_REQ.gref, true), offset: v.getUint16(NETIF_TX_REQ.offset, true),
        size: v.getUint16(NETIF_TX_REQ.size, true), extra: false,
      };
      if (slots.length === 0) { total = slot.size; firstFlags = flags; }
      slots.push(slot);
      extraNext = (flags & NETTXF_extra_info) !== 0;
      more = (flags & NETTXF_more_data) !== 0 || extraNext;
    }
    if (more) bad = 'packet runs past the published requests';
    const data = slots.filter((s) => !s.extra);
    if (data.length > XEN_NETIF_NR_SLOTS_MIN) bad = `packet of ${data.length} slots`;
    // The first slot's own length is the total minus the others.
    let rest = 0;
    for (let i = 1; i < data.length; i++) rest += data[i]!.size;
    if (bad === '' && (total < 14 || total > MAX_FRAME || rest > total)) bad = `bad packet size ${total}`;
    const frame = bad === '' ? new Uint8Array(total) : null;
    if (frame !== null) {
      let o = 0;
      for (let i = 0; i < data.length; i++) {
        const s = data[i]!;
        const len = i === 0 ? total - rest : s.size;
        if (s.offset + len > 4096) { bad = 'fragment crosses its page'; break; }
        try {
          this.ctl.grantCopyFrom(this.feDomid, s.gref, s.offset, frame, o, len);
        } catch (e) {
          if (!(e instanceof GrantError)) throw e;
          bad = `grant ${s.gref}: ${e.message}`;
          break;
        }
        o += len;
      }
    }
    for (const s of slots) {
      this.txRsp.fill(0);
      this.txRspV.setUint16(NETIF_TX_RSP.id, s.id, true);
      this.txRspV.setInt16(NETIF_TX_RSP.status, s.extra ? NETIF_RSP_NULL : bad === '' ? NETIF_RSP_OKAY : NETIF_RSP_ERROR, true);
      ring.putResponse(this.txRsp);
    }
    if (bad !== '' || frame === null) { this.stats.txErrors++; return slots.length; }
    this.stats.txPackets++;
    this.stats.txBytes += total;
    const rxFlags = ((firstFlags & NETTXF_csum_blank) !== 0 ? NETRXF_csum_blank | NETRXF_data_validated : 0) |
      ((firstFlags & NETTXF_data_validated) !== 0 ? NETRXF_data_validated : 0);
    if (rxFlags !== 0) rxFlagsOf.set(frame, rxFlags);
    this.bridge.input(this, frame);
    return slots.length;
  }

  /** The bridge sends a frame to this guest. */
  deliver(frame: Uint8Array): void {
    if (this.rx === null) { this.stats.rxDropped++; return; }
    if (frame.length > 4096) { this.stats.rxDropped++; return; }
    if (this.flip) {
      // Flip: a packet needs a posted page now; otherwise it is dropped.
      this.rxQueue.push(frame);
      try { this.flushRx(); } catch (e) { if (e instanceof RingError) this.ringFault(e); else throw e; }
      if (this.rxQueue.length > 0) { this.stats.rxDropped += this.rxQueue.length; this.rxQueue.length = 0; }
      return;
    }
    if (this.rxQueue.length >= RX_QUEUE) { this.stats.rxDropped++; return; }
    this.rxQueue.push(frame);
    try { this.flushRx(); } catch (e) { if (e instanceof RingError) this.ringFault(e); else throw e; }
  }

  private ringFault(e: RingError): void {
    this.stats.violations++;
    this.release();
    this.failDevice(`ring violation: ${e.message}`);
  }

  private flushRx(): void {
    const ring = this.rx;
    if (ring === null || this.rxQueue.length === 0) return;
    let n = ring.unconsumed();
    let produced = false;
    while (n > 0 && this.rxQueue.length > 0) {
      const frame = this.rxQueue.shift()!;
      ring.copyRequest(this.rxReq);
      n--;
      const id = this.rxReqV.getUint16(NETIF_RX_REQ.id, true), gref = this.rxReqV.getUint32(NETIF_RX_REQ.gref, true);
      let status = frame.length;
      try {
        if (this.flip) { this.ctl.grantTransfer(this.feDomid, gref, frame); this.stats.flips++; }
        else this.ctl.grantCopyTo(this.feDomid, gref, 0, frame);
        this.stats.rxPackets++;
        this.stats.rxBytes += frame.length;
      } catch (e) {
        if (!(e instanceof GrantError)) throw e;
        status = NETIF_RSP_ERROR;
        this.stats.rxErrors++;
      }
      this.rxRsp.fill(0);
      this.rxRspV.setUint16(NETIF_RX_RSP.id, id, true);
      this.rxRspV.setUint16(NETIF_RX_RSP.offset, 0, true);
      if (status >= 0) this.rxRspV.setUint16(NETIF_RX_RSP.flags, rxFlagsOf.get(frame) ?? 0, true);
      this.rxRspV.setInt16(NETIF_RX_RSP.status, status, true);
      ring.putResponse(this.rxRsp);
      produced = true;
    }
    if (produced && ring.pushResponses()) this.ctl.send(this.port);
    if (this.rxQueue.length > 0) {
      // Ask to be told when buffers are posted.
      ring.finalCheck();
    }
  }
}
