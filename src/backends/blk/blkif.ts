/*
 * The block protocol's wire format (io/blkif.h, fact sheet §10), the x86-64/ARM layout
 * that rv32 uses (u64 `id` at offset 8): a request is 112 bytes, a response 16, and a
 * one-page ring holds 32.
 */

export const BLKIF_OP_READ = 0, BLKIF_OP_WRITE = 1, BLKIF_OP_WRITE_BARRIER = 2, BLKIF_OP_FLUSH_DISKCACHE = 3;
export const BLKIF_OP_DISCARD = 5, BLKIF_OP_INDIRECT = 6;
export const BLKIF_MAX_SEGMENTS_PER_REQUEST = 11;
export const BLKIF_RSP_OKAY = 0, BLKIF_RSP_ERROR = -1, BLKIF_RSP_EOPNOTSUPP = -2;
export const VDISK_CDROM = 1, VDISK_REMOVABLE = 2, VDISK_READONLY = 4;
export const SECTOR = 512;

export const BLKIF_REQ = { operation: 0, nr_segments: 1, handle: 2, id: 8, sector_number: 16, seg: 24, SIZE: 112 } as const;
export const BLKIF_SEG = { gref: 0, first_sect: 4, last_sect: 5, SIZE: 8 } as const;
export const BLKIF_RSP = { id: 0, operation: 8, status: 10, SIZE: 16 } as const;
/** Ring slots are the size of the larger of the two. */
export const BLKIF_ENTRY = BLKIF_REQ.SIZE;

/**
 * The i386 layout (`protocol` = "x86_32-abi"): u64 `id` only 4-aligned, so a request is
 * 108 bytes and a response 12; a one-page ring still holds 32.
 */
export const BLKIF_REQ_X32 = { operation: 0, nr_segments: 1, handle: 2, id: 4, sector_number: 12, seg: 20, SIZE: 108 } as const;
export const BLKIF_RSP_X32 = { id: 0, operation: 8, status: 10, SIZE: 12 } as const;

export interface BlkifLayout {
  req: { operation: number; nr_segments: number; id: number; sector_number: number; seg: number; SIZE: number };
  rsp: { id: number; operation: number; status: number; SIZE: number };
  /** Ring slot size. */
  entry: number;
}

export const BLKIF_NATIVE: BlkifLayout = { req: BLKIF_REQ, rsp: BLKIF_RSP, entry: BLKIF_REQ.SIZE };
export const BLKIF_X86_32: BlkifLayout = { req: BLKIF_REQ_X32, rsp: BLKIF_RSP_X32, entry: BLKIF_REQ_X32.SIZE };

/**
 * The layout a frontend's `protocol` key names (fact sheet §10.2): absent means the
 * backend's native ABI, which on tsxen is the x86-64/ARM layout that rv32 guests use.
 */
export function blkifLayout(protocol: string | null): BlkifLayout | null {
  if (protocol === null || protocol === 'x86_64-abi' || protocol === 'arm-abi' || protocol === 'riscv32-abi') return BLKIF_NATIVE;
  if (protocol === 'x86_32-abi') return BLKIF_X86_32;
  return null;
}
