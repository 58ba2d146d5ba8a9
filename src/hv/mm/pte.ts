/*
 * Sv32 page-table entry bits and the PV rules about them (docs/pv-abi.md).
 */

export const PTE_V = 1, PTE_R = 2, PTE_W = 4, PTE_X = 8, PTE_U = 16, PTE_G = 32, PTE_A = 64, PTE_D = 128;
export const PTE_RSW = 0x300;
export const ROOT_ENTRIES = 1024;
/** Root-table slots 1008..1023 (0xFC00_0000 and up) belong to the hypervisor. */
export const HYPERVISOR_FIRST_SLOT = 1008;

export function pteMfn(pte: number): number {
  return pte >>> 10;
}

export function isLeaf(pte: number): boolean {
  return (pte & (PTE_R | PTE_W | PTE_X)) !== 0;
}

export function makePte(mfn: number, flags: number): number {
  return ((mfn << 10) | flags) | 0;
}
