/*
 * CLINT at 0x0200_0000 (QEMU virt / SiFive layout): per-hart msip at 0x0000 + 4·h,
 * per-hart 64-bit mtimecmp at 0x4000 + 8·h, and the shared 64-bit mtime at 0xbff8.
 *
 * mtime is derived from virtual time: mtime = floor(cycles / cyclesPerTick) + offset,
 * where cycles is the time of the hart doing the access (harts run interleaved, each
 * with its own exact clock inside its slice). The CLINT drives each hart's MTIP and
 * MSIP lines, and tells the machine when a hart's next timer interrupt is due so a
 * slice can end exactly there.
 */

import type { MmioDevice } from '../bus.js';
import type { Hart } from '../hart.js';
import { MIP_MSIP, MIP_MTIP } from '../csr.js';

const MSIP_BASE = 0x0000, MTIMECMP_BASE = 0x4000, MTIME = 0xbff8;
const TWO32 = 0x100000000;

export class Clint implements MmioDevice {
  readonly name = 'clint';
  readonly size = 0x10000;
  private readonly mtimecmp: number[];
  private mtimeOffset = 0;
  /** The hart whose access is in progress (set by the machine before each slice). */
  current: Hart;

  constructor(private readonly harts: Hart[], readonly cyclesPerTick: number) {
    this.mtimecmp = harts.map(() => Number.MAX_SAFE_INTEGER);
    this.current = harts[0]!;
  }

  mtimeAt(cycles: number): number {
    return Math.floor(cycles / this.cyclesPerTick) + this.mtimeOffset;
  }

  /** The first cycle at which hart h's timer interrupt is pending (≤ now if it is). */
  deadline(h: number): number {
    const cmp = this.mtimecmp[h]!;
    if (cmp >= Number.MAX_SAFE_INTEGER / this.cyclesPerTick) return Infinity;
    return Math.max(0, (cmp - this.mtimeOffset) * this.cyclesPerTick);
  }

  /** Recomputes hart h's MTIP line at its current time. */
  refresh(hart: Hart): void {
    const pending = this.mtimeAt(hart.now()) >= this.mtimecmp[hart.id]!;
    hart.mipLines = pending ? hart.mipLines | MIP_MTIP : hart.mipLines & ~MIP_MTIP;
  }

  read(offset: number, size: number): number {
    if (offset < MTIMECMP_BASE) {
      const h = offset >>> 2;
      return h < this.harts.length && (this.harts[h]!.mipLines & MIP_MSIP) !== 0 ? 1 : 0;
    }
    let value: number;
    let base: number;
    if (offset >= MTIME && offset < MTIME + 8) {
      value = this.mtimeAt(this.current.now());
      base = MTIME;
    } else if (offset < MTIMECMP_BASE + 8 * this.harts.length) {
      base = offset & ~7;
      value = this.mtimecmp[(base - MTIMECMP_BASE) >>> 3]!;
    } else {
      return 0;
    }
    return extract(value, offset - base, size);
  }

  write(offset: number, size: number, value: number): void {
    if (offset < MTIMECMP_BASE) {
      const h = offset >>> 2;
      if (h >= this.harts.length || (offset & 3) !== 0) return;
      const hart = this.harts[h]!;
      hart.mipLines = (value & 1) !== 0 ? hart.mipLines | MIP_MSIP : hart.mipLines & ~MIP_MSIP;
      return;
    }
    if (offset >= MTIME && offset < MTIME + 8) {
      const now = this.mtimeAt(this.current.now());
      this.mtimeOffset += insert(now, offset - MTIME, size, value) - now;
      for (const hart of this.harts) this.refresh(hart);
      return;
    }
    if (offset < MTIMECMP_BASE + 8 * this.harts.length) {
      const base = offset & ~7;
      const h = (base - MTIMECMP_BASE) >>> 3;
      this.mtimecmp[h] = insert(this.mtimecmp[h]!, offset - base, size, value);
      this.refresh(this.harts[h]!);
    }
  }

  /** Sets hart h's mtimecmp from TypeScript (the SBI firmware, the hypervisor). */
  setTimecmp(h: number, value: number): void {
    this.mtimecmp[h] = value;
    this.refresh(this.harts[h]!);
  }

  getTimecmp(h: number): number {
    return this.mtimecmp[h]!;
  }
}

/** Bytes [at, at+size) of a 64-bit value held in a double. */
function extract(value: number, at: number, size: number): number {
  const lo = value % TWO32, hi = Math.floor(value / TWO32) % TWO32;
  const word = at < 4 ? lo : hi;
  const shift = (at & 3) * 8;
  const mask = size === 4 ? 0xffffffff : (1 << (size * 8)) - 1;
  return ((word >>> shift) & mask) >>> 0;
}

/** `value` with bytes [at, at+size) replaced by `data`. */
function insert(value: number, at: number, size: number, data: number): number {
  let lo = value % TWO32, hi = Math.floor(value / TWO32) % TWO32;
  const shift = (at & 3) * 8;
  const mask = size === 4 ? 0xffffffff : ((1 << (size * 8)) - 1) << shift;
  const bits = (data << shift) & mask;
  if (at < 4) lo = ((lo & ~mask) | bits) >>> 0;
  else hi = ((hi & ~mask) | bits) >>> 0;
  return hi * TWO32 + lo;
}
