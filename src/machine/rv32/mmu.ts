/*
 * Sv32 address translation and the software TLB.
 *
 * translate() is the architectural page-table walk (privileged spec 1.12 §4.3.2); it runs
 * only on TLB misses. Its result is a physical address (a non-negative number, possibly
 * above 2^32: Sv32 physical addresses have 34 bits) or a negative number -(cause + 1)
 * naming the fault, so a miss allocates nothing.
 *
 * Accessed/dirty bits: this machine updates them in hardware (the second behaviour the
 * spec allows, and what QEMU does): a walk that finds A=0, or D=0 on a store, sets the
 * bit in the PTE with a physical write. A page-table walk reads through RAM only; a PTE
 * address outside RAM is an access fault of the original access type.
 *
 * The TLB is per privilege context (one `Tlb` for each of U, S and M) and per access
 * kind (read, write, execute), direct-mapped on the virtual page number. An entry holds
 * the tag (vpn) and an XOR that turns a virtual address into a RAM byte index:
 *   index = (va ^ xor) >>> 0,   xor = (va & ~0xfff) ^ (pa_page - ram.base).
 * Only RAM pages get entries (device pages always take the slow path), a read entry
 * exists only once A is set and a write entry only once D is set, so a hit needs no
 * further checks. Entries are dropped on satp writes, sfence.vma, and changes to
 * mstatus.SUM/MXR/MPRV/MPP that alter what a context may touch.
 *
 * Megapages are cached as 4 KiB entries, one per page touched. sfence.vma with an
 * address must drop every entry that came from the leaf PTE translating that address
 * (spec §4.2.1), which for a megapage means all of its 4 KiB parts. The TLB remembers
 * which 4 MiB regions have megapage entries, and a fence on an address inside one drops
 * every entry of that region; other fences stay one-entry cheap.
 */

import { Cause, Mode, Mstatus, SATP_MODE_SV32 } from './csr.js';
import type { Ram } from './bus.js';

export const enum Access { FETCH = 0, LOAD = 1, STORE = 2 }

export const TLB_BITS = 8;
export const TLB_SIZE = 1 << TLB_BITS;
export const TLB_MASK = TLB_SIZE - 1;
/** Bytes of one Tlb's arrays (see the constructor). */
export const TLB_BYTES = 6 * TLB_SIZE * 4;

const PTE_V = 1, PTE_R = 2, PTE_W = 4, PTE_X = 8, PTE_U = 16, PTE_A = 64, PTE_D = 128;

export class Tlb {
  /** Per VPN[1]: 1 when an entry from a megapage there was installed (see above). */
  private readonly megapages = new Uint8Array(1024);
  private anyMegapage = false;
  readonly rTag: Int32Array;
  readonly rXor: Int32Array;
  readonly wTag: Int32Array;
  readonly wXor: Int32Array;
  readonly xTag: Int32Array;
  readonly xXor: Int32Array;

  /**
   * The six arrays are consecutive in `buffer` from byte `offset` (TLB_BYTES in all), in
   * the order above, so translated WebAssembly code can index them (jit/wasm/).
   */
  constructor(buffer: ArrayBuffer = new ArrayBuffer(TLB_BYTES), offset = 0) {
    const part = (i: number): Int32Array => new Int32Array(buffer, offset + i * TLB_SIZE * 4, TLB_SIZE);
    this.rTag = part(0).fill(-1);
    this.rXor = part(1);
    this.wTag = part(2).fill(-1);
    this.wXor = part(3);
    this.xTag = part(4).fill(-1);
    this.xXor = part(5);
  }

  flush(): void {
    this.rTag.fill(-1);
    this.wTag.fill(-1);
    this.xTag.fill(-1);
    if (this.anyMegapage) { this.megapages.fill(0); this.anyMegapage = false; }
  }

  flushPage(va: number): void {
    const vpn1 = va >>> 22;
    if (this.anyMegapage && this.megapages[vpn1] !== 0) {
      // Every 4 KiB entry of this 4 MiB region (an empty tag, -1, never matches).
      for (let i = 0; i < TLB_SIZE; i++) {
        if (this.rTag[i]! >>> 10 === vpn1) this.rTag[i] = -1;
        if (this.wTag[i]! >>> 10 === vpn1) this.wTag[i] = -1;
        if (this.xTag[i]! >>> 10 === vpn1) this.xTag[i] = -1;
      }
      this.megapages[vpn1] = 0;
      return;
    }
    const vpn = va >>> 12;
    const i = vpn & TLB_MASK;
    if (this.rTag[i] === vpn) this.rTag[i] = -1;
    if (this.wTag[i] === vpn) this.wTag[i] = -1;
    if (this.xTag[i] === vpn) this.xTag[i] = -1;
  }

  /**
   * Installs a translation of the page holding `va` to RAM byte offset `hostPage`. Must
   * directly follow the translate() that produced it (it reads `lastWalk`).
   */
  fill(access: Access, va: number, hostPage: number): void {
    if (lastWalk.superpage) { this.megapages[va >>> 22] = 1; this.anyMegapage = true; }
    const vpn = va >>> 12;
    const i = vpn & TLB_MASK;
    const xor = (va & -4096) ^ hostPage;
    if (access === Access.LOAD) { this.rTag[i] = vpn; this.rXor[i] = xor; }
    else if (access === Access.STORE) { this.wTag[i] = vpn; this.wXor[i] = xor; }
    else { this.xTag[i] = vpn; this.xXor[i] = xor; }
  }
}

const FAULT_OF: readonly number[] = [Cause.FETCH_PAGE_FAULT, Cause.LOAD_PAGE_FAULT, Cause.STORE_PAGE_FAULT];
const ACCESS_FAULT_OF: readonly number[] = [Cause.FETCH_ACCESS, Cause.LOAD_ACCESS, Cause.STORE_ACCESS];

/** What the last successful translate() found: a megapage leaf or not (see Tlb.fill). */
export const lastWalk = { superpage: false };

/** Encodes a fault cause as translate()'s negative result. */
export const faultResult = (cause: number): number => -(cause + 1);
export const faultCause = (result: number): number => -result - 1;

/**
 * Translates virtual address `va` for an access in privilege `mode` (the effective mode:
 * MPRV already applied by the caller). Returns the physical address or -(cause+1).
 */
export function translate(ram: Ram, va: number, access: Access, mode: number, satp: number, mstatus: number): number {
  va >>>= 0;
  if (mode === Mode.M || (satp & SATP_MODE_SV32) === 0) { lastWalk.superpage = false; return va; }

  let table = (satp & 0x3fffff) * 4096;
  let level = 1;
  let pte = 0;
  let pteAddr = 0;
  for (;;) {
    const vpnPart = level === 1 ? va >>> 22 : (va >>> 12) & 0x3ff;
    pteAddr = table + vpnPart * 4;
    if (!ram.contains(pteAddr, 4)) return faultResult(ACCESS_FAULT_OF[access]!);
    pte = ram.i32[(pteAddr - ram.base) >>> 2]!;
    if ((pte & PTE_V) === 0 || ((pte & PTE_R) === 0 && (pte & PTE_W) !== 0)) {
      return faultResult(FAULT_OF[access]!);
    }
    if ((pte & (PTE_R | PTE_X)) !== 0) break; // leaf
    if (level === 0) return faultResult(FAULT_OF[access]!);
    // A non-leaf PTE with A, D or U set is reserved for future use: treat it as a pointer.
    table = (pte >>> 10) * 4096;
    level = 0;
  }

  // Leaf permission checks.
  const user = (pte & PTE_U) !== 0;
  if (mode === Mode.U) {
    if (!user) return faultResult(FAULT_OF[access]!);
  } else if (user) {
    // S-mode may touch user pages only with SUM, and never execute them.
    if (access === Access.FETCH || (mstatus & Mstatus.SUM) === 0) return faultResult(FAULT_OF[access]!);
  }
  if (access === Access.FETCH) {
    if ((pte & PTE_X) === 0) return faultResult(FAULT_OF[access]!);
  } else if (access === Access.LOAD) {
    const readable = (pte & PTE_R) !== 0 || ((mstatus & Mstatus.MXR) !== 0 && (pte & PTE_X) !== 0);
    if (!readable) return faultResult(FAULT_OF[access]!);
  } else if ((pte & PTE_W) === 0) {
    return faultResult(FAULT_OF[access]!);
  }

  const ppn = pte >>> 10;
  if (level === 1 && (ppn & 0x3ff) !== 0) return faultResult(FAULT_OF[access]!); // misaligned megapage

  // Hardware A/D update.
  const want = PTE_A | (access === Access.STORE ? PTE_D : 0);
  if ((pte & want) !== want) {
    ram.i32[(pteAddr - ram.base) >>> 2] = pte | want;
    ram.noteWrite(pteAddr - ram.base, 4);
  }

  lastWalk.superpage = level === 1;
  const offset = level === 1 ? va & 0x3fffff : va & 0xfff;
  const base = level === 1 ? (ppn >>> 10) * 0x400000 : ppn * 4096;
  return base + offset;
}
