/*
 * Physical address space of the rv32 machine: RAM plus memory-mapped devices.
 *
 * RAM is one ArrayBuffer with typed-array views that the hart indexes directly on its
 * fast paths (through the TLB). Everything else goes through `read`/`write` here, which
 * dispatch to a device by address; an address that nothing answers is an access fault,
 * reported through `faulted` (traps are values, not exceptions).
 *
 * Physical addresses are plain numbers and may exceed 32 bits (Sv32 gives 34-bit
 * physical addresses), so this file never uses 32-bit bit operations on them.
 *
 * RAM also owns the decode cache's invalidation map: `codePages[p]` is nonzero when the
 * hart has decoded instructions in RAM page p, so a store there must drop them. Writes
 * from outside the harts (devices, the hypervisor, backends) call `noteWrite`.
 */

export interface MmioDevice {
  readonly name: string;
  /** Size in bytes of the device's register window. */
  readonly size: number;
  /** Reads `size` bytes at `offset` within the window; an unhandled offset reads 0. */
  read(offset: number, size: number): number;
  write(offset: number, size: number, value: number): void;
}

interface Region {
  base: number;
  end: number;
  device: MmioDevice;
}

import type { MemoryArena } from './memory.js';

export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;

export class Ram {
  readonly base: number;
  readonly size: number;
  /** The buffer RAM lives in, from byte `u8.byteOffset` (the machine memory, memory.ts). */
  readonly buffer: ArrayBuffer;
  readonly u8: Uint8Array;
  readonly i8: Int8Array;
  readonly u16: Uint16Array;
  readonly i16: Int16Array;
  readonly i32: Int32Array;
  /** Per RAM page: 1 when the page holds decoded instructions (see hart.ts). */
  readonly codePages: Uint8Array;
  /**
   * Per RAM word, one bit: set while the word is decoded (CodeCache.decode). Translated
   * WebAssembly stores check it, so data sharing a page with code stores at full speed.
   */
  readonly codeWords: Uint8Array;
  /** Called with a RAM page index whose decoded instructions must be dropped. */
  onCodeWrite: (page: number, offset: number, length: number) => void = () => {};

  /**
   * With `memory`, RAM and the code-page map live in the machine's shared memory (see
   * memory.ts); without, in a buffer of their own.
   */
  constructor(base: number, size: number, memory?: MemoryArena) {
    if (size % PAGE_SIZE !== 0) throw new Error(`RAM size ${size} is not a multiple of 4 KiB`);
    this.base = base;
    this.size = size;
    const buffer = memory?.buffer ?? new ArrayBuffer(size);
    const at = memory?.ramOffset ?? 0;
    this.buffer = buffer;
    this.u8 = new Uint8Array(buffer, at, size);
    this.i8 = new Int8Array(buffer, at, size);
    this.u16 = new Uint16Array(buffer, at, size >>> 1);
    this.i16 = new Int16Array(buffer, at, size >>> 1);
    this.i32 = new Int32Array(buffer, at, size >>> 2);
    const state = (bytes: number): Uint8Array => memory !== undefined
      ? new Uint8Array(buffer, memory.alloc(bytes), bytes) : new Uint8Array(bytes);
    this.codePages = state(size / PAGE_SIZE);
    this.codeWords = state(size / 32);
  }

  contains(pa: number, len = 1): boolean {
    return pa >= this.base && pa + len <= this.base + this.size;
  }

  /** Records a write from outside the harts (DMA-like) so cached decodes stay correct. */
  noteWrite(offset: number, length: number): void {
    const first = Math.floor(offset / PAGE_SIZE);
    const last = Math.floor((offset + length - 1) / PAGE_SIZE);
    for (let p = first; p <= last; p++) {
      if (this.codePages[p] !== 0) this.onCodeWrite(p, offset, length);
    }
  }

  /** Copies bytes into RAM at physical address `pa` (loaders, devices, the hypervisor). */
  load(pa: number, bytes: Uint8Array): void {
    if (!this.contains(pa, bytes.length)) {
      throw new RangeError(`0x${pa.toString(16)}+${bytes.length} is outside RAM`);
    }
    const off = pa - this.base;
    this.u8.set(bytes, off);
    this.noteWrite(off, bytes.length);
  }
}

export class PhysicalBus {
  readonly ram: Ram;
  private regions: Region[] = [];
  /** Set by read/write when nothing answered the address. */
  faulted = false;

  constructor(ram: Ram) {
    this.ram = ram;
  }

  attach(base: number, device: MmioDevice): void {
    const end = base + device.size;
    for (const r of this.regions) {
      if (base < r.end && r.base < end) {
        throw new Error(`device ${device.name} at 0x${base.toString(16)} overlaps ${r.device.name}`);
      }
    }
    if (base < this.ram.base + this.ram.size && this.ram.base < end) {
      throw new Error(`device ${device.name} overlaps RAM`);
    }
    this.regions.push({ base, end, device });
    this.regions.sort((a, b) => a.base - b.base);
  }

  deviceAt(pa: number): Region | undefined {
    for (const r of this.regions) if (pa >= r.base && pa < r.end) return r;
    return undefined;
  }

  /** Slow-path physical read of 1, 2 or 4 bytes (little-endian), unsigned result. */
  read(pa: number, size: number): number {
    this.faulted = false;
    const ram = this.ram;
    if (pa >= ram.base && pa + size <= ram.base + ram.size) {
      const off = pa - ram.base;
      let v = 0;
      for (let i = size - 1; i >= 0; i--) v = v * 256 + ram.u8[off + i]!;
      return v;
    }
    const r = this.deviceAt(pa);
    if (r === undefined || pa + size > r.end) {
      this.faulted = true;
      return 0;
    }
    return r.device.read(pa - r.base, size) >>> 0;
  }

  /** Slow-path physical write of 1, 2 or 4 bytes (little-endian). */
  write(pa: number, size: number, value: number): void {
    this.faulted = false;
    const ram = this.ram;
    if (pa >= ram.base && pa + size <= ram.base + ram.size) {
      const off = pa - ram.base;
      for (let i = 0; i < size; i++) ram.u8[off + i] = (value >>> (8 * i)) & 0xff;
      ram.noteWrite(off, size);
      return;
    }
    const r = this.deviceAt(pa);
    if (r === undefined || pa + size > r.end) {
      this.faulted = true;
      return;
    }
    r.device.write(pa - r.base, size, value);
  }

  isRam(pa: number): boolean {
    return pa >= this.ram.base && pa < this.ram.base + this.ram.size;
  }
}
