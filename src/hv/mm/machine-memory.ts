/*
 * The hypervisor's view of machine memory: words and frames of RAM by machine address.
 * Every write made from TypeScript goes through here so decoded guest code in the
 * written words is dropped (Ram.noteWrite), as DMA into a code page must.
 */

import type { Ram } from '../../machine/rv32/bus.js';

export const PAGE = 4096;

export class MachineMemory {
  readonly ram: Ram;
  readonly firstMfn: number;

  constructor(ram: Ram) {
    this.ram = ram;
    this.firstMfn = ram.base / PAGE;
  }

  /** RAM byte offset of machine frame `mfn` (the caller has checked it is RAM). */
  offset(mfn: number): number {
    return (mfn - this.firstMfn) * PAGE;
  }

  read32(mfn: number, byteOffset: number): number {
    return this.ram.i32[(this.offset(mfn) + byteOffset) >>> 2]!;
  }

  write32(mfn: number, byteOffset: number, value: number): void {
    const off = this.offset(mfn) + byteOffset;
    this.ram.i32[off >>> 2] = value;
    if (this.ram.codePages[off >>> 12] !== 0) this.ram.noteWrite(off, 4);
  }

  read8(mfn: number, byteOffset: number): number {
    return this.ram.u8[this.offset(mfn) + byteOffset]!;
  }

  write8(mfn: number, byteOffset: number, value: number): void {
    const off = this.offset(mfn) + byteOffset;
    this.ram.u8[off] = value;
    if (this.ram.codePages[off >>> 12] !== 0) this.ram.noteWrite(off, 1);
  }

  /** Writes bytes at a RAM byte offset. */
  writeBytes(offset: number, bytes: Uint8Array): void {
    this.ram.u8.set(bytes, offset);
    this.ram.noteWrite(offset, bytes.length);
  }

  zeroFrame(mfn: number): void {
    const off = this.offset(mfn);
    this.ram.u8.fill(0, off, off + PAGE);
    if (this.ram.codePages[off >>> 12] !== 0) this.ram.noteWrite(off, PAGE);
  }

  copyFrame(dst: number, src: number): void {
    const d = this.offset(dst), s = this.offset(src);
    this.ram.u8.copyWithin(d, s, s + PAGE);
    if (this.ram.codePages[d >>> 12] !== 0) this.ram.noteWrite(d, PAGE);
  }

  /** A view of one frame's bytes (reads; writers must call noteWrite). */
  frameBytes(mfn: number): Uint8Array {
    const off = this.offset(mfn);
    return this.ram.u8.subarray(off, off + PAGE);
  }
}
