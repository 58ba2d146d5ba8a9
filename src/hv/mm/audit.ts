/*
 * The frame-table audit (cf. Xen's audit_domains): recomputes, from the page tables
 * themselves, the references every frame should hold, and compares them with the
 * counts the hypervisor keeps. Used by tests and the fuzzer after every step; a
 * mismatch is a hypervisor bug (a leaked or missing reference is how isolation breaks).
 *
 *   general count = 1 if allocated + leaf entries mapping it in validated L1s
 *                   + pointers from validated L2s + pin + base pointers
 *                   (a type reference always comes with exactly one general one)
 *   type count    = writable: leaf entries with W=1 in validated L1s
 *                   L1: pointers from validated L2s + pin
 *                   L2: base pointers of vCPUs + pin
 *   grant mappings     a leaf entry may map another domain's frame only if it is the
 *                      installed entry of a grant mapping (grant-table.ts); Domain 0's
 *                      grant mappings hold a general (and, read-write, a writable type)
 *                      reference each with no entry to show for it
 */

import type { Hypervisor } from '../hypervisor.js';
import { FrameFlag, FREE, PageType } from './frame-table.js';
import { HYPERVISOR_FIRST_SLOT, PTE_V, PTE_W, isLeaf, pteMfn } from './pte.js';
import { DOMID_XEN } from '../abi/xen.js';
import { grantTablesIfAny } from '../grant-table.js';

export function auditFrames(hv: Hypervisor): string[] {
  const f = hv.frames;
  const n = f.nframes;
  const refs = new Int32Array(n);
  const typeRefs = new Int32Array(n);
  const problems: string[] = [];
  const hex = (mfn: number): string => `0x${mfn.toString(16)}`;
  const grants = grantTablesIfAny(hv);

  for (let i = 0; i < n; i++) {
    const mfn = f.firstMfn + i;
    const owner = f.owner[i]!;
    if (owner === FREE) {
      if (f.count[i] !== 0 || f.typeCount[i] !== 0) problems.push(`free frame ${hex(mfn)} has counts`);
      continue;
    }
    if ((f.flags[i]! & FrameFlag.PINNED) !== 0) { typeRefs[i]!++; refs[i]!++; }
    const tc = f.typeCount[i]!;
    const type = f.type[i]! as PageType;
    if (tc === 0 || owner === DOMID_XEN) continue;
    if (type === PageType.L1) {
      for (let e = 0; e < 1024; e++) {
        const pte = hv.mem.read32(mfn, 4 * e);
        if ((pte & PTE_V) === 0) continue;
        const j = f.index(pteMfn(pte));
        if (j < 0) { problems.push(`L1 ${hex(mfn)}[${e}] maps non-RAM`); continue; }
        refs[j]!++;
        if ((pte & PTE_W) !== 0) typeRefs[j]!++;
        if (f.owner[j] !== owner) {
          const g = grants?.installedAt(owner, mfn * 4096 + 4 * e) ?? null;
          if (g === null || g.mfn !== pteMfn(pte) || (!g.readonly) !== ((pte & PTE_W) !== 0)) {
            problems.push(`L1 ${hex(mfn)}[${e}] maps a frame of ${f.owner[j]}`);
          }
        }
      }
    } else if (type === PageType.L2) {
      for (let e = 0; e < HYPERVISOR_FIRST_SLOT; e++) {
        const pte = hv.mem.read32(mfn, 4 * e);
        if ((pte & PTE_V) === 0) continue;
        if (isLeaf(pte)) { problems.push(`L2 ${hex(mfn)}[${e}] is a megapage`); continue; }
        const j = f.index(pteMfn(pte));
        if (j < 0) { problems.push(`L2 ${hex(mfn)}[${e}] points outside RAM`); continue; }
        refs[j]!++;
        typeRefs[j]!++;
        if (f.type[j] !== PageType.L1) problems.push(`L2 ${hex(mfn)}[${e}] points at a non-L1 frame`);
      }
    }
  }
  for (const d of hv.domains.values()) {
    for (const v of d.vcpus) {
      if (v.baseMfn < 0) continue;
      const j = f.index(v.baseMfn);
      refs[j]!++;
      typeRefs[j]!++;
    }
  }
  if (grants !== undefined) {
    for (const m of grants.mappings()) {
      if (m.pteMa >= 0) {
        if (!m.installed) continue;
        const tbl = Math.floor(m.pteMa / 4096);
        const pte = hv.mem.read32(tbl, m.pteMa - tbl * 4096);
        if ((pte & PTE_V) === 0 || pteMfn(pte) !== m.mfn) problems.push(`grant mapping ${m.handle} of d${m.mapper.id} lost its entry`);
        continue;
      }
      const j = f.index(m.mfn);
      refs[j]!++;
      if (!m.readonly) typeRefs[j]!++;
    }
  }
  for (let i = 0; i < n; i++) {
    const owner = f.owner[i]!;
    if (owner === FREE || owner === DOMID_XEN) continue;
    const mfn = f.firstMfn + i;
    const expected = refs[i]! + ((f.flags[i]! & FrameFlag.ALLOCATED) !== 0 ? 1 : 0);
    if (f.count[i] !== expected) problems.push(`frame ${hex(mfn)} (d${owner}): count ${f.count[i]}, expected ${expected}`);
    if (f.typeCount[i] !== typeRefs[i]) {
      problems.push(`frame ${hex(mfn)} (d${owner}): type count ${f.typeCount[i]} (${f.type[i]}), expected ${typeRefs[i]}`);
    }
    const type = f.type[i]! as PageType;
    if ((type === PageType.L1 || type === PageType.L2) && f.typeCount[i]! > 0 && (f.flags[i]! & FrameFlag.VALIDATED) === 0) {
      problems.push(`frame ${hex(mfn)}: in use as a table but not validated`);
    }
  }
  return problems;
}
