/*
 * A domain's shared_info page as the hypervisor reads and writes it (fact sheet §2,
 * x86-64 layout, docs/pv-abi.md): the event bitmaps, each vCPU's vcpu_info (upcall
 * pending/mask, selector, time), and the wallclock. Only layout and bit arithmetic live
 * here; what an event *does* (wake, kick, upcall) is the hypervisor's.
 *
 * Ports map onto bytes directly: 64-bit little-endian words make port p byte p/8, bit
 * p%8, and selector bit w (for word w = p/64) byte w/8 of evtchn_pending_sel.
 */

import type { MachineMemory } from './mm/machine-memory.js';
import { LEGACY_MAX_VCPUS, SHARED_INFO, VCPU_INFO, VCPU_TIME_INFO } from './abi/layout.js';

/** vcpu_time_info for a 10 MHz time base: ns = ((Δ << 7) · mul) >> 32 = 100 · Δ. */
const TSC_SHIFT = 7, TSC_MUL = 3355443200;
const XEN_PVCLOCK_TSC_STABLE_BIT = 1;

export class SharedInfoPages {
  constructor(private readonly mem: MachineMemory) {}

  /** Sets port's pending bit in page `si`; true if it was already set (no new edge). */
  testAndSetPending(si: number, port: number): boolean {
    return this.testAndSet(si, SHARED_INFO.evtchn_pending + (port >>> 3), 1 << (port & 7));
  }

  isPending(si: number, port: number): boolean {
    return (this.mem.read8(si, SHARED_INFO.evtchn_pending + (port >>> 3)) & (1 << (port & 7))) !== 0;
  }

  isMasked(si: number, port: number): boolean {
    return (this.mem.read8(si, SHARED_INFO.evtchn_mask + (port >>> 3)) & (1 << (port & 7))) !== 0;
  }

  /** Clears port's mask bit; true if it was set. */
  testAndClearMask(si: number, port: number): boolean {
    const off = SHARED_INFO.evtchn_mask + (port >>> 3), bit = 1 << (port & 7);
    const m = this.mem.read8(si, off);
    if ((m & bit) === 0) return false;
    this.mem.write8(si, off, m & ~bit);
    return true;
  }

  /** Sets vCPU `vcpu`'s selector bit for port's word; true if it was already set. */
  testAndSetSelector(si: number, vcpu: number, port: number): boolean {
    const word = port >>> 6;
    return this.testAndSet(si, vcpu * VCPU_INFO.SIZE + VCPU_INFO.evtchn_pending_sel + (word >>> 3), 1 << (word & 7));
  }

  /** Sets evtchn_upcall_pending; true if it was already set. */
  testAndSetUpcallPending(si: number, vcpu: number): boolean {
    const off = vcpu * VCPU_INFO.SIZE + VCPU_INFO.evtchn_upcall_pending;
    if (this.mem.read8(si, off) !== 0) return true;
    this.mem.write8(si, off, 1);
    return false;
  }

  upcallPending(si: number, vcpu: number): boolean {
    return this.mem.read8(si, vcpu * VCPU_INFO.SIZE + VCPU_INFO.evtchn_upcall_pending) !== 0;
  }

  upcallMasked(si: number, vcpu: number): boolean {
    return this.mem.read8(si, vcpu * VCPU_INFO.SIZE + VCPU_INFO.evtchn_upcall_mask) !== 0;
  }

  setUpcallMask(si: number, vcpu: number, masked: boolean): void {
    this.mem.write8(si, vcpu * VCPU_INFO.SIZE + VCPU_INFO.evtchn_upcall_mask, masked ? 1 : 0);
  }

  /** Whether vCPU `vcpu` has a vcpu_info slot in shared_info (the legacy 32). */
  hasSlot(vcpu: number): boolean {
    return vcpu < LEGACY_MAX_VCPUS;
  }

  /** Writes vcpu_time_info for time-base value `mtime` (seqlock: version odd while writing). */
  writeTimeInfo(si: number, vcpu: number, mtime: number, nsPerTick: number): void {
    const base = vcpu * VCPU_INFO.SIZE + VCPU_INFO.time;
    const version = this.mem.read32(si, base + VCPU_TIME_INFO.version) | 1;
    this.mem.write32(si, base + VCPU_TIME_INFO.version, version);
    this.write64(si, base + VCPU_TIME_INFO.tsc_timestamp, mtime);
    this.write64(si, base + VCPU_TIME_INFO.system_time, mtime * nsPerTick);
    this.mem.write32(si, base + VCPU_TIME_INFO.tsc_to_system_mul, TSC_MUL | 0);
    this.mem.write8(si, base + VCPU_TIME_INFO.tsc_shift, TSC_SHIFT);
    this.mem.write8(si, base + VCPU_TIME_INFO.flags, XEN_PVCLOCK_TSC_STABLE_BIT);
    this.mem.write32(si, base + VCPU_TIME_INFO.version, (version + 1) | 0);
  }

  /** The wallclock at system time 0, under wc_version's seqlock. */
  writeWallclock(si: number, sec: number): void {
    const version = this.mem.read32(si, SHARED_INFO.wc_version) | 1;
    this.mem.write32(si, SHARED_INFO.wc_version, version);
    this.mem.write32(si, SHARED_INFO.wc_sec, sec % 0x100000000);
    this.mem.write32(si, SHARED_INFO.wc_nsec, 0);
    this.mem.write32(si, SHARED_INFO.wc_sec_hi, Math.floor(sec / 0x100000000));
    this.mem.write32(si, SHARED_INFO.wc_version, version + 1);
  }

  private testAndSet(si: number, off: number, bit: number): boolean {
    const b = this.mem.read8(si, off);
    if ((b & bit) !== 0) return true;
    this.mem.write8(si, off, b | bit);
    return false;
  }

  private write64(mfn: number, off: number, value: number): void {
    this.mem.write32(mfn, off, value % 0x100000000);
    this.mem.write32(mfn, off + 4, Math.floor(value / 0x100000000));
  }
}
