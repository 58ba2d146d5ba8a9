/*
 * Grant tables v1 between a scripted guest and Domain 0: mapping only as the grant
 * allows, GTF_reading/GTF_writing held exactly while in use (so the Xen revoke works),
 * copies, the page flip, teardown when either side dies — with the frame audit clean
 * after every step.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XenHost } from '../src/daemon/host.js';
import { auditFrames } from '../src/hv/mm/audit.js';
import { GTF_reading, GTF_writing, GTF_transfer_committed, GTF_transfer_completed, GrantError, grantTables } from '../src/hv/grant-table.js';
import { ScriptedGuest } from './io-support.js';

function clean(host: XenHost): void {
  assert.deepEqual(auditFrames(host.hv), []);
}

function status(fn: () => unknown): number {
  try { fn(); } catch (e) { if (e instanceof GrantError) return e.status; throw e; }
  return 0;
}

test('Domain 0 maps a grant only as it allows, and GTF_reading/GTF_writing track the use', () => {
  const host = new XenHost({ memMiB: 64 });
  const g = new ScriptedGuest(host, 'granter');
  const { mfn, frame } = g.page();
  frame.write(0, new TextEncoder().encode('hello'));
  const ro = g.grant(0, mfn, true);
  const rw = g.grant(0, mfn, false);

  // A read-only grant refuses a writable mapping.
  assert.equal(status(() => host.ctl.grantMap(g.domid, ro, true)), -8);
  const m1 = host.ctl.grantMap(g.domid, ro, false);
  assert.equal(new TextDecoder().decode(m1.view().subarray(0, 5)), 'hello');
  assert.throws(() => m1.write(0, new Uint8Array(1)), GrantError);
  assert.equal(g.flags(ro) & (GTF_reading | GTF_writing), GTF_reading);
  clean(host);

  const m2 = host.ctl.grantMap(g.domid, rw, true);
  m2.write(0, new TextEncoder().encode('HELLO'));
  assert.equal(new TextDecoder().decode(frame.bytes().subarray(0, 5)), 'HELLO');
  assert.equal(g.flags(rw) & (GTF_reading | GTF_writing), GTF_reading | GTF_writing);
  clean(host);

  // In use: the granter cannot revoke; after unmap it can.
  assert.equal(g.endAccess(rw), false);
  host.ctl.grantUnmap(m2);
  assert.equal(g.flags(rw) & (GTF_reading | GTF_writing), 0);
  assert.equal(g.endAccess(rw), true);
  assert.equal(status(() => host.ctl.grantMap(g.domid, rw, false)), -1, 'a revoked grant maps nothing');
  host.ctl.grantUnmap(m1);
  assert.throws(() => m1.view(), GrantError);
  clean(host);
});

test('bogus grants are refused with Xen statuses and change nothing', () => {
  const host = new XenHost({ memMiB: 64 });
  const g = new ScriptedGuest(host, 'bogus');
  const other = new ScriptedGuest(host, 'other');
  const { mfn } = g.page();
  assert.equal(status(() => host.ctl.grantMap(g.domid, 99999, false)), -3, 'ref out of range');
  assert.equal(status(() => host.ctl.grantMap(4242, 8, false)), -2, 'no such domain');
  const wrongDom = g.grant(other.domid, mfn);
  assert.equal(status(() => host.ctl.grantMap(g.domid, wrongDom, false)), -8, 'granted to someone else');
  // A grant naming a frame the granter does not own (the other guest's, a hypervisor frame, not RAM).
  const theirs = other.page().mfn;
  for (const bad of [theirs, host.hv.dom0.sharedInfoMfn, 0x12345, g.d.sharedInfoMfn]) {
    const ref = g.grant(0, bad);
    assert.equal(status(() => host.ctl.grantMap(g.domid, ref, false)), -1, `frame 0x${bad.toString(16)}`);
    assert.equal(g.flags(ref) & (GTF_reading | GTF_writing), 0);
  }
  // A page table cannot be granted writable.
  const l2 = host.hv.domains.get(g.domid)!.vcpus[0]!.baseMfn;
  const pt = g.grant(0, l2);
  assert.equal(status(() => host.ctl.grantMap(g.domid, pt, true)), -1);
  assert.equal(g.flags(pt) & (GTF_reading | GTF_writing), 0, 'a failed map leaves the flags clear');
  clean(host);
});

test('copies go through grants in both directions', () => {
  const host = new XenHost({ memMiB: 64 });
  const g = new ScriptedGuest(host, 'copy');
  const { mfn, frame } = g.page();
  const ref = g.grant(0, mfn);
  host.ctl.grantCopyTo(g.domid, ref, 100, Uint8Array.of(1, 2, 3));
  assert.deepEqual([...frame.bytes().subarray(100, 103)], [1, 2, 3]);
  const out = new Uint8Array(3);
  host.ctl.grantCopyFrom(g.domid, ref, 100, out);
  assert.deepEqual([...out], [1, 2, 3]);
  assert.equal(status(() => host.ctl.grantCopyTo(g.domid, ref, 4095, Uint8Array.of(1, 2))), -10, 'crossing the page');
  assert.equal(g.flags(ref) & (GTF_reading | GTF_writing), 0, 'a copy holds no pin afterwards');
  const roRef = g.grant(0, mfn, true);
  assert.equal(status(() => host.ctl.grantCopyTo(g.domid, roRef, 0, Uint8Array.of(9))), -8);
  // A granted page table cannot be written by copy (it could be mapped read-only, as Xen allows).
  const root = g.d.vcpus[0]!.baseMfn;
  const ptRef = g.grant(0, root);
  const before = host.hv.mem.read32(root, 0);
  assert.equal(status(() => host.ctl.grantCopyTo(g.domid, ptRef, 0, Uint8Array.of(0xff, 0xff, 0xff, 0xff))), -1);
  assert.equal(host.hv.mem.read32(root, 0), before, 'the root table is untouched');
  assert.equal(g.flags(ptRef) & (GTF_reading | GTF_writing), 0);
  const peek = new Uint8Array(4);
  host.ctl.grantCopyFrom(g.domid, ptRef, 0, peek);
  clean(host);
});

test('the page flip gives a frame through an accept_transfer grant', () => {
  const host = new XenHost({ memMiB: 64 });
  const g = new ScriptedGuest(host, 'flip');
  const before = g.d.totPages;
  const ref = g.acceptTransfer(0);
  const mfn = host.ctl.grantTransfer(g.domid, ref, new TextEncoder().encode('packet'));
  assert.equal(host.hv.frames.ownerOf(mfn), g.domid);
  assert.equal(g.d.totPages, before + 1);
  assert.equal(g.frameField(ref), mfn);
  assert.equal(g.flags(ref) & (GTF_transfer_committed | GTF_transfer_completed), GTF_transfer_committed | GTF_transfer_completed);
  assert.equal(new TextDecoder().decode(host.ctl.mapForeign(g.domid, mfn).bytes().subarray(0, 6)), 'packet');
  // The same slot does not take a second page; nor does an entry meant for someone else.
  const free = host.hv.frames.freeFrames;
  assert.equal(status(() => host.ctl.grantTransfer(g.domid, ref, new Uint8Array(1))), -3);
  assert.equal(host.hv.frames.freeFrames, free, 'a refused flip returns its page');
  clean(host);
});

test('mappings are torn down when the granter dies, and every frame comes back', () => {
  const host = new XenHost({ memMiB: 64 });
  const free = host.hv.frames.freeFrames;
  const g = new ScriptedGuest(host, 'dies');
  const { mfn } = g.page();
  const m = host.ctl.grantMap(g.domid, g.grant(0, mfn), true);
  assert.ok(m.alive);
  host.destroy(g.domid);
  assert.equal(m.alive, false, 'the backend mapping went with the granter');
  assert.throws(() => m.view(), GrantError);
  m.unmap(); // harmless afterwards
  assert.equal(host.hv.frames.freeFrames, free, 'the granted frame was freed, not leaked');
  assert.equal(host.hv.frames.ownerOf(mfn), -1);
  clean(host);
  assert.equal([...grantTables(host.hv).mappings()].length, 0);
});
