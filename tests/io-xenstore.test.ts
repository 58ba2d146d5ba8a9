/*
 * xenstored over a guest's real store ring page: requests split across ring fills,
 * replies and watch events (including ones raised by Domain 0 while the guest waits),
 * the standard paths the toolstack writes, guest permissions, and a guest that corrupts
 * its ring indices or sends an oversized message (disconnected; everyone else served).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XenHost } from '../src/daemon/host.js';
import { ScriptedGuest, GuestXs } from './io-support.js';
import { XS_RING, XsType, encodeMessage } from '../src/xenstore/wire.js';

test('a guest reads its standard paths and writes only where the toolstack lets it', () => {
  const host = new XenHost({ memMiB: 64 });
  const g = new ScriptedGuest(host, 'web');
  const xs = new GuestXs(g);
  assert.equal(xs.read('name'), 'web');
  assert.equal(xs.read(`/local/domain/${g.domid}/domid`), String(g.domid));
  assert.equal(xs.read('memory/target'), String(8 * 1024));
  assert.equal(xs.read('console/port'), String(g.rec.built.consolePort));
  assert.throws(() => xs.write('name', 'evil'), /EACCES/);
  assert.throws(() => xs.write('memory/target', '99999'), /EACCES/);
  xs.write('control/feature-poweroff', '1');
  xs.write('data/hello', 'world');
  assert.equal(host.devices.xs.read(`/local/domain/${g.domid}/data/hello`), 'world');
  assert.throws(() => xs.read('/local/domain/0/name'), /EACCES/);
  // A long value goes through the 1 KiB ring in several fills.
  const long = 'x'.repeat(2000);
  xs.write('data/long', long);
  assert.equal(xs.read('data/long'), long);
});

test('watch events reach the guest at once, including changes made by Domain 0', () => {
  const host = new XenHost({ memMiB: 64 });
  const g = new ScriptedGuest(host, 'w');
  const xs = new GuestXs(g);
  xs.watch('control/shutdown', 'sd');
  assert.deepEqual(xs.events, [['control/shutdown', 'sd']], 'fired at registration');
  host.devices.xs.write(`/local/domain/${g.domid}/control/shutdown`, 'poweroff');
  // Nothing from the guest since: the event must already be in its ring.
  const p = host.ctl.mapForeign(g.domid, g.rec.built.storeMfn);
  assert.ok(p.read32(XS_RING.rsp_prod) !== p.read32(XS_RING.rsp_cons), 'event waiting in the ring');
  xs.read('name');
  assert.deepEqual(xs.events.at(-1), ['control/shutdown', 'sd']);
  // Transactions over the ring.
  const t = xs.start();
  xs.write('data/a', '1', t);
  host.devices.xs.write(`/local/domain/${g.domid}/data/a`, 'dom0');
  assert.throws(() => xs.end(t, true), /EAGAIN/);
});

test('a guest that corrupts its store ring is disconnected; others are served', () => {
  const host = new XenHost({ memMiB: 96 });
  const bad = new ScriptedGuest(host, 'bad'), good = new ScriptedGuest(host, 'good');
  const xb = new GuestXs(bad), xg = new GuestXs(good);
  xb.ring.write32(XS_RING.req_prod, xb.ring.read32(XS_RING.req_cons) + 5000);
  bad.notify(bad.rec.built.storePort);
  assert.equal(xb.ring.read32(XS_RING.error), 2, 'XENSTORE_ERROR_RINGIDX');
  assert.ok(host.devices.storeRing(bad.domid)!.broken !== null);
  assert.equal(xg.read('name'), 'good');
  // An oversized payload is a protocol error.
  const g2 = new ScriptedGuest(host, 'big');
  const x2 = new GuestXs(g2);
  const hdr = encodeMessage({ type: XsType.WRITE, reqId: 1, txId: 0, payload: new Uint8Array(0) });
  new DataView(hdr.buffer).setUint32(12, 5000, true);
  x2.raw(hdr);
  assert.equal(x2.ring.read32(XS_RING.error), 3, 'XENSTORE_ERROR_PROTO');
  assert.equal(xg.read('name'), 'good');
  const released: string[] = [];
  host.devices.xs.watch('@releaseDomain', (p) => released.push(p));
  released.length = 0;
  host.destroy(bad.domid);
  assert.deepEqual(released, ['@releaseDomain'], 'fired once');
  assert.equal(host.devices.xenstored.isIntroduced(bad.domid), false);
  assert.equal(host.devices.xs.read(`/local/domain/${bad.domid}/name`), null, 'the toolstack removed its home');
});
