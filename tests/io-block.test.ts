/*
 * Block devices end to end: blkback on a host image file, a frontend in a real domain
 * speaking the blkif ring and the xenbus handshake through the guest's own store ring.
 * Writes, flushes, barriers and reads with many requests in flight; read-only disks; the
 * one-read-write-attachment rule; hostile frontends (corrupt indices, bogus grants,
 * floods) while another guest keeps being served; a backend restart losing no
 * acknowledged write.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XenHost } from '../src/daemon/host.js';
import { auditFrames } from '../src/hv/mm/audit.js';
import { ScriptedGuest, ScriptedBlkFront } from './io-support.js';
import { BLKIF_OP_READ, BLKIF_OP_WRITE, BLKIF_OP_FLUSH_DISKCACHE, BLKIF_OP_WRITE_BARRIER, BLKIF_RSP_ERROR, BLKIF_RSP_OKAY } from '../src/backends/blk/blkif.js';
import { SRING, FrontRing } from '../src/backends/ring.js';
import { BLKIF_REQ_X32, BLKIF_RSP_X32 } from '../src/backends/blk/blkif.js';
import { sharedPage, GuestXs } from './io-support.js';
import { DeviceError } from '../src/backends/devices.js';
import { XenbusState } from '../src/backends/xenbus.js';

const dir = mkdtempSync(join(tmpdir(), 'tsxen-blk-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function image(name: string, mib = 1): string {
  const p = join(dir, name);
  writeFileSync(p, new Uint8Array(mib * 1024 * 1024));
  return p;
}

function pattern(seed: number, bytes: number): Uint8Array {
  const b = new Uint8Array(bytes);
  let x = seed * 2654435761 >>> 0;
  for (let i = 0; i < bytes; i++) { x = (Math.imul(x, 1103515245) + 12345) >>> 0; b[i] = x >>> 24; }
  return b;
}

function setup(spec: (p: string) => string, name = 'g') {
  const host = new XenHost({ memMiB: 96 });
  const g = new ScriptedGuest(host, name);
  const path = image(`${name}-${Math.random().toString(36).slice(2)}.img`);
  host.devices.blockAttach(g.domid, spec(path));
  const front = new ScriptedBlkFront(g);
  front.connect();
  return { host, g, front, path };
}

test('the xenbus handshake connects blkfront and blkback with Xen keys', () => {
  const { host, g, front } = setup((p) => `file:${p},xvda,w`);
  const xs = host.devices.xs;
  const back = `/local/domain/0/backend/vbd/${g.domid}/51712`;
  assert.equal(xs.read(`${back}/state`), String(XenbusState.Connected));
  assert.equal(front.xs.read('device/vbd/51712/state'), String(XenbusState.Connected));
  assert.equal(xs.read(`${back}/sectors`), '2048');
  assert.equal(xs.read(`${back}/feature-flush-cache`), '1');
  assert.equal(xs.read(`${back}/feature-barrier`), '1');
  assert.equal(front.xs.read('device/vbd/51712/backend'), back);
  assert.equal(front.xs.read(`${back}/mode`), 'w', 'the frontend may read its backend directory');
  assert.deepEqual(host.devices.blockList(g.domid).map((b) => [b.vdev, b.mode, b.backState]), [['xvda', 'w', 4]]);
  assert.deepEqual(auditFrames(host.hv), []);
});

test('write, flush, barrier and read back with many requests in flight', () => {
  const { host, g, front, path } = setup((p) => `format=raw, vdev=xvda, access=rw, target=${p}`);
  const N = 31, P = 2 * N;
  const data = pattern(1, P * 4096);
  // 31 one-page writes queued out of order plus a flush fill the ring (32 slots), then one push.
  const order = [...Array(N).keys()].map((i) => (i * 7) % N);
  for (const i of order) front.queue(BLKIF_OP_WRITE, i * 8, data.subarray(i * 4096, (i + 1) * 4096), 8);
  front.queue(BLKIF_OP_FLUSH_DISKCACHE, 0, null, 0);
  front.push();
  // The next 31, then a barrier.
  for (const i of order) front.queue(BLKIF_OP_WRITE, (N + i) * 8, data.subarray((N + i) * 4096, (N + 1 + i) * 4096), 8);
  front.push();
  const bar = front.io(BLKIF_OP_WRITE_BARRIER, 0, data.subarray(0, 4096), 8);
  assert.equal(bar.status, BLKIF_RSP_OKAY);
  assert.equal(front.done.size, 2 * N + 2, 'every request answered');
  assert.ok([...front.done.values()].every((d) => d.status === BLKIF_RSP_OKAY));
  const st = host.devices.blockBackend(g.domid, 51712)!.stats;
  assert.ok(st.hostIos < st.writes, `adjacent writes merged: ${st.hostIos} host I/Os for ${st.writes} writes`);
  assert.equal(st.flushes, 1);
  assert.equal(st.barriers, 1);
  // The host file has exactly the data.
  assert.deepEqual(new Uint8Array(readFileSync(path).subarray(0, P * 4096)), data);
  // Read it back through the ring, 11-segment requests in flight together.
  const ids: number[] = [];
  for (let s = 0; s < P * 8; s += 88) ids.push(front.queue(BLKIF_OP_READ, s, null, Math.min(88, P * 8 - s)));
  front.push();
  const back = new Uint8Array(P * 4096);
  ids.forEach((id, k) => back.set(front.readData.get(id)!, k * 88 * 512));
  assert.deepEqual(back, data);
  assert.equal(front.leakedGrants, 0, 'every grant was revocable when its request was answered');
  assert.deepEqual(auditFrames(host.hv), []);
});

test('a read-only disk refuses writes; a disk is read-write in one domain at a time', () => {
  const host = new XenHost({ memMiB: 128 });
  const a = new ScriptedGuest(host, 'a'), b = new ScriptedGuest(host, 'b'), c = new ScriptedGuest(host, 'c');
  const shared = image('shared.img');
  host.devices.blockAttach(a.domid, `${shared},raw,xvda,ro`);
  host.devices.blockAttach(b.domid, `${shared},raw,xvda,r`);
  assert.throws(() => host.devices.blockAttach(c.domid, `${shared},raw,xvda,w`), DeviceError);
  const rw = image('rw.img');
  host.devices.blockAttach(c.domid, `${rw},raw,xvdb,w`);
  assert.throws(() => host.devices.blockAttach(a.domid, `${rw},raw,xvdb,w`), DeviceError);
  assert.throws(() => host.devices.blockAttach(a.domid, `${rw},raw,xvdb,r`), DeviceError);
  const fa = new ScriptedBlkFront(a);
  fa.connect();
  assert.equal(fa.xs.read(`/local/domain/0/backend/vbd/${a.domid}/51712/info`), '4', 'VDISK_READONLY');
  assert.equal(fa.io(BLKIF_OP_WRITE, 0, pattern(2, 4096), 8).status, BLKIF_RSP_ERROR);
  assert.equal(fa.io(BLKIF_OP_WRITE_BARRIER, 0, pattern(2, 4096), 8).status, BLKIF_RSP_ERROR);
  assert.equal(fa.io(BLKIF_OP_READ, 0, null, 8).status, BLKIF_RSP_OKAY);
  assert.deepEqual(new Uint8Array(readFileSync(shared).subarray(0, 4096)), new Uint8Array(4096), 'nothing was written');
  // Detach frees the rule.
  host.devices.blockDetach(c.domid, 'xvdb');
  host.devices.blockAttach(a.domid, `${rw},raw,xvdb,w`);
});

test('hostile frontends: bogus grants and bad requests get errors, corrupt indices disconnect only that disk, floods are served', () => {
  const host = new XenHost({ memMiB: 128 });
  const bad = new ScriptedGuest(host, 'bad'), good = new ScriptedGuest(host, 'good');
  host.devices.blockAttach(bad.domid, `${image('bad.img')},xvda,w`);
  host.devices.blockAttach(good.domid, `${image('good.img')},xvda,w`);
  const fb = new ScriptedBlkFront(bad), fg = new ScriptedBlkFront(good);
  fb.connect(); fg.connect();
  // Bogus grant refs: out of range, never granted, granted to someone else, a revoked one.
  const other = good.grant(0, good.page().mfn);
  for (const gref of [99999, 3000, other]) {
    const id = fb.queue(BLKIF_OP_WRITE, 0, pattern(3, 4096), 8, [gref]);
    fb.push();
    assert.equal(fb.done.get(id)!.status, BLKIF_RSP_ERROR, `gref ${gref}`);
  }
  // Out-of-range sector, bad segment, unknown operation: errors, and the ring goes on.
  assert.equal(fb.io(BLKIF_OP_READ, 4096, null, 8).status, BLKIF_RSP_ERROR);
  assert.equal(fb.io(77, 0, null, 8).status, -2, 'EOPNOTSUPP');
  assert.equal(fb.io(BLKIF_OP_WRITE, 8, pattern(4, 4096), 8).status, BLKIF_RSP_OKAY, 'still served');
  // A flood: thousands of requests as fast as the ring takes them.
  for (let round = 0; round < 100; round++) {
    for (let i = 0; i < 32; i++) fb.queue(BLKIF_OP_READ, (i * 8) % 2048, null, 8);
    fb.push();
  }
  assert.equal(fb.pending.size, 0, 'the flood was answered in full');
  assert.equal(fg.io(BLKIF_OP_WRITE, 0, pattern(5, 4096), 8).status, BLKIF_RSP_OKAY, 'the other guest is served');
  // Corrupt ring indices: req_prod far ahead.
  fb.ringPage.write32(SRING.req_prod, fb.ring.reqProdPvt + 1000);
  bad.notify(fb.port);
  const bk = host.devices.blockBackend(bad.domid, 51712)!;
  assert.equal(bk.stats.violations, 1);
  assert.equal(bk.connected, false);
  assert.equal(host.devices.xs.read(`/local/domain/0/backend/vbd/${bad.domid}/51712/state`), String(XenbusState.Closing));
  const r = fg.io(BLKIF_OP_READ, 0, null, 8);
  assert.equal(r.status, BLKIF_RSP_OKAY);
  assert.deepEqual(r.data, pattern(5, 4096), 'the other guest still reads its data');
  assert.deepEqual(auditFrames(host.hv), []);
  // The hostile guest dies: everything of it goes, the other stays connected.
  host.destroy(bad.domid);
  assert.equal(fg.io(BLKIF_OP_READ, 0, null, 8).status, BLKIF_RSP_OKAY);
  assert.deepEqual(auditFrames(host.hv), []);
});

test('a restarted backend reconnects its frontend and no acknowledged write is lost', () => {
  const { host, g, front } = setup((p) => `${p},xvda,w`);
  const data = pattern(6, 16 * 4096);
  for (let i = 0; i < 12; i++) front.queue(BLKIF_OP_WRITE, i * 8, data.subarray(i * 4096, (i + 1) * 4096), 8);
  front.push();
  assert.equal(front.done.size, 12);
  // Four more are published but the backend is not told (it is about to die): unanswered.
  for (let i = 12; i < 16; i++) front.queue(BLKIF_OP_WRITE, i * 8, data.subarray(i * 4096, (i + 1) * 4096), 8);
  front.ring.pushRequests();
  assert.equal(front.done.size, 12);
  // The backend goes away (a driver domain crash) and a new one starts.
  const fresh = host.devices.blockRestart(g.domid, 51712);
  // It finds the frontend Connected, maps the same ring from xenstore and carries on where the ring is.
  assert.equal(fresh.connected, true);
  assert.equal(host.devices.xs.read(`/local/domain/0/backend/vbd/${g.domid}/51712/state`), String(XenbusState.Connected));
  front.collect();
  assert.equal(front.done.size, 16, 'the new backend answered the requests the old one never saw');
  assert.equal(fresh.stats.writes, 4, 'and only those');
  const readAll = (): void => {
    const ids: number[] = [];
    for (let i = 0; i < 16; i++) ids.push(front.queue(BLKIF_OP_READ, i * 8, null, 8));
    front.push();
    ids.forEach((id, i) => assert.deepEqual(front.readData.get(id), data.subarray(i * 4096, (i + 1) * 4096), `page ${i}`));
  };
  readAll();
  // A frontend restart (a guest driver reloading) goes round the handshake with a fresh ring.
  host.devices.blockRestart(g.domid, 51712);
  front.xs.write('device/vbd/51712/state', '1');
  assert.equal(host.devices.xs.read(`/local/domain/0/backend/vbd/${g.domid}/51712/state`), String(XenbusState.InitWait));
  front.connect();
  assert.equal(host.devices.blockBackend(g.domid, 51712)!.connected, true);
  readAll();
  assert.deepEqual(auditFrames(host.hv), []);
});

test("a frontend speaking the i386 layout (protocol x86_32-abi) is served in it", () => {
  const host = new XenHost({ memMiB: 64 });
  const g = new ScriptedGuest(host, 'i386');
  const path = image('x32.img');
  host.devices.blockAttach(g.domid, `${path},xvda,w`);
  const xs = new GuestXs(g);
  const rp = g.page();
  const ring = new FrontRing(sharedPage(rp.frame), BLKIF_REQ_X32.SIZE);
  assert.equal(ring.size, 32);
  const port = g.allocPort();
  xs.write('device/vbd/51712/ring-ref', String(g.grant(0, rp.mfn)));
  xs.write('device/vbd/51712/event-channel', String(port));
  xs.write('device/vbd/51712/protocol', 'x86_32-abi');
  xs.write('device/vbd/51712/state', '3');
  assert.equal(xs.read(`/local/domain/0/backend/vbd/${g.domid}/51712/state`), '4');
  const data = pattern(9, 4096);
  const dp = g.page();
  const request = (op: number, id: number, sector: number, readonly: boolean) => {
    const r = new Uint8Array(BLKIF_REQ_X32.SIZE);
    const v = new DataView(r.buffer);
    r[BLKIF_REQ_X32.operation] = op;
    r[BLKIF_REQ_X32.nr_segments] = 1;
    v.setUint32(BLKIF_REQ_X32.id, id, true);
    v.setUint32(BLKIF_REQ_X32.id + 4, 0xabcd, true);
    v.setUint32(BLKIF_REQ_X32.sector_number, sector, true);
    v.setUint32(BLKIF_REQ_X32.seg, g.grant(0, dp.mfn, readonly), true);
    r[BLKIF_REQ_X32.seg + 5] = 7;
    ring.putRequest(r);
  };
  dp.frame.write(0, data);
  request(BLKIF_OP_WRITE, 1, 16, true);
  ring.pushRequests();
  g.notify(port);
  dp.frame.write(0, new Uint8Array(4096));
  request(BLKIF_OP_READ, 2, 16, false);
  ring.pushRequests();
  g.notify(port);
  const rsp = new Uint8Array(BLKIF_RSP_X32.SIZE);
  const rv = new DataView(rsp.buffer);
  const seen: [number, number, number, number][] = [];
  while (ring.unconsumedResponses() > 0) {
    ring.takeResponse(rsp);
    seen.push([rv.getUint32(BLKIF_RSP_X32.id, true), rv.getUint32(BLKIF_RSP_X32.id + 4, true), rsp[BLKIF_RSP_X32.operation]!, rv.getInt16(BLKIF_RSP_X32.status, true)]);
  }
  assert.deepEqual(seen, [[1, 0xabcd, BLKIF_OP_WRITE, 0], [2, 0xabcd, BLKIF_OP_READ, 0]]);
  assert.deepEqual(new Uint8Array(dp.frame.bytes().slice(0, 4096)), data);
  assert.deepEqual(new Uint8Array(readFileSync(path).subarray(16 * 512, 16 * 512 + 4096)), data);
  // An unknown protocol is refused: the backend closes the device.
  const h = new ScriptedGuest(host, 'odd');
  host.devices.blockAttach(h.domid, `${image('odd.img')},xvda,w`);
  const hx = new GuestXs(h);
  const hp = h.page();
  new FrontRing(sharedPage(hp.frame), 112);
  hx.write('device/vbd/51712/ring-ref', String(h.grant(0, hp.mfn)));
  hx.write('device/vbd/51712/event-channel', String(h.allocPort()));
  hx.write('device/vbd/51712/protocol', 'vax-abi');
  hx.write('device/vbd/51712/state', '3');
  assert.equal(hx.read(`/local/domain/0/backend/vbd/${h.domid}/51712/state`), '5');
  assert.deepEqual(auditFrames(host.hv), []);
});
