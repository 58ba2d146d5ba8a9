/*
 * GNTTABOP from a PV guest's own vCPU (the hypercall path a driver domain's backend
 * takes): map_grant_ref into an empty leaf entry of the caller's address space, access
 * through the guest's own page tables, unmap, copy and transfer by guest ops; what
 * happens when the guest overwrites the mapping itself, and when the granter dies while
 * mapped. The caller is a real domain's vCPU 0 (paused), its pointers virtual addresses
 * in its own bootstrap mapping; the frame audit runs after every step.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XenHost } from '../src/daemon/host.js';
import { auditFrames } from '../src/hv/mm/audit.js';
import { GNTTAB_MAP, GNTTAB_UNMAP, GNTTAB_SETUP, GNTTAB_COPY, GNTTAB_QUERY } from '../src/hv/hypercall/grant.js';
import { GNTMAP_host_map, GNTMAP_readonly, GNTTABOP, GNTCOPY_source_gref, GTF_reading, GTF_writing } from '../src/hv/grant-table.js';
import { PvCaller, ScriptedGuest } from './io-support.js';

const VIRT = 0xc0000000;

// Scratch pages in the bootstrap mapping (slack below the 4 MiB boundary).
const OPS = VIRT + 1000 * 4096, HOLE = VIRT + 1010 * 4096, HOLE2 = VIRT + 1011 * 4096, LIST = VIRT + 1001 * 4096;

function mapOp(m: PvCaller, hostAddr: number, flags: number, ref: number, dom: number): { status: number; handle: number } {
  m.mem.writeBytes(OPS, new Uint8Array(GNTTAB_MAP.SIZE));
  m.mem.setU32(OPS + GNTTAB_MAP.host_addr, hostAddr);
  m.mem.setU32(OPS + GNTTAB_MAP.flags, flags);
  m.mem.setU32(OPS + GNTTAB_MAP.ref, ref);
  m.mem.setU16(OPS + GNTTAB_MAP.dom, dom);
  assert.equal(m.op(GNTTABOP.map_grant_ref, OPS, 1), 0);
  return { status: (m.mem.u16(OPS + GNTTAB_MAP.status) << 16) >> 16, handle: m.mem.u32(OPS + GNTTAB_MAP.handle) };
}

function unmapOp(m: PvCaller, hostAddr: number, handle: number): number {
  m.mem.writeBytes(OPS, new Uint8Array(GNTTAB_UNMAP.SIZE));
  m.mem.setU32(OPS + GNTTAB_UNMAP.host_addr, hostAddr);
  m.mem.setU32(OPS + GNTTAB_UNMAP.handle, handle);
  assert.equal(m.op(GNTTABOP.unmap_grant_ref, OPS, 1), 0);
  return (m.mem.u16(OPS + GNTTAB_UNMAP.status) << 16) >> 16;
}

function setup() {
  const host = new XenHost({ memMiB: 96 });
  const granter = new ScriptedGuest(host, 'granter');
  const mapper = new PvCaller(host, 'mapper');
  mapper.unmapVa(HOLE);
  mapper.unmapVa(HOLE2);
  const page = granter.page();
  page.frame.write(0, new TextEncoder().encode('granted data'));
  return { host, granter, mapper, page };
}

test('a PV guest maps a grant into its own address space, reads and writes it, and unmaps it', () => {
  const { host, granter, mapper, page } = setup();
  const ref = granter.grant(mapper.g.domid, page.mfn);
  const r = mapOp(mapper, HOLE, GNTMAP_host_map, ref, granter.domid);
  assert.equal(r.status, 0);
  assert.equal(new TextDecoder().decode(mapper.mem.bytes(HOLE, 12)), 'granted data', 'through the guest\'s own page tables');
  mapper.mem.writeBytes(HOLE, new TextEncoder().encode('GRANTED'));
  assert.equal(new TextDecoder().decode(page.frame.bytes().subarray(0, 7)), 'GRANTED');
  assert.equal(granter.flags(ref) & (GTF_reading | GTF_writing), GTF_reading | GTF_writing);
  assert.deepEqual(auditFrames(host.hv), []);
  // The wrong address does not unmap; the right one does.
  assert.equal(unmapOp(mapper, HOLE2, r.handle), -1);
  assert.equal(unmapOp(mapper, HOLE, r.handle), 0);
  assert.equal(mapper.pteOf(HOLE), 0);
  assert.equal(granter.flags(ref) & (GTF_reading | GTF_writing), 0);
  assert.equal(unmapOp(mapper, HOLE, r.handle), -4, 'a stale handle is GNTST_bad_handle');
  assert.deepEqual(auditFrames(host.hv), []);
  // Read-only: mapped without W; an occupied entry and a missing leaf table are refused.
  const ro = granter.grant(mapper.g.domid, page.mfn, true);
  assert.equal(mapOp(mapper, HOLE, GNTMAP_host_map, ro, granter.domid).status, -8, 'writable map of a read-only grant');
  const r2 = mapOp(mapper, HOLE, GNTMAP_host_map | GNTMAP_readonly, ro, granter.domid);
  assert.equal(r2.status, 0);
  assert.throws(() => mapper.mem.writeBytes(HOLE, Uint8Array.of(1)), /EFAULT/);
  assert.equal(mapOp(mapper, HOLE, GNTMAP_host_map | GNTMAP_readonly, ro, granter.domid).status, -5, 'entry in use');
  assert.equal(mapOp(mapper, 0x40000000, GNTMAP_host_map | GNTMAP_readonly, ro, granter.domid).status, -5, 'no leaf table');
  assert.equal(mapOp(mapper, HOLE2, GNTMAP_host_map, 5000, granter.domid).status, -3);
  assert.equal(mapOp(mapper, HOLE2, GNTMAP_host_map, ro, 999).status, -2);
  assert.equal(unmapOp(mapper, HOLE, r2.handle), 0);
  assert.deepEqual(auditFrames(host.hv), []);
});

test('a guest that overwrites its grant mapping drops its references; it cannot copy the mapping elsewhere', () => {
  const { host, granter, mapper, page } = setup();
  const ref = granter.grant(mapper.g.domid, page.mfn);
  const r = mapOp(mapper, HOLE, GNTMAP_host_map, ref, granter.domid);
  const pte = mapper.pteOf(HOLE);
  // Copying the leaf entry into another slot is refused: the frame is not the guest's.
  const hv = host.hv;
  const slot = hv.mmu.l1EntryFor(mapper.g.d.vcpus[0]!.baseMfn, HOLE2)!;
  assert.throws(() => hv.mmu.updateEntry(slot.mfn * 4096 + slot.off, pte | 0, mapper.g.domid, false), /EPERM/);
  // Overwriting it: an implicit unmap (the references go with the entry).
  mapper.unmapVa(HOLE);
  assert.deepEqual(auditFrames(hv), []);
  assert.equal(granter.flags(ref) & GTF_writing, GTF_writing, 'the pin stays until the handle is unmapped');
  assert.equal(unmapOp(mapper, 0, r.handle), 0);
  assert.equal(granter.flags(ref) & (GTF_reading | GTF_writing), 0);
  assert.deepEqual(auditFrames(hv), []);
});

test('when the granter dies, the mapper\'s leaf entry goes and the frame is freed', () => {
  const { host, granter, mapper, page } = setup();
  const free0 = host.hv.frames.freeFrames;
  const ref = granter.grant(mapper.g.domid, page.mfn);
  mapOp(mapper, HOLE, GNTMAP_host_map, ref, granter.domid);
  host.destroy(granter.domid);
  assert.equal(mapper.pteOf(HOLE), 0);
  assert.throws(() => mapper.mem.bytes(HOLE, 1), /EFAULT/);
  assert.equal(host.hv.frames.ownerOf(page.mfn), -1, 'the granted frame went back to the pool');
  assert.ok(host.hv.frames.freeFrames > free0);
  assert.deepEqual(auditFrames(host.hv), []);
  // And the other way: the mapper dies while mapped; the granter can revoke afterwards.
  const g2 = new ScriptedGuest(host, 'g2');
  const p2 = g2.page();
  const m2 = new PvCaller(host, 'm2');
  m2.unmapVa(HOLE);
  const ref2 = g2.grant(m2.g.domid, p2.mfn);
  mapOp(m2, HOLE, GNTMAP_host_map, ref2, g2.domid);
  host.destroy(m2.g.domid);
  assert.equal(g2.flags(ref2) & (GTF_reading | GTF_writing), 0);
  assert.equal(g2.endAccess(ref2), true);
  assert.deepEqual(auditFrames(host.hv), []);
});

test('setup_table, query_size and copy by guest ops', () => {
  const { host, granter, mapper, page } = setup();
  const m = mapper.mem;
  m.writeBytes(OPS, new Uint8Array(GNTTAB_SETUP.SIZE));
  m.setU16(OPS + GNTTAB_SETUP.dom, 0x7ff0);
  m.setU32(OPS + GNTTAB_SETUP.nr_frames, 2);
  m.setU32(OPS + GNTTAB_SETUP.frame_list, LIST);
  assert.equal(mapper.op(GNTTABOP.setup_table, OPS, 1), 0);
  assert.equal(m.u16(OPS + GNTTAB_SETUP.status), 0);
  const f0 = m.u32(LIST);
  assert.ok(host.hv.frames.ownerOf(f0) === mapper.g.domid);
  m.setU32(OPS + GNTTAB_SETUP.nr_frames, 1000);
  mapper.op(GNTTABOP.setup_table, OPS, 1);
  assert.equal((m.u16(OPS + GNTTAB_SETUP.status) << 16) >> 16, -1, 'over max_grant_frames');
  m.writeBytes(OPS, new Uint8Array(GNTTAB_QUERY.SIZE));
  m.setU16(OPS + GNTTAB_QUERY.dom, granter.domid);
  mapper.op(GNTTABOP.query_size, OPS, 1);
  assert.equal((m.u16(OPS + GNTTAB_QUERY.status) << 16) >> 16, -8, 'another domain\'s table');
  // Copy from the granter's grant into the mapper's own frame (by MFN).
  const ref = granter.grant(mapper.g.domid, page.mfn, true);
  const dst = mapper.g.page();
  m.writeBytes(OPS, new Uint8Array(GNTTAB_COPY.SIZE));
  m.setU32(OPS + GNTTAB_COPY.source + GNTTAB_COPY.u, ref);
  m.setU16(OPS + GNTTAB_COPY.source + GNTTAB_COPY.domid, granter.domid);
  m.setU32(OPS + GNTTAB_COPY.dest + GNTTAB_COPY.u, dst.mfn);
  m.setU16(OPS + GNTTAB_COPY.dest + GNTTAB_COPY.domid, 0x7ff0);
  m.setU16(OPS + GNTTAB_COPY.dest + GNTTAB_COPY.offset, 100);
  m.setU16(OPS + GNTTAB_COPY.len, 12);
  m.setU16(OPS + GNTTAB_COPY.flags, GNTCOPY_source_gref);
  assert.equal(mapper.op(GNTTABOP.copy, OPS, 1), 0);
  assert.equal(m.u16(OPS + GNTTAB_COPY.status), 0);
  assert.equal(new TextDecoder().decode(dst.frame.bytes().subarray(100, 112)), 'granted data');
  // A granted page table as the destination: refused, untouched.
  const root = granter.d.vcpus[0]!.baseMfn;
  const ptRef = granter.grant(mapper.g.domid, root);
  const before = host.hv.mem.read32(root, 0);
  m.setU32(OPS + GNTTAB_COPY.source + GNTTAB_COPY.u, dst.mfn);
  m.setU16(OPS + GNTTAB_COPY.source + GNTTAB_COPY.domid, 0x7ff0);
  m.setU32(OPS + GNTTAB_COPY.dest + GNTTAB_COPY.u, ptRef);
  m.setU16(OPS + GNTTAB_COPY.dest + GNTTAB_COPY.domid, granter.domid);
  m.setU16(OPS + GNTTAB_COPY.dest + GNTTAB_COPY.offset, 0);
  m.setU16(OPS + GNTTAB_COPY.flags, 2);
  mapper.op(GNTTABOP.copy, OPS, 1);
  assert.equal((m.u16(OPS + GNTTAB_COPY.status) << 16) >> 16, -1);
  assert.equal(host.hv.mem.read32(root, 0), before);
  m.setU32(OPS + GNTTAB_COPY.source + GNTTAB_COPY.u, ref);
  m.setU16(OPS + GNTTAB_COPY.source + GNTTAB_COPY.domid, granter.domid);
  m.setU32(OPS + GNTTAB_COPY.dest + GNTTAB_COPY.u, dst.mfn);
  m.setU16(OPS + GNTTAB_COPY.dest + GNTTAB_COPY.domid, 0x7ff0);
  m.setU16(OPS + GNTTAB_COPY.flags, GNTCOPY_source_gref);
  // A destination frame that is not the caller's.
  m.setU32(OPS + GNTTAB_COPY.dest + GNTTAB_COPY.u, page.mfn);
  mapper.op(GNTTABOP.copy, OPS, 1);
  assert.equal((m.u16(OPS + GNTTAB_COPY.status) << 16) >> 16, -9);
  assert.throws(() => mapper.op(99, OPS, 1), /ENOSYS/, 'the dispatcher returns it as -ENOSYS');
  assert.deepEqual(auditFrames(host.hv), []);
});
