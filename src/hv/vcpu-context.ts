/*
 * The rv32 vcpu_guest_context (VCPUOP_initialise, and what the domain builder sets for
 * vCPU 0): the register file and the S-mode state a vCPU starts with. tsxen's own layout
 * (docs/pv-abi.md), 160 bytes:
 *
 *   u32 x[32] @0 (x[0] ignored)   u32 pc @128    u32 flags @132   u64 root_mfn @136
 *   u32 stvec @144   u32 sscratch @148   u32 sstatus @152   u32 sie @156
 */

import type { GuestMemory } from './guest-access.js';

export const VCPU_GUEST_CONTEXT_SIZE = 160;

export interface GuestContext {
  x: number[];
  pc: number;
  /** Root page table MFN, or -1 to start without paging (not allowed for PV). */
  rootMfn: number;
  stvec: number;
  sscratch: number;
  sstatus: number;
  sie: number;
}

export function readGuestContext(mem: GuestMemory, va: number): GuestContext {
  const x: number[] = [];
  for (let i = 0; i < 32; i++) x.push(mem.u32(va + 4 * i) | 0);
  return {
    x,
    pc: mem.u32(va + 128) | 0,
    rootMfn: mem.u64(va + 136),
    stvec: mem.u32(va + 144) | 0,
    sscratch: mem.u32(va + 148) | 0,
    sstatus: mem.u32(va + 152) | 0,
    sie: mem.u32(va + 156) | 0,
  };
}
