/*
 * Network end to end: netback and the Domain 0 bridge between frontends in two real
 * domains. Echo and bulk transfer in copy mode and page-flip mode, MAC learning,
 * round-robin service, filter rules, drops when no buffer is posted, and hostile
 * frontends (bogus grants, corrupt indices) while the other guest keeps talking.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XenHost } from '../src/daemon/host.js';
import { auditFrames } from '../src/hv/mm/audit.js';
import { ScriptedGuest, ScriptedNetFront, ethFrame } from './io-support.js';
import { SRING } from '../src/backends/ring.js';
import { NETIF_RSP_ERROR, NETIF_RSP_OKAY } from '../src/backends/net/netif.js';
import { parseVifSpec, VifSpecError } from '../src/backends/net/vif-spec.js';

function pair(flipB = false, flipA = false) {
  const host = new XenHost({ memMiB: 128 });
  const a = new ScriptedGuest(host, 'a'), b = new ScriptedGuest(host, 'b');
  host.devices.networkAttach(a.domid, 'mac=00:16:3e:00:00:0a, bridge=xenbr0');
  host.devices.networkAttach(b.domid, 'mac=00:16:3e:00:00:0b, bridge=xenbr0');
  const na = new ScriptedNetFront(a, flipA), nb = new ScriptedNetFront(b, flipB);
  na.connect(); nb.connect();
  return { host, a, b, na, nb };
}

const text = (s: string) => new TextEncoder().encode(s);
const untext = (b: Uint8Array) => new TextDecoder().decode(b);

for (const flip of [false, true]) {
  const mode = flip ? 'page flip' : 'copy';
  test(`two guests echo and transfer in bulk over the bridge (${mode} receive)`, () => {
    const { host, a, b, na, nb } = pair(flip, flip);
    assert.equal(na.mac, '00:16:3e:00:00:0a');
    assert.equal(host.devices.xs.read(`/local/domain/0/backend/vif/${a.domid}/0/state`), '4');
    na.postRx(32); nb.postRx(32);
    // Echo: A → B, B answers.
    na.send(ethFrame(nb.mac, na.mac, text('ping 1')));
    nb.collect();
    assert.equal(nb.received.length, 1);
    assert.equal(untext(nb.received[0]!.subarray(14)), 'ping 1');
    nb.send(ethFrame(na.mac, nb.mac, text('pong 1')));
    na.collect();
    assert.equal(untext(na.received[0]!.subarray(14)), 'pong 1');
    // Bulk: 500 frames of 1514 bytes, the receiver reposting buffers as it consumes.
    const frames = 500;
    let sent = 0;
    const payload = (i: number) => { const p = new Uint8Array(1500); p.fill(i & 0xff); p[0] = i >> 8; p[1] = i & 0xff; return p; };
    while (sent < frames) {
      for (let k = 0; k < 16 && sent < frames; k++, sent++) na.send(ethFrame(nb.mac, na.mac, payload(sent)));
      nb.collect();
      nb.postRx(16);
    }
    nb.collect();
    const got = nb.received.slice(1);
    assert.equal(got.length, frames, `${got.length} of ${frames} frames arrived`);
    got.forEach((f, i) => { assert.equal(f.length, 1514); assert.equal((f[14]! << 8) | f[15]!, i, 'in order'); });
    assert.ok(na.txStatus.every((s) => s === NETIF_RSP_OKAY));
    const st = host.devices.netBackend(b.domid, 0)!.stats;
    assert.equal(st.rxPackets, frames + 1);
    if (flip) {
      assert.equal(st.flips, frames + 1, 'every frame arrived by page flip');
      assert.ok(nb.flipped.every((mfn) => host.hv.frames.ownerOf(mfn) === b.domid), 'flipped pages belong to the receiver');
    }
    // MAC learning: after both spoke, frames were switched, not flooded.
    const br = host.devices.bridges.get('xenbr0')!;
    assert.ok(br.stats.switched >= frames, `switched ${br.stats.switched}, flooded ${br.stats.flooded}`);
    assert.deepEqual(auditFrames(host.hv), []);
  });
}

test('with no buffer posted a flipped packet is dropped and counted; copy mode queues a few', () => {
  const { host, a, b, na, nb } = pair(true, false);
  na.postRx(4);
  na.send(ethFrame(nb.mac, na.mac, text('nobody listens')));
  const st = host.devices.netBackend(b.domid, 0)!.stats;
  assert.equal(st.rxDropped, 1);
  nb.postRx(1);
  na.send(ethFrame(nb.mac, na.mac, text('now')));
  nb.collect();
  assert.deepEqual(nb.received.map((f) => untext(f.subarray(14))), ['now']);
  // Copy mode: a frame waits for the buffer posted just after it.
  nb.send(ethFrame(na.mac, nb.mac, text('early')));
  na.postRx(0);
  assert.equal(host.devices.netBackend(a.domid, 0)!.stats.rxDropped, 0);
  na.collect();
  assert.deepEqual(na.received.map((f) => untext(f.subarray(14))), ['early']);
});

test('flooding, learning, round-robin across interfaces and filter rules', () => {
  const host = new XenHost({ memMiB: 160 });
  const gs = ['a', 'b', 'c'].map((n) => new ScriptedGuest(host, n));
  gs.forEach((g, i) => host.devices.networkAttach(g.domid, `mac=00:16:3e:00:01:0${i}`));
  const fs = gs.map((g) => new ScriptedNetFront(g));
  fs.forEach((f) => { f.connect(); f.postRx(64); });
  // A broadcast reaches both others.
  fs[0]!.send(ethFrame('ff:ff:ff:ff:ff:ff', fs[0]!.mac, text('hello all')));
  fs.forEach((f) => f.collect());
  assert.deepEqual(fs.map((f) => f.received.length), [0, 1, 1]);
  // Unknown unicast floods; once C has spoken, frames to C go only to C.
  fs[0]!.send(ethFrame(fs[2]!.mac, fs[0]!.mac, text('to c?')));
  fs.forEach((f) => f.collect());
  assert.deepEqual(fs.map((f) => f.received.length), [0, 2, 2]);
  fs[2]!.send(ethFrame(fs[0]!.mac, fs[2]!.mac, text('c here')));
  fs[0]!.send(ethFrame(fs[2]!.mac, fs[0]!.mac, text('to c')));
  fs.forEach((f) => f.collect());
  assert.deepEqual(fs.map((f) => f.received.length), [1, 2, 3]);
  // Filter: Domain 0 drops everything B sends.
  const br = host.devices.bridges.get('xenbr0')!;
  br.rules.push({ action: 'drop', src: fs[1]!.mac });
  fs[1]!.send(ethFrame(fs[0]!.mac, fs[1]!.mac, text('blocked')));
  fs.forEach((f) => f.collect());
  assert.deepEqual(fs.map((f) => f.received.length), [1, 2, 3]);
  assert.equal(br.stats.filtered, 1);
  // Round-robin: frames queued on two ports are interleaved when switched.
  br.rules.length = 0;
  const order: string[] = [];
  const orig = fs[2]!;
  const queued = [fs[0]!, fs[1]!];
  // Queue without servicing: pause the bridge by sending from inside a service pass.
  const back0 = host.devices.netBackend(gs[0]!.domid, 0)!;
  const realService = br.service.bind(br);
  br.service = () => {};
  for (let i = 0; i < 3; i++) for (const f of queued) f.send(ethFrame(orig.mac, f.mac, text(`${f.g.rec.config.name}${i}`)));
  br.service = realService;
  br.service();
  orig.collect();
  for (const f of orig.received.slice(3)) order.push(untext(f.subarray(14)));
  // One frame per port in turn: each pair holds one of each port's frames, in order.
  assert.equal(order.length, 6);
  for (let k = 0; k < 3; k++) assert.deepEqual([order[2 * k], order[2 * k + 1]].sort(), [`a${k}`, `b${k}`]);
  assert.ok(back0.stats.txPackets > 0);
});

test('hostile netfronts: bogus grants and bad sizes get errors, corrupt indices disconnect only that interface', () => {
  const { host, a, b, na, nb } = pair();
  na.postRx(16); nb.postRx(16);
  // A tx request naming a grant that does not exist.
  const good = ethFrame(nb.mac, na.mac, text('fine'));
  const tx = na.tx;
  const req = new Uint8Array(12);
  const v = new DataView(req.buffer);
  v.setUint32(0, 4000, true); v.setUint16(8, 999, true); v.setUint16(10, 60, true);
  tx.putRequest(req);
  // And one whose fragment crosses its page.
  v.setUint32(0, a.grant(0, a.page().mfn, true), true); v.setUint16(4, 4090, true); v.setUint16(8, 998, true);
  tx.putRequest(req);
  tx.pushRequests();
  a.notify(na.port);
  na.collect();
  assert.deepEqual(na.txStatus.slice(-2), [NETIF_RSP_ERROR, NETIF_RSP_ERROR]);
  na.send(good);
  nb.collect();
  assert.equal(untext(nb.received.at(-1)!.subarray(14)), 'fine', 'still served after errors');
  // Corrupt the tx ring's producer: that interface is disconnected, B keeps working.
  na.txPage.write32(SRING.req_prod, na.tx.reqProdPvt + 5000);
  a.notify(na.port);
  const ba = host.devices.netBackend(a.domid, 0)!;
  assert.equal(ba.stats.violations, 1);
  assert.equal(ba.connected, false);
  assert.equal(host.devices.xs.read(`/local/domain/0/backend/vif/${a.domid}/0/state`), '5');
  const c = new ScriptedGuest(host, 'c');
  host.devices.networkAttach(c.domid, 'mac=00:16:3e:00:00:0c');
  const nc = new ScriptedNetFront(c);
  nc.connect(); nc.postRx(4);
  nb.send(ethFrame(nc.mac, nb.mac, text('still here')));
  nc.collect();
  assert.equal(untext(nc.received[0]!.subarray(14)), 'still here');
  assert.deepEqual(auditFrames(host.hv), []);
  host.destroy(a.domid);
  assert.deepEqual(auditFrames(host.hv), []);
  assert.deepEqual(host.devices.networkList(a.domid), []);
});

test("xl's vif= syntax", () => {
  assert.deepEqual(parseVifSpec('mac=00:16:3E:AA:BB:CC, bridge=br1, ip=10.0.0.2', 3, 0),
    { mac: '00:16:3e:aa:bb:cc', bridge: 'br1', ip: '10.0.0.2', mtu: 1500 });
  assert.equal(parseVifSpec('', 5, 1).mac, '00:16:3e:00:05:01');
  assert.equal(parseVifSpec('model=e1000,type=vif,script=vif-bridge', 1, 0).bridge, 'xenbr0');
  assert.throws(() => parseVifSpec('mac=01:00:00:00:00:00', 1, 0), VifSpecError);
  assert.throws(() => parseVifSpec('colour=blue', 1, 0), VifSpecError);
  assert.throws(() => parseVifSpec('bridge', 1, 0), VifSpecError);
});

test('a restarted netback picks up the rings where they are and traffic resumes', () => {
  const { host, a, b, na, nb } = pair();
  na.postRx(8); nb.postRx(8);
  na.send(ethFrame(nb.mac, na.mac, text('before')));
  nb.collect();
  host.devices.networkRestart(b.domid, 0);
  assert.equal(host.devices.netBackend(b.domid, 0)!.connected, true);
  na.send(ethFrame(nb.mac, na.mac, text('after')));
  nb.collect();
  nb.send(ethFrame(na.mac, nb.mac, text('reply')));
  na.collect();
  assert.deepEqual(nb.received.map((f) => untext(f.subarray(14))), ['before', 'after']);
  assert.deepEqual(na.received.map((f) => untext(f.subarray(14))), ['reply']);
  assert.deepEqual(auditFrames(host.hv), []);
  void a;
});

test('a flooding guest and bogus receive buffers cost only their owners', () => {
  const { host, a, b, na, nb } = pair();
  na.postRx(4);
  nb.send(ethFrame(na.mac, nb.mac, text('hello'))); // the bridge learns where B is
  const c = new ScriptedGuest(host, 'c'), d = new ScriptedGuest(host, 'd');
  host.devices.networkAttach(c.domid, 'mac=00:16:3e:00:00:0c');
  host.devices.networkAttach(d.domid, 'mac=00:16:3e:00:00:0d');
  const nc = new ScriptedNetFront(c), nd = new ScriptedNetFront(d);
  nc.connect(); nd.connect();
  nd.postRx(8);
  // B posts receive requests naming grants that do not exist.
  const req = new Uint8Array(8);
  const v = new DataView(req.buffer);
  for (let i = 0; i < 4; i++) { v.setUint16(0, 200 + i, true); v.setUint32(4, 3000 + i, true); nb.rx.putRequest(req); }
  nb.rx.pushRequests();
  b.notify(nb.port);
  // A floods B: thousands of frames, more than B will ever post buffers for.
  for (let i = 0; i < 3000; i++) na.send(ethFrame(nb.mac, na.mac, text(`flood ${i}`)));
  const sb = host.devices.netBackend(b.domid, 0)!.stats;
  assert.equal(sb.rxErrors, 4, 'the bogus buffers were answered with errors');
  assert.ok(sb.rxDropped > 2900, `dropped ${sb.rxDropped}`);
  assert.equal(na.txStatus.length, 3000, 'every transmit answered');
  // Meanwhile C and D talk undisturbed.
  nc.send(ethFrame(nd.mac, nc.mac, text('quiet')));
  nd.collect();
  assert.deepEqual(nd.received.map((f) => untext(f.subarray(14))), ['quiet'], 'D saw nothing of the flood');
  assert.deepEqual(auditFrames(host.hv), []);
  void a;
});

test('checksum offload state travels with the frame (csum_blank → csum_blank|data_validated)', () => {
  const { na, nb, b } = pair();
  nb.postRx(4);
  const frame = ethFrame(nb.mac, na.mac, text('offloaded'));
  const page = na.g.page();
  page.frame.write(0, frame);
  const req = new Uint8Array(12);
  const v = new DataView(req.buffer);
  v.setUint32(0, na.g.grant(0, page.mfn, true), true);
  v.setUint16(6, 1 /* NETTXF_csum_blank */, true);
  v.setUint16(8, 77, true);
  v.setUint16(10, frame.length, true);
  na.tx.putRequest(req);
  na.tx.pushRequests();
  na.g.notify(na.port);
  const rsp = new Uint8Array(8);
  assert.equal(nb.rx.unconsumedResponses(), 1);
  nb.rx.takeResponse(rsp);
  const rv = new DataView(rsp.buffer);
  assert.equal(rv.getInt16(6, true), frame.length);
  assert.equal(rv.getUint16(4, true), 2 | 1, 'NETRXF_csum_blank | NETRXF_data_validated');
  void b;
});
