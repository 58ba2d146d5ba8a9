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
  return parseConfig(`name = "${name}"\nkernel = "minios-pv.elf"\nmemory = 8\nmaxmem = 12\n${extra}`, `${name}.cfg`);
}

export class ScriptedGuest {
  readonly rec: GuestRecord;
  readonly d: Domain;
  private nextPfn: number;
  private nextRef = 8;
  private readonly gframes: number[];

  constructor(readonly host: XenHost, name: string, extra = '') {
    this.rec = host.create(guestConfig(name, extra), { kernel: MINIOS, paused: true });
    this.d = host.hv.domains.get(this.rec.domid)!;
    this.nextPfn = this.rec.built.p2m.length - 1;
    this.gframes = grantTables(host.hv).setup(this.d, 2);
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
  grant(domid: number, mfn: number, readonly = false, ref = this.nextRef++): number {
    const { frame, off } = this.entry(ref);
    frame.write32(off, domid << 16);
    frame.write32(off + 4, mfn);
    frame.write32(off, (domid << 16) | GTF_permit_access | (readonly ? GTF_readonly : 0));
    return ref;
  }

  acceptTransfer(domid: number, ref = this.nextRef++): number {
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
