/*
 * Fuzzing the hypercall interface. A PV domain boots and runs for a while; then, with its
 * vCPU live on the hart, thousands of random hypercalls are issued on its behalf —
 * random numbers and arguments, plus mmu_update / mmuext_op batches aimed at its own
 * frames with random entries. After every step the hypervisor must not have failed
 * internally (only Xen error codes), and the frame-table audit must find every reference
 * count exactly as the page tables imply. At the end, destroying the domain must return
 * every frame.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { XenHost } from '../src/daemon/host.js';
import { parseConfig } from '../src/toolstack/config.js';
import { dispatchHypercall } from '../src/hv/hypercall/dispatch.js';
import { auditFrames } from '../src/hv/mm/audit.js';
import { GuestMemory } from '../src/hv/guest-access.js';
import { DomainState } from '../src/hv/domain.js';
import { image } from './support/paths.js';

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s;
  };
}

const HYPERCALLS = [1, 12, 13, 14, 15, 17, 18, 20, 21, 24, 26, 29, 32, 35, 36];

for (const seed of [1, 2, 3]) {
  test(`random hypercalls keep the frame table exact (seed ${seed})`, () => {
    const host = new XenHost({ memMiB: 32 });
    const free = host.hv.frames.freeFrames;
    const rec = host.create(parseConfig('name="f"\nkernel="k"\nmemory=4\n', 'f.cfg'),
      { kernel: readFileSync(image('minios-pv.elf')) });
    // Let it boot and build some page tables of its own, then catch it on the hart.
    host.runUntil(() => rec.console.recent().includes('PASS pt-batch'), 5e8);
    assert.ok(host.runUntil(() => host.hv.current[0] !== null, 5e7, 1000), 'the vCPU never got the hart');
    const hart = host.machine.harts[0]!;
    const v = host.hv.current[0]!;
    const d = v.domain;
    let mem = new GuestMemory(host.machine.ram, hart.satp, hart.mstatus);
    // A writable scratch page of the guest for request arrays.
    let scratch = -1;
    for (let p = rec.built.nrPages - 1; p > 0 && scratch < 0; p--) {
      const va = rec.built.virtBase + p * 4096;
      try { mem.checkWritable(va, 4096); scratch = va; } catch { /* not mapped writable */ }
    }
    assert.ok(scratch > 0, 'no writable page found');
    const rnd = prng(seed);
    const frames = rec.built.p2m;
    const pick = <T>(xs: readonly T[]): T => xs[rnd() % xs.length]!;
    const randomPte = (): number => {
      const mfn = rnd() % 8 === 0 ? (rnd() & 0x3fffff) : pick(frames);
      return ((mfn << 10) | (rnd() & 0x3ff)) | 0;
    };
    const arg = (): number => {
      switch (rnd() % 6) {
        case 0: return 0;
        case 1: return rnd() % 16;
        case 2: return scratch + (rnd() % 4096);
        case 3: return rec.built.virtBase + (rnd() % (rec.built.nrPages * 4096));
        case 4: return 0x7ff0; // DOMID_SELF
        default: return rnd() | 0;
      }
    };
    // Random updates may unmap the scratch page itself: then only random calls go on.
    const writable = (va: number): boolean => {
      try { new GuestMemory(host.machine.ram, hart.satp, hart.mstatus).checkWritable(va, 4096); return true; } catch { return false; }
    };
    const saved = Int32Array.from(hart.x);
    const savedPc = hart.mepc;
    let calls = 0;
    for (let i = 0; i < 3000 && d.state === DomainState.ACTIVE; i++) {
      const x = hart.x;
      const nr = rnd() % 10 === 0 ? rnd() % 64 : pick(HYPERCALLS);
      for (let r = 10; r <= 15; r++) x[r] = arg();
      if ((nr === 1 || nr === 26) && rnd() % 2 === 0 && writable(scratch)) {
        // A batch of plausible requests on the domain's own frames.
        mem = new GuestMemory(host.machine.ram, hart.satp, hart.mstatus);
        const count = 1 + rnd() % 16;
        for (let k = 0; k < count; k++) {
          const e = scratch + k * (nr === 1 ? 16 : 24);
          if (nr === 1) {
            mem.setU32(e, (pick(frames) * 4096 + (rnd() % 1024) * 4) | (rnd() % 4 === 0 ? 1 : 0));
            mem.setU32(e + 4, 0);
            mem.setU32(e + 8, randomPte());
            mem.setU32(e + 12, 0);
          } else {
            mem.setU32(e, rnd() % 18);
            mem.setU32(e + 8, rnd() % 4 === 0 ? rnd() : pick(frames));
            mem.setU32(e + 12, 0);
            mem.setU32(e + 16, pick(frames));
            mem.setU32(e + 20, 0);
          }
        }
        x[10] = scratch; x[11] = count; x[12] = 0; x[13] = 0x7ff0;
      }
      x[17] = nr;
      dispatchHypercall(host.hv, hart, v); // throws only on an internal error
      calls++;
      if (i % 100 === 0) assert.deepEqual(auditFrames(host.hv), [], `after call ${i} (hypercall ${nr})`);
    }
    hart.x.set(saved);
    hart.mepc = savedPc;
    assert.deepEqual(auditFrames(host.hv), []);
    assert.ok(calls > 100, `only ${calls} calls before the domain stopped`);
    console.log(`seed ${seed}: ${calls} hypercalls, domain ${d.state === DomainState.ACTIVE ? 'still active' : 'shut down'}`);
    host.destroy(rec.domid);
    assert.deepEqual(auditFrames(host.hv), []);
    assert.equal(host.hv.frames.freeFrames, free, 'destroy returned every frame');
  });
}
