/*
 * The generic ring's index arithmetic on a plain page: wrap-around at 2^32, the
 * req_event/rsp_event notification hold-off, the final check that closes the race with
 * a producer that did not notify, copy-out of requests, and the backend's refusal of
 * impossible producer indices.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BackRing, FrontRing, RingError, SRING, ringSize, type SharedPage } from './ring.js';

function page(): SharedPage & { bytes: Uint8Array } {
  const bytes = new Uint8Array(4096);
  const v = new DataView(bytes.buffer);
  return {
    bytes,
    read32: (o) => v.getInt32(o, true),
    write32: (o, x) => v.setInt32(o, x | 0, true),
    view: () => bytes,
    write: (o, b) => bytes.set(b, o),
  };
}

function req(n: number, size = 112): Uint8Array {
  const b = new Uint8Array(size);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

test('ring sizes are Xen\'s', () => {
  assert.equal(ringSize(112), 32);
  assert.equal(ringSize(12), 256);
  assert.equal(ringSize(8), 256);
  assert.equal(ringSize(16), 128);
});

test('indices wrap at 2^32; responses answer requests in any order', () => {
  const p = page();
  const front = new FrontRing(p, 112);
  // Start both sides just below the wrap, as after a long uptime.
  const start = 0xffff_fff0;
  front.reqProdPvt = front.rspCons = start;
  p.write32(SRING.req_prod, start); p.write32(SRING.rsp_prod, start);
  const back = new BackRing(p, 112, start);
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 32; i++) front.putRequest(req(round * 100 + i));
    assert.equal(front.freeRequests(), 0);
    front.pushRequests();
    assert.equal(back.unconsumed(), 32);
    const got: number[] = [];
    const b = new Uint8Array(112);
    while (back.unconsumed() > 0) { back.copyRequest(b); got.push(new DataView(b.buffer).getUint32(0, true)); }
    // Answer in reverse: matched by id, not by position.
    for (const id of got.reverse()) back.putResponse(req(id, 16));
    back.pushResponses();
    const ids: number[] = [];
    const r = new Uint8Array(16);
    while (front.unconsumedResponses() > 0) { front.takeResponse(r); ids.push(new DataView(r.buffer).getUint32(0, true)); }
    assert.deepEqual(ids.sort((x, y) => x - y), [...Array(32).keys()].map((i) => round * 100 + i));
  }
  assert.ok(front.reqProdPvt < start, 'the indices wrapped');
});

test('notification hold-off: notify only when the peer asked, and the final check sees late work', () => {
  const p = page();
  const front = new FrontRing(p, 112);
  const back = new BackRing(p, 112);
  front.putRequest(req(1));
  assert.equal(front.pushRequests(), true, 'req_event starts at 1');
  // The backend is busy (has not re-armed): more requests need no notification.
  front.putRequest(req(2));
  assert.equal(front.pushRequests(), false);
  const b = new Uint8Array(112);
  back.copyRequest(b); back.copyRequest(b);
  assert.equal(back.finalCheck(), false, 'nothing more: req_event armed');
  assert.equal(p.read32(SRING.req_event), 3);
  front.putRequest(req(3));
  assert.equal(front.pushRequests(), true, 'armed: notify');
  // A request published after the check but before arming is seen by the re-check.
  back.copyRequest(b);
  p.write32(SRING.req_prod, p.read32(SRING.req_prod) + 1); // a producer that did not notify
  assert.equal(back.finalCheck(), true);
  // Responses: the frontend arms rsp_event the same way.
  back.putResponse(req(1, 16));
  assert.equal(back.pushResponses(), true, 'rsp_event starts at 1');
  back.putResponse(req(2, 16));
  assert.equal(back.pushResponses(), false);
});

test('the backend copies a request before reading it, and refuses impossible producers', () => {
  const p = page();
  const front = new FrontRing(p, 112);
  const back = new BackRing(p, 112);
  front.putRequest(req(7));
  front.pushRequests();
  const b = new Uint8Array(112);
  back.copyRequest(b);
  p.bytes.fill(0xff, SRING.ring, SRING.ring + 112); // the frontend scribbles afterwards
  assert.equal(new DataView(b.buffer).getUint32(0, true), 7, 'the copy is unaffected');
  p.write32(SRING.req_prod, back.rspProdPvt + 33);
  assert.throws(() => back.unconsumed(), RingError);
  p.write32(SRING.req_prod, back.rspProdPvt - 1);
  assert.throws(() => back.unconsumed(), RingError, 'behind the responses is impossible too');
  // A frontend that has not answered is bounded by the ring: at most 32 outstanding.
  const p2 = page();
  const back2 = new BackRing(p2, 112);
  p2.write32(SRING.req_prod, 32);
  assert.equal(back2.unconsumed(), 32);
  for (let i = 0; i < 32; i++) back2.copyRequest(b);
  assert.equal(back2.unconsumed(), 0, 'no room until responses are produced');
  const f2 = new FrontRing(p2, 112, false);
  f2.rspCons = 0;
  p2.write32(SRING.rsp_prod, 40);
  assert.throws(() => f2.unconsumedResponses(), RingError, 'the frontend checks the backend too');
});
