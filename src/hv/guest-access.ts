/*
 * copy_from_guest / copy_to_guest: the hypervisor reads and writes a vCPU's memory by
 * virtual address, through the guest's own page tables with its own permissions (an
 * S-mode access with SUM set, so a kernel may pass pointers into its processes). A
 * pointer the guest could not use itself — unmapped, read-only for a write, in the
 * hypervisor's window — fails with EFAULT and nothing is written.
 */

import type { Ram } from '../machine/rv32/bus.js';
import { Access, translate } from '../machine/rv32/mmu.js';
import { Mode, Mstatus } from '../machine/rv32/csr.js';
import { Errno, XenError } from './abi/xen.js';

export class GuestMemory {
  constructor(private readonly ram: Ram, private readonly satp: number, private readonly mstatus: number) {}

  /** RAM byte offset of guest virtual address `va`, checked for `access`. */
  private at(va: number, access: Access, len: number): number {
    if (len > 0 && (((va >>> 0) & 0xfff) + len) > 4096) throw new Error('GuestMemory.at: access crosses a page');
    const pa = translate(this.ram, va | 0, access, Mode.S, this.satp, this.mstatus | Mstatus.SUM);
    if (pa < 0 || !this.ram.contains(pa, Math.max(len, 1))) {
      throw new XenError(Errno.EFAULT, `bad guest address 0x${(va >>> 0).toString(16)}`);
    }
    return pa - this.ram.base;
  }

  u8(va: number): number { return this.ram.u8[this.at(va, Access.LOAD, 1)]!; }

  u16(va: number): number {
    if (va & 1) return this.u8(va) | (this.u8(va + 1) << 8);
    return this.ram.u16[this.at(va, Access.LOAD, 2) >>> 1]!;
  }

  u32(va: number): number {
    if (va & 3) return (this.u16(va) | (this.u16(va + 2) << 16)) >>> 0;
    return this.ram.i32[this.at(va, Access.LOAD, 4) >>> 2]! >>> 0;
  }

  /** A u64 field as a number (exact below 2^53; larger values saturate to Infinity for checks). */
  u64(va: number): number {
    const lo = this.u32(va), hi = this.u32(va + 4);
    return hi >= 0x200000 ? Infinity : hi * 0x100000000 + lo;
  }

  bytes(va: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    let done = 0;
    while (done < len) {
      const a = (va + done) >>> 0;
      const n = Math.min(len - done, 4096 - (a & 0xfff));
      const off = this.at(a, Access.LOAD, n);
      out.set(this.ram.u8.subarray(off, off + n), done);
      done += n;
    }
    return out;
  }

  /** Checks that [va, va+len) is writable, so a multi-part write is all or nothing. */
  checkWritable(va: number, len: number): void {
    let done = 0;
    while (done < len) {
      const a = (va + done) >>> 0;
      const n = Math.min(len - done, 4096 - (a & 0xfff));
      this.at(a, Access.STORE, n);
      done += n;
    }
  }

  writeBytes(va: number, data: Uint8Array): void {
    this.checkWritable(va, data.length);
    let done = 0;
    while (done < data.length) {
      const a = (va + done) >>> 0;
      const n = Math.min(data.length - done, 4096 - (a & 0xfff));
      const off = this.at(a, Access.STORE, n);
      this.ram.u8.set(data.subarray(done, done + n), off);
      this.ram.noteWrite(off, n);
      done += n;
    }
  }

  setU32(va: number, v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, true);
    this.writeBytes(va, b);
  }

  setU64(va: number, v: number): void {
    const b = new Uint8Array(8);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, v >>> 0, true);
    dv.setUint32(4, Math.floor(v / 0x100000000) >>> 0, true);
    this.writeBytes(va, b);
  }

  setU16(va: number, v: number): void {
    this.writeBytes(va, Uint8Array.of(v & 0xff, (v >>> 8) & 0xff));
  }
}
