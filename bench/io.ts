/*
 * `npm run bench:io`: split-driver I/O through Domain 0's backends.
 *
 *   block    blkback on a raw host image file, driven by a frontend in a real domain
 *            (tests/io-support.ts: the guest side played by TypeScript over the guest's
 *            own frames, grants and event channels). Sequential reads and writes of 44 KiB
 *            requests (11 segments) and random 4 KiB reads and writes, 32 in flight; beside
 *            each, the raw host path: the same reads and writes issued by Domain 0 straight
 *            to the image file. The rest of the time is broken down into host I/O inside
 *            blkback, grant map/unmap and copies, ring and request handling in blkback,
 *            and the frontend's own work.
 *   network  two domains on the bridge: bulk transfer of 1514-byte frames A → B and
 *            the round-trip latency of 64-byte ping-pong, in copy mode and page-flip mode.
 *
 *   guests   the same exchanges between two compiled minios guests (netfront.c), echo
 *            plus ping or bulk, copy and flip, in virtual cycles (reproducible).
 *
 * The block and first network figures are wall clock in this process (their frontends
 * are TypeScript, so there is no guest virtual time); each is the best of three runs.
 * Output: a table on stdout and bench/results/io.json.
 */

import { mkdirSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync, writeSync, closeSync, fsyncSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { XenHost } from '../src/daemon/host.js';
import { parseConfig } from '../src/toolstack/config.js';
import { ScriptedGuest, ScriptedBlkFront, ScriptedNetFront, ethFrame } from '../tests/io-support.js';
import { BLKIF_OP_READ, BLKIF_OP_WRITE, BLKIF_OP_FLUSH_DISKCACHE } from '../src/backends/blk/blkif.js';
import type { BlkStats } from '../src/backends/blk/blkback.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DISK_MIB = 16;
const SECTORS = DISK_MIB * 2048;
const tmp = mkdtempSync(path.join(tmpdir(), 'tsxen-bench-io-'));

interface BlockRow {
  name: string;
  requests: number;
  bytes: number;
  ms: number;
  rawMs: number;
  breakdown: { hostIoMs: number; grantMs: number; blkbackOtherMs: number; frontendMs: number };
}

function best<T extends { ms: number }>(runs: (() => T)[]): T {
  let b: T | null = null;
  for (const r of runs) { const x = r(); if (b === null || x.ms < b.ms) b = x; }
  return b!;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return s; };
}

/** The offsets (sectors) and sizes of one workload. */
function workload(kind: 'seq' | 'rand', nsect: number, count: number): number[] {
  const r = rng(42);
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    out.push(kind === 'seq' ? (i * nsect) % SECTORS : (r() % (SECTORS / nsect)) * nsect);
  }
  return out;
}

/** Publishes the queued requests and notifies: the time blkback takes to serve them (all of it runs inside the notification). */
function serve(f: ScriptedBlkFront): number {
  const notify = f.ring.pushRequests();
  const t = performance.now();
  if (notify) f.g.notify(f.port);
  const ms = performance.now() - t;
  f.collect();
  return ms;
}

function blockRun(name: string, op: number, kind: 'seq' | 'rand', nsect: number, count: number): BlockRow {
  const file = path.join(tmp, `${name}.img`);
  writeFileSync(file, new Uint8Array(DISK_MIB * 1024 * 1024).fill(0x5a));
  const host = new XenHost({ memMiB: 64 });
  const g = new ScriptedGuest(host, 'bench');
  host.devices.blockAttach(g.domid, `${file},raw,xvda,w`);
  const f = new ScriptedBlkFront(g);
  f.connect();
  const data = new Uint8Array(nsect * 512).fill(0xa5);
  const offs = workload(kind, nsect, count);
  const back = host.devices.blockBackend(g.domid, 51712)!;
  const s0: BlkStats = { ...back.stats };
  let pushMs = 0;
  const t0 = performance.now();
  for (let i = 0; i < count; i += 32) {
    for (let k = i; k < Math.min(count, i + 32); k++) f.queue(op, offs[k]!, op === BLKIF_OP_WRITE ? data : null, nsect);
    pushMs += serve(f);
  }
  if (op === BLKIF_OP_WRITE) { f.queue(BLKIF_OP_FLUSH_DISKCACHE, 0, null, 0); pushMs += serve(f); }
  const ms = performance.now() - t0;
  if (f.pending.size !== 0) throw new Error(`${name}: ${f.pending.size} requests unanswered`);
  const st = back.stats;
  const hostIoMs = st.hostMs - s0.hostMs, grantMs = st.grantMs - s0.grantMs;
  // serve() times the notification, which runs all of blkback's service synchronously.
  const row: BlockRow = {
    name, requests: count, bytes: count * nsect * 512, ms, rawMs: 0,
    breakdown: { hostIoMs, grantMs, blkbackOtherMs: Math.max(0, pushMs - hostIoMs - grantMs), frontendMs: ms - pushMs },
  };
  host.destroy(g.domid);
  // The raw host path: the same I/Os, straight to the file.
  const fd = openSync(file, 'r+');
  const buf = Buffer.alloc(nsect * 512, 0xa5);
  const r0 = performance.now();
  for (const o of offs) {
    if (op === BLKIF_OP_WRITE) writeSync(fd, buf, 0, buf.length, o * 512);
    else readSync(fd, buf, 0, buf.length, o * 512);
  }
  if (op === BLKIF_OP_WRITE) fsyncSync(fd);
  row.rawMs = performance.now() - r0;
  closeSync(fd);
  rmSync(file);
  return row;
}

interface NetRow { name: string; frames: number; bytes: number; ms: number; flips: number; drops: number }

function netBulk(flip: boolean, frames: number): NetRow {
  const host = new XenHost({ memMiB: 128 });
  const a = new ScriptedGuest(host, 'a', 'maxmem = 32'), b = new ScriptedGuest(host, 'b', 'maxmem = 32');
  host.devices.networkAttach(a.domid, 'mac=00:16:3e:00:00:0a');
  host.devices.networkAttach(b.domid, 'mac=00:16:3e:00:00:0b');
  const na = new ScriptedNetFront(a), nb = new ScriptedNetFront(b, flip);
  na.connect(); nb.connect();
  nb.postRx(64);
  const frame = ethFrame('00:16:3e:00:00:0b', '00:16:3e:00:00:0a', new Uint8Array(1500));
  const t0 = performance.now();
  let sent = 0;
  while (sent < frames) {
    for (let k = 0; k < 32 && sent < frames; k++, sent++) na.send(frame);
    nb.collect();
    nb.postRx(32);
    if (flip) for (const mfn of nb.flipped.splice(0)) void mfn;
  }
  nb.collect();
  const ms = performance.now() - t0;
  const st = host.devices.netBackend(b.domid, 0)!.stats;
  if (nb.received.length !== frames) throw new Error(`bulk: ${nb.received.length} of ${frames} frames arrived (${st.rxDropped} dropped)`);
  return { name: `bulk ${flip ? 'flip' : 'copy'}`, frames, bytes: frames * frame.length, ms, flips: st.flips, drops: st.rxDropped };
}

function netRtt(flip: boolean, rounds: number): NetRow {
  const host = new XenHost({ memMiB: 128 });
  const a = new ScriptedGuest(host, 'a', 'maxmem = 32'), b = new ScriptedGuest(host, 'b', 'maxmem = 32');
  host.devices.networkAttach(a.domid, 'mac=00:16:3e:00:00:0a');
  host.devices.networkAttach(b.domid, 'mac=00:16:3e:00:00:0b');
  const na = new ScriptedNetFront(a, flip), nb = new ScriptedNetFront(b, flip);
  na.connect(); nb.connect();
  na.postRx(8); nb.postRx(8);
  const ping = ethFrame('00:16:3e:00:00:0b', '00:16:3e:00:00:0a', new Uint8Array(50));
  const pong = ethFrame('00:16:3e:00:00:0a', '00:16:3e:00:00:0b', new Uint8Array(50));
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) {
    na.send(ping);
    nb.collect(); nb.postRx(1);
    nb.send(pong);
    na.collect(); na.postRx(1);
  }
  const ms = performance.now() - t0;
  if (na.received.length !== rounds) throw new Error(`rtt: ${na.received.length} of ${rounds} pongs`);
  return { name: `rtt ${flip ? 'flip' : 'copy'}`, frames: rounds, bytes: rounds * 128, ms, flips: host.devices.netBackend(a.domid, 0)!.stats.flips, drops: 0 };
}

interface GuestNetRow { name: string; count: number; cycles: number; wallMs: number }

/**
 * The same exchanges between two compiled minios guests (drivers/netfront.c): an echoing
 * domain and a pinging or bulk-sending one; BENCH lines are virtual cycles of the sender.
 */
function guestNet(mode: 'net-ping' | 'net-bulk', flip: boolean, count: number): GuestNetRow {
  const kernel = readFileSync(path.join(ROOT, 'guests/images/minios-pv.elf'));
  const host = new XenHost({ memMiB: 64 });
  const w = flip ? ' rx-flip' : '';
  host.create(parseConfig(`name = "echo"\nkernel = "k"\nmemory = 8\ncmdline = "net-echo count=${count}${w}"\n` +
    'vif = [ "mac=00:16:3e:00:00:0a" ]\n', 'echo.cfg'), { kernel });
  const s = host.create(parseConfig(`name = "sender"\nkernel = "k"\nmemory = 8\n` +
    `cmdline = "${mode} peer-mac=00:16:3e:00:00:0a count=${count}${w}"\nvif = [ "mac=00:16:3e:00:00:0b" ]\n`, 's.cfg'), { kernel });
  const t0 = performance.now();
  host.run(50e9);
  const wallMs = performance.now() - t0;
  const out = s.console.recent();
  const m = /^BENCH (\S+) (\d+) (\d+)/m.exec(out);
  if (m === null || !/passed 0 failed/.test(out)) throw new Error(`${mode}: ${out}`);
  return { name: `${m[1]} ${flip ? 'flip' : 'copy'}`, count: Number(m[2]), cycles: Number(m[3]), wallMs };
}

function main(): void {
  // Warm up the JIT of every path once.
  blockRun('warm', BLKIF_OP_WRITE, 'seq', 88, 64);
  netBulk(false, 64); netBulk(true, 64); netRtt(false, 32);

  const block: BlockRow[] = [
    best([1, 2, 3].map(() => () => blockRun('seq write 44K', BLKIF_OP_WRITE, 'seq', 88, 1024))),
    best([1, 2, 3].map(() => () => blockRun('seq read 44K', BLKIF_OP_READ, 'seq', 88, 1024))),
    best([1, 2, 3].map(() => () => blockRun('rand write 4K', BLKIF_OP_WRITE, 'rand', 8, 4096))),
    best([1, 2, 3].map(() => () => blockRun('rand read 4K', BLKIF_OP_READ, 'rand', 8, 4096))),
  ];
  const net: NetRow[] = [
    best([1, 2, 3].map(() => () => netBulk(false, 4000))),
    best([1, 2, 3].map(() => () => netBulk(true, 4000))),
    best([1, 2, 3].map(() => () => netRtt(false, 2000))),
    best([1, 2, 3].map(() => () => netRtt(true, 2000))),
  ];

  const mbs = (bytes: number, ms: number) => (bytes / 1048576) / (ms / 1000);
  console.log('block (blkback on a raw image file; 32 requests in flight)');
  console.log('workload        MB/s   IOPS  | raw MB/s  raw IOPS | blkback/raw | host-io  grants  blkback-other  frontend (ms)');
  for (const r of block) {
    const b = r.breakdown;
    console.log(`${r.name.padEnd(14)} ${mbs(r.bytes, r.ms).toFixed(1).padStart(6)} ${Math.round(r.requests / (r.ms / 1000)).toString().padStart(6)}  |` +
      ` ${mbs(r.bytes, r.rawMs).toFixed(1).padStart(8)} ${Math.round(r.requests / (r.rawMs / 1000)).toString().padStart(9)} |` +
      ` ${(r.ms / r.rawMs).toFixed(2).padStart(11)} | ${b.hostIoMs.toFixed(1).padStart(7)} ${b.grantMs.toFixed(1).padStart(7)}` +
      ` ${b.blkbackOtherMs.toFixed(1).padStart(14)} ${b.frontendMs.toFixed(1).padStart(9)}`);
  }
  console.log('\nnetwork (two domains on the Domain 0 bridge)');
  console.log('workload     frames    Mbit/s   µs/frame or µs/RTT   flips');
  for (const r of net) {
    const rate = r.name.startsWith('bulk') ? ((r.bytes * 8) / 1e6 / (r.ms / 1000)).toFixed(1) : '-';
    console.log(`${r.name.padEnd(11)} ${String(r.frames).padStart(7)} ${rate.padStart(9)} ${((r.ms * 1000) / r.frames).toFixed(1).padStart(20)} ${String(r.flips).padStart(7)}`);
  }
  const flipVsCopy = net[1]!.ms / net[0]!.ms;
  console.log(`\npage flip vs copy, bulk receive (Domain 0 path, wall clock): ${flipVsCopy.toFixed(2)}× the time of copying`);

  const guests: GuestNetRow[] = [
    guestNet('net-ping', false, 200), guestNet('net-ping', true, 200),
    guestNet('net-bulk', false, 400), guestNet('net-bulk', true, 400),
  ];
  const cpuMhz = new XenHost({ memMiB: 16 }).machine.cpuHz / 1e6;
  console.log(`\nnetwork between two compiled minios guests (virtual time, ${cpuMhz} MHz machine)`);
  console.log('workload               count      cycles   cycles/frame   µs/frame (virtual)  Mbit/s (virtual)   wall ms');
  for (const g of guests) {
    const per = g.cycles / g.count;
    const bulk = g.name.startsWith('net-bulk');
    // A bulk frame goes there and back: 2 × 1514 bytes on the wire per count.
    const mbit = bulk ? ((g.count * 1514 * 2 * 8) / (g.cycles / (cpuMhz * 1e6)) / 1e6).toFixed(1) : '-';
    console.log(`${g.name.padEnd(20)} ${String(g.count).padStart(7)} ${String(g.cycles).padStart(11)} ${per.toFixed(0).padStart(14)}` +
      ` ${(per / cpuMhz).toFixed(1).padStart(20)} ${mbit.padStart(17)} ${g.wallMs.toFixed(0).padStart(9)}`);
  }
  const gFlipPing = guests[1]!.cycles / guests[0]!.cycles, gFlipBulk = guests[3]!.cycles / guests[2]!.cycles;
  console.log(`page flip vs copy in the guests (virtual time): round trip ${gFlipPing.toFixed(2)}×, bulk ${gFlipBulk.toFixed(2)}×`);
  console.log('(virtual time counts the guests and the hypervisor; Domain 0\'s backend work, being TypeScript in this process, is not charged)');
  const out = path.join(ROOT, 'bench/results/io.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({
    note: 'wall clock, best of 3; frontends are TypeScript driving real domains\' grants, rings and event channels',
    node: process.version, block, net, flipVsCopyBulk: flipVsCopy, guests,
    guestFlipVsCopy: { roundTrip: gFlipPing, bulk: gFlipBulk },
  }, null, 2) + '\n');
  console.log(`\nwrote ${path.relative(process.cwd(), out)}`);
  rmSync(tmp, { recursive: true, force: true });
}

main();
