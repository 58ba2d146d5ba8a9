/*
 * Fuzzing grant tables: a hostile granter rewriting and revoking its entries at random
 * while two PV guests map, unmap, overwrite, copy and transfer through grant_table_op
 * from their own vCPUs, and Domain 0 maps and unmaps too. After every step nothing may
 * have failed inside the hypervisor (only Xen error codes and GNTST statuses), the
 * frame audit must be exact, and an entry with live pins must show GTF_reading. At the
 * end every domain is destroyed and every frame must come back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XenHost } from '../src/daemon/host.js';
import { auditFrames } from '../src/hv/mm/audit.js';
import { XenError } from '../src/hv/abi/xen.js';
import { GNTTAB_MAP, GNTTAB_UNMAP, GNTTAB_COPY, GNTTAB_TRANSFER } from '../src/hv/hypercall/grant.js';
import {
  GNTMAP_contains_pte, GNTMAP_host_map, GNTMAP_readonly, GNTTABOP, GrantError, GTF_accept_transfer, GTF_permit_access,
  GTF_readonly, GTF_reading, grantTables,
} from '../src/hv/grant-table.js';
import type { GrantMapping } from '../src/hv/control.js';
import { PvCaller, ScriptedGuest } from './io-support.js';

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
}

const VIRT = 0xc0000000;
const OPS = VIRT + 1000 * 4096;
const HOLES = [...Array(8).keys()].map((i) => VIRT + (1010 + i) * 4096);

for (const seed of [7, 8]) {
  test(`random grant operations by a hostile granter and two PV mappers keep the frame table exact (seed ${seed})`, () => {
    const host = new XenHost({ memMiB: 40 });
    const free = host.hv.frames.freeFrames;
    const g = new ScriptedGuest(host, 'granter');
    const ms = [new PvCaller(host, 'm1'), new PvCaller(host, 'm2')];
    for (const m of ms) for (const h of HOLES) m.unmapVa(h);
    const rnd = prng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[rnd() % xs.length]!;
    const gPages = [g.page().mfn, g.page().mfn, g.page().mfn, g.d.vcpus[0]!.baseMfn, g.d.sharedInfoMfn];
    const mPages = ms.map((m) => [...Array(12).keys()].map(() => m.g.page().mfn));
    const handles: number[][] = [[], []];
    const dom0Maps: GrantMapping[] = [];
    const domids = [g.domid, ms[0]!.g.domid, ms[1]!.g.domid, 0, 999];
    const refOf = () => 8 + (rnd() % 24);
    const mapperId = () => (rnd() % 8 === 0 ? pick(domids) : ms[rnd() % 2]!.g.domid);
    const granterId = () => (rnd() % 8 === 0 ? pick(domids) : g.domid);
    let statuses = 0;
    const stat = (m: PvCaller, off: number) => { if (((m.mem.u16(OPS + off) << 16) >> 16) !== 0) statuses++; };

    for (let step = 0; step < 2500; step++) {
      const k = rnd() % 10;
      const mi = rnd() % 2, m = ms[mi]!;
      try {
        switch (k) {
          case 0: case 1: { // the granter writes an entry
            const flags = pick([GTF_permit_access, GTF_permit_access, GTF_permit_access | GTF_readonly, GTF_accept_transfer,
              GTF_accept_transfer, 0, rnd() & 0xffff]);
            const frame = rnd() % 6 === 0 ? pick([...mPages[0]!, rnd() & 0xfffff, ...gPages.slice(3)]) : pick(gPages.slice(0, 3));
            g.rawEntry(refOf(), flags, rnd() % 3 === 0 ? 0 : mapperId(), frame);
            break;
          }
          case 2: g.endAccess(refOf()); break;
          case 3: case 4: { // map
            m.mem.writeBytes(OPS, new Uint8Array(GNTTAB_MAP.SIZE));
            const pte = rnd() % 8 === 0;
            m.mem.setU32(OPS + GNTTAB_MAP.host_addr, pte ? (rnd() & ~3) >>> 0 : pick(HOLES));
            m.mem.setU32(OPS + GNTTAB_MAP.flags, GNTMAP_host_map | (rnd() % 2 ? GNTMAP_readonly : 0) | (pte ? GNTMAP_contains_pte : 0));
            m.mem.setU32(OPS + GNTTAB_MAP.ref, rnd() % 16 === 0 ? rnd() : refOf());
            m.mem.setU16(OPS + GNTTAB_MAP.dom, granterId());
            m.op(GNTTABOP.map_grant_ref, OPS, 1);
            if (m.mem.u16(OPS + GNTTAB_MAP.status) === 0) handles[mi]!.push(m.mem.u32(OPS + GNTTAB_MAP.handle)); else statuses++;
            break;
          }
          case 5: { // unmap
            m.mem.writeBytes(OPS, new Uint8Array(GNTTAB_UNMAP.SIZE));
            m.mem.setU32(OPS + GNTTAB_UNMAP.host_addr, rnd() % 2 ? 0 : pick(HOLES));
            const hs = handles[mi]!;
            m.mem.setU32(OPS + GNTTAB_UNMAP.handle, hs.length > 0 && rnd() % 4 ? hs[rnd() % hs.length]! : rnd() % 64);
            m.op(GNTTABOP.unmap_grant_ref, OPS, 1);
            stat(m, GNTTAB_UNMAP.status);
            break;
          }
          case 6: m.unmapVa(pick(HOLES)); break; // the guest overwrites an entry itself
          case 7: { // copy, either direction, random sides
            m.mem.writeBytes(OPS, new Uint8Array(GNTTAB_COPY.SIZE));
            const side = (base: number) => {
              const gref = rnd() % 2 === 0;
              m.mem.setU32(OPS + base + GNTTAB_COPY.u, gref ? refOf() : rnd() % 5 === 0 ? pick(gPages) : pick(mPages[mi]!));
              m.mem.setU16(OPS + base + GNTTAB_COPY.domid, gref ? granterId() : 0x7ff0);
              m.mem.setU16(OPS + base + GNTTAB_COPY.offset, rnd() % 2 ? rnd() % 4096 : rnd() % 64);
              return gref ? 1 : 0;
            };
            const f = side(GNTTAB_COPY.source) | (side(GNTTAB_COPY.dest) << 1);
            m.mem.setU16(OPS + GNTTAB_COPY.len, rnd() % 300);
            m.mem.setU16(OPS + GNTTAB_COPY.flags, f);
            m.op(GNTTABOP.copy, OPS, 1);
            stat(m, GNTTAB_COPY.status);
            break;
          }
          case 8: { // transfer one of its pages to the granter
            m.mem.writeBytes(OPS, new Uint8Array(GNTTAB_TRANSFER.SIZE));
            m.mem.setU32(OPS + GNTTAB_TRANSFER.mfn, rnd() % 5 === 0 ? pick(gPages) : pick(mPages[mi]!));
            m.mem.setU16(OPS + GNTTAB_TRANSFER.domid, granterId());
            m.mem.setU32(OPS + GNTTAB_TRANSFER.ref, refOf());
            m.op(GNTTABOP.transfer, OPS, 1);
            stat(m, GNTTAB_TRANSFER.status);
            break;
          }
          case 9: // Domain 0 maps or unmaps
            if (dom0Maps.length > 0 && rnd() % 2) dom0Maps.splice(rnd() % dom0Maps.length, 1)[0]!.unmap();
            else dom0Maps.push(host.ctl.grantMap(granterId(), refOf(), rnd() % 2 === 0));
            break;
        }
      } catch (e) {
        if (!(e instanceof XenError) && !(e instanceof GrantError)) throw e;
      }
      const problems = auditFrames(host.hv);
      assert.deepEqual(problems, [], `step ${step} (op ${k})`);
    }
    assert.ok(statuses > 100, `only ${statuses} refusals: the fuzzer is not reaching the checks`);
    const st = grantTables(host.hv).stats;
    assert.ok(st.maps > 25 && st.unmaps > 20 && st.copies > 10 && st.transfers > 0,
      `the fuzzer must also succeed sometimes: ${JSON.stringify(st)}`);
    // A fresh pin always sets GTF_reading: check once on a clean entry.
    const clean = g.grant(ms[0]!.g.domid, g.page().mfn);
    ms[0]!.mem.writeBytes(OPS, new Uint8Array(GNTTAB_MAP.SIZE));
    ms[0]!.unmapVa(HOLES[0]!);
    ms[0]!.mem.setU32(OPS + GNTTAB_MAP.host_addr, HOLES[0]!);
    ms[0]!.mem.setU32(OPS + GNTTAB_MAP.flags, GNTMAP_host_map | GNTMAP_readonly);
    ms[0]!.mem.setU32(OPS + GNTTAB_MAP.ref, clean);
    ms[0]!.mem.setU16(OPS + GNTTAB_MAP.dom, g.domid);
    ms[0]!.op(GNTTABOP.map_grant_ref, OPS, 1);
    assert.equal(ms[0]!.mem.u16(OPS + GNTTAB_MAP.status), 0);
    assert.equal(g.flags(clean) & GTF_reading, GTF_reading);
    for (const d of [g.domid, ms[0]!.g.domid, ms[1]!.g.domid]) host.destroy(d);
    assert.deepEqual(auditFrames(host.hv), []);
    assert.equal([...grantTables(host.hv).mappings()].length, 0);
    assert.equal(host.hv.frames.freeFrames, free, 'every frame came back');
  });
}
