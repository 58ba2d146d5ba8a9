/*
 * Compiled PV guests (guests/minios, drivers/) against Domain 0's backends: guests write,
 * flush, barrier and re-read their own disks through blkfront and exchange frames through
 * netfront and the bridge (copy and page flip); the frame audit is clean afterwards and
 * every frame comes back when they are gone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XenHost } from '../src/daemon/host.js';
import { parseConfig } from '../src/toolstack/config.js';
import { auditFrames } from '../src/hv/mm/audit.js';
import { MINIOS } from './io-support.js';
import { image } from './support/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'tsxen-guests-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function disk(name: string): string {
  const p = join(dir, name);
  writeFileSync(p, new Uint8Array(4 * 1024 * 1024));
  return p;
}

function passes(text: string, prefix: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(`PASS ${prefix}`)).map((l) => l.slice(5).trim());
}

test('two guests each write, flush and re-read their own disk through blkfront', () => {
  const host = new XenHost({ memMiB: 96 });
  const free = host.hv.frames.freeFrames;
  const recs = ['d1', 'd2'].map((n) => host.create(parseConfig(
    `name = "${n}"\nkernel = "minios-pv.elf"\nmemory = 8\ncmdline = "blk"\ndisk = [ "file:${disk(`${n}.img`)},xvda,w" ]\n`, `${n}.cfg`),
  { kernel: MINIOS }));
  assert.equal(host.run(6e9), 'done');
  for (const r of recs) {
    const out = r.console.recent();
    assert.ok(/minios: done \d+ passed 0 failed/.test(out), out);
    for (const t of ['blk-connect', 'blk-write-read', 'blk-flush-barrier', 'blk-full-ring', 'blk-disconnect']) {
      assert.ok(passes(out, 'blk').includes(t), `${r.config.name}: no PASS ${t}\n${out}`);
    }
  }
  assert.deepEqual(auditFrames(host.hv), []);
  assert.equal(host.hv.frames.freeFrames, free, 'every frame came back');
  assert.deepEqual(host.devices.blockList(), []);
});

for (const flip of [false, true]) {
  test(`two compiled guests exchange frames over the bridge: echo and bulk (${flip ? 'page flip' : 'copy'})`, () => {
    const host = new XenHost({ memMiB: 96 });
    const free = host.hv.frames.freeFrames;
    const w = flip ? ' rx-flip' : '';
    const a = host.create(parseConfig(`name = "echo"\nkernel = "minios-pv.elf"\nmemory = 8\n` +
      `cmdline = "net-echo count=220${w}"\nvif = [ "mac=00:16:3e:00:00:0a" ]\n`, 'a.cfg'), { kernel: MINIOS });
    const b = host.create(parseConfig(`name = "bulk"\nkernel = "minios-pv.elf"\nmemory = 8\n` +
      `cmdline = "net-bulk peer-mac=00:16:3e:00:00:0a count=200${w}"\nvif = [ "mac=00:16:3e:00:00:0b" ]\n`, 'b.cfg'), { kernel: MINIOS });
    const c = host.create(parseConfig(`name = "ping"\nkernel = "minios-pv.elf"\nmemory = 8\n` +
      `cmdline = "net-ping peer-mac=00:16:3e:00:00:0a count=20${w}"\nvif = [ "mac=00:16:3e:00:00:0c" ]\n`, 'c.cfg'), { kernel: MINIOS });
    assert.equal(host.run(20e9), 'done');
    for (const [r, t] of [[a, 'net-echo'], [b, 'net-bulk'], [c, 'net-ping']] as const) {
      const out = r.console.recent();
      assert.ok(passes(out, 'net').includes(t), `${r.config.name}: no PASS ${t}\n${out}`);
      assert.ok(passes(out, 'net').includes('net-connect'), out);
      assert.ok(out.includes(flip ? 'receive by page flipping' : 'receive by copy'), out);
    }
    assert.deepEqual(auditFrames(host.hv), []);
    assert.equal(host.hv.frames.freeFrames, free, 'every frame came back');
  });
}

test('two guests exchange data over the network and each writes, flushes and re-reads its own disk', () => {
  const host = new XenHost({ memMiB: 96 });
  const free = host.hv.frames.freeFrames;
  const images = ['a', 'b'].map((n) => disk(`both-${n}.img`));
  const a = host.create(parseConfig(`name = "a"\nkernel = "minios-pv.elf"\nmemory = 8\ncmdline = "blk net-echo count=150"\n` +
    `disk = [ "file:${images[0]},xvda,w" ]\nvif = [ "mac=00:16:3e:00:01:0a" ]\n`, 'a.cfg'), { kernel: MINIOS });
  const b = host.create(parseConfig(`name = "b"\nkernel = "minios-pv.elf"\nmemory = 8\n` +
    `cmdline = "blk net-bulk peer-mac=00:16:3e:00:01:0a count=150"\n` +
    `disk = [ "file:${images[1]},xvda,w" ]\nvif = [ "mac=00:16:3e:00:01:0b" ]\n`, 'b.cfg'), { kernel: MINIOS });
  // While they run, each disk and interface is theirs alone.
  assert.deepEqual(host.devices.blockList().map((x) => [x.domid, x.target]), [[a.domid, images[0]], [b.domid, images[1]]]);
  assert.equal(host.run(20e9), 'done');
  for (const [r, net] of [[a, 'net-echo'], [b, 'net-bulk']] as const) {
    const out = r.console.recent();
    assert.ok(/minios: done \d+ passed 0 failed/.test(out), out);
    for (const t of ['blk-connect', 'blk-write-read', 'blk-flush-barrier', 'blk-disconnect']) assert.ok(passes(out, 'blk').includes(t), `${r.config.name}: ${t}\n${out}`);
    assert.ok(passes(out, 'net').includes(net), `${r.config.name}: ${net}\n${out}`);
  }
  // What they wrote is in their own image files.
  const [da, db] = images.map((p) => new Uint8Array(readFileSync(p)));
  assert.ok(da!.some((x) => x !== 0) && db!.some((x) => x !== 0), 'both disks were written');
  assert.deepEqual(auditFrames(host.hv), []);
  assert.equal(host.hv.frames.freeFrames, free, 'every frame came back');
});

test('a hostile guest lying to its block and network backends (and to xenstore and the grant table) bothers nobody else', () => {
  const host = new XenHost({ memMiB: 128 });
  const free = host.hv.frames.freeFrames;
  const hostileKernel = readFileSync(image('hostile.elf'));
  const images = ['v1', 'v2', 'h'].map((n) => disk(`hostile-${n}.img`));
  const v1 = host.create(parseConfig(`name = "v1"\nkernel = "minios-pv.elf"\nmemory = 8\ncmdline = "blk net-echo count=60"\n` +
    `disk = [ "file:${images[0]},xvda,w" ]\nvif = [ "mac=00:16:3e:00:02:01" ]\n`, 'v1.cfg'), { kernel: MINIOS });
  const h = host.create(parseConfig(`name = "h"\nkernel = "hostile.elf"\nmemory = 8\ncmdline = "io"\n` +
    `disk = [ "file:${images[2]},xvda,w" ]\nvif = [ "mac=00:16:3e:00:02:0f" ]\n`, 'h.cfg'), { kernel: hostileKernel });
  const v2 = host.create(parseConfig(`name = "v2"\nkernel = "minios-pv.elf"\nmemory = 8\n` +
    `cmdline = "blk net-bulk peer-mac=00:16:3e:00:02:01 count=60"\n` +
    `disk = [ "file:${images[1]},xvda,w" ]\nvif = [ "mac=00:16:3e:00:02:02" ]\n`, 'v2.cfg'), { kernel: MINIOS });
  const hdone = () => /hostile: done \d+ refused \d+ broken \d+ controls failed/.test(h.console.recent());
  assert.ok(host.runUntil(() => v1.ended !== null && v2.ended !== null && hdone(), 40e9), 'everyone finished');
  const ho = h.console.recent();
  const sum = /hostile: done (\d+) refused (\d+) broken (\d+) controls failed/.exec(ho)!;
  assert.equal(Number(sum[2]), 0, `BROKEN lines:\n${ho.split('\n').filter((l) => l.startsWith('BROKEN')).join('\n')}`);
  assert.equal(Number(sum[3]), 0, `failed controls:\n${ho.split('\n').filter((l) => l.startsWith('FAIL')).join('\n')}`);
  for (const t of ['blk-ring-index-jump', 'blk-ungranted-gref', 'net-ring-index-jump', 'net-endless-chain', 'net-ungranted-gref']) {
    assert.ok(ho.includes(`REFUSED ${t}`), `${t} not tried:\n${ho}`);
  }
  for (const [r, net] of [[v1, 'net-echo'], [v2, 'net-bulk']] as const) {
    const out = r.console.recent();
    assert.ok(/minios: done \d+ passed 0 failed/.test(out), out);
    assert.ok(passes(out, 'net').includes(net) && passes(out, 'blk').includes('blk-flush-barrier'), out);
  }
  assert.deepEqual(auditFrames(host.hv), []);
  host.destroy(h.domid);
  assert.deepEqual(auditFrames(host.hv), []);
  assert.equal(host.hv.frames.freeFrames, free, 'every frame came back');
  assert.deepEqual(host.devices.blockList(), []);
  assert.deepEqual(host.devices.networkList(), []);
});
