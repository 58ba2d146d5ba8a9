/* The PV MMU's counting and validation rules on a small machine, without any guest code. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine } from '../../machine/rv32/machine.js';
import { Hypervisor } from '../hypervisor.js';
import { Control } from '../control.js';
import { FrameFlag, PageType } from './frame-table.js';
import { PTE_A, PTE_D, PTE_R, PTE_V, PTE_W, HYPERVISOR_FIRST_SLOT } from './pte.js';
import { XenError } from '../abi/xen.js';

function setup() {
  const machine = new Machine({ ramSize: 16 << 20 });
  const hv = new Hypervisor(machine);
  const ctl = new Control(hv, hv.dom0);
  const d = ctl.createDomain({ name: 'd', maxVcpus: 1, maxMemKiB: 1024 });
  const [a, b, c, e] = ctl.populate(d.id, [0, 1, 2, 3]) as [number, number, number, number];
  return { hv, ctl, d, a, b, c, e };
}

const leaf = (mfn: number, flags: number): number => (mfn << 10) | flags | PTE_V | PTE_A | PTE_D;

test('allocation is scattered: consecutive frames are rarely adjacent', () => {
  const { ctl, d } = setup();
  const mfns = ctl.populate(d.id, Array.from({ length: 100 }, (_, i) => 10 + i));
  const adjacent = mfns.filter((m, i) => i > 0 && m === mfns[i - 1]! + 1).length;
  assert.ok(adjacent < 10, `${adjacent} of 100 frames follow their predecessor`);
});

test('a frame mapped writable cannot become a page table, and a page table cannot be mapped writable', () => {
  const { hv, d, a, b } = setup();
  // a is an L1 that maps b writable: b takes a writable type reference.
  hv.mem.write32(a, 0, leaf(b, PTE_R | PTE_W));
  assert.ok(hv.frames.getPageAndType(a, d.id, PageType.L1));
  assert.equal(hv.frames.typeOf(b), PageType.WRITABLE);
  assert.equal(hv.frames.getPageAndType(b, d.id, PageType.L1), false, 'b is writable, so it cannot be a table');
  // An update that maps the table itself writable is refused and changes nothing.
  assert.throws(() => hv.mmu.updateEntry(a * 4096 + 4, leaf(a, PTE_R | PTE_W), d.id, false), XenError);
  assert.equal(hv.mem.read32(a, 4), 0);
  // Read-only is fine.
  hv.mmu.updateEntry(a * 4096 + 4, leaf(a, PTE_R), d.id, false);
  // Dropping the table releases its references: b is untyped again.
  hv.frames.putPageAndType(a);
  assert.equal(hv.frames.typeOf(b), PageType.NONE);
  assert.equal(hv.frames.typeCount[hv.frames.index(b)], 0);
});

test('validation failure leaves no references behind', () => {
  const { hv, d, a, b, c } = setup();
  const before = hv.frames.count[hv.frames.index(b)];
  hv.mem.write32(a, 0, leaf(b, PTE_R));
  hv.mem.write32(a, 4, leaf(hv.frames.firstMfn, PTE_R)); // a hypervisor frame: refused
  assert.equal(hv.frames.getPageAndType(a, d.id, PageType.L1), false);
  assert.equal(hv.frames.count[hv.frames.index(b)], before);
  assert.equal(hv.frames.typeOf(a), PageType.NONE);
  // A root with a megapage is refused; one pointing at a valid leaf table is accepted and
  // gets the hypervisor's slots filled in.
  hv.mem.write32(c, 0, leaf(b, PTE_R));
  assert.equal(hv.frames.getPageAndType(c, d.id, PageType.L2), false, 'leaf entry in a root = megapage');
  hv.mem.write32(c, 0, 0);
  hv.mem.write32(a, 4, 0);
  hv.mem.write32(c, 4, (a << 10) | PTE_V);
  assert.ok(hv.frames.getPageAndType(c, d.id, PageType.L2));
  assert.equal(hv.frames.typeOf(a), PageType.L1);
  const slots = hv.m2p.slotEntries;
  for (let k = 0; k < slots.length; k++) assert.equal(hv.mem.read32(c, (HYPERVISOR_FIRST_SLOT + k) * 4), slots[k]);
  assert.ok(slots.some((e) => (e & PTE_V) !== 0), 'the M2P window is mapped');
  assert.throws(() => hv.mmu.updateEntry(c * 4096 + HYPERVISOR_FIRST_SLOT * 4, 0, d.id, false), XenError);
});

test('pinning holds a table validated; another domain cannot pin or map our frames', () => {
  const { hv, ctl, d, a, b } = setup();
  ctl.pinTable(d.id, a, 1);
  assert.ok(hv.frames.has(a, FrameFlag.PINNED));
  assert.throws(() => ctl.pinTable(d.id, a, 1), XenError, 'pinning twice');
  const other = ctl.createDomain({ name: 'o', maxVcpus: 1, maxMemKiB: 64 });
  assert.throws(() => ctl.pinTable(other.id, b, 1), XenError);
  assert.throws(() => hv.mmu.getL1e(leaf(b, PTE_R), other.id), XenError);
});

test('destroy returns every frame of a domain, page tables included', () => {
  const { hv, ctl, d, a, b, c } = setup();
  hv.mem.write32(a, 0, leaf(b, PTE_R | PTE_W));
  hv.mem.write32(c, 0, (a << 10) | PTE_V);
  ctl.pinTable(d.id, c, 2);
  const freeBefore = hv.frames.freeFrames;
  ctl.destroy(d.id);
  assert.equal(hv.frames.freeFrames, freeBefore + 5, '4 pages + shared_info');
  assert.equal(hv.frames.framesOf(d.id).length, 0);
  assert.equal(hv.mem.read32(b, 0), 0);
  assert.equal(hv.mem.read32(a, 0), 0, 'scrubbed');
});
