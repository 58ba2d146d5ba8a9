/*
 * Writable page tables (VMASST_TYPE_writable_pagetables): a PV kernel may update a leaf
 * table with a plain store. The table is mapped read-only, so the store faults into the
 * hypervisor, which decodes it, validates the new entry exactly as MMU_NORMAL_PT_UPDATE
 * would, performs it and resumes after the store. Anything else — a store to a root
 * table, a byte store, an AMO, an invalid entry — is bounced to the guest as the page
 * fault it was.
 */

import type { Hart } from '../../machine/rv32/hart.js';
import type { Hypervisor } from '../hypervisor.js';
import type { Vcpu } from '../domain.js';
import { PageType } from './frame-table.js';
import { PTE_V, PTE_W, isLeaf, pteMfn } from './pte.js';
import { VMASST_TYPE_writable_pagetables, XenError } from '../abi/xen.js';
import { XEN_COST } from '../costs.js';

const OPCODE_STORE = 0x23, FUNCT3_SW = 2;

/** Returns true when the store was emulated (mepc then points after it). */
export function emulatePtWrite(hv: Hypervisor, hart: Hart, v: Vcpu): boolean {
  const d = v.domain;
  if ((d.vmAssist & (1 << VMASST_TYPE_writable_pagetables)) === 0 || v.baseMfn < 0) return false;
  const va = hart.mtval >>> 0;
  if ((va & 3) !== 0) return false;
  const e = hv.mmu.l1EntryFor(v.baseMfn, va);
  if (e === null) return false;
  const pte = hv.mem.read32(e.mfn, e.off);
  if ((pte & PTE_V) === 0 || !isLeaf(pte) || (pte & PTE_W) !== 0) return false;
  const table = pteMfn(pte);
  if (hv.frames.ownerOf(table) !== d.id || hv.frames.typeOf(table) !== PageType.L1) return false;

  const insn = hv.fetchGuestWord(hart, hart.mepc);
  if (insn === null || (insn & 0x7f) !== OPCODE_STORE || ((insn >>> 12) & 7) !== FUNCT3_SW) return false;
  const rs1 = (insn >>> 15) & 31, rs2 = (insn >>> 20) & 31;
  const imm = ((insn >> 25) << 5) | ((insn >>> 7) & 31);
  if (((hart.x[rs1]! + imm) >>> 0) !== va) return false;
  hart.charge(XEN_COST.EMULATE_PT_WRITE);
  try {
    hv.mmu.updateEntry(table * 4096 + (va & 0xfff), hart.x[rs2]!, d.id, false);
  } catch (err) {
    if (err instanceof XenError) return false;
    throw err;
  }
  hart.mepc = (hart.mepc + 4) | 0;
  return true;
}
