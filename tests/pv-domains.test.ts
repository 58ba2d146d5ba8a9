/*
 * PV domains on the hypervisor, end to end: the Mini-OS-style kernel's self-tests, four
 * domains side by side on one and on two harts, teardown returning every frame, and the
 * hostile guest's attacks while a victim's memory is hashed before and after.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { XenHost, type GuestRecord } from '../src/daemon/host.js';
import { parseConfig } from '../src/toolstack/config.js';
import { image } from './support/paths.js';
import { auditFrames } from '../src/hv/mm/audit.js';

const MINIOS = readFileSync(image('minios-pv.elf'));
const HOSTILE = readFileSync(image('hostile.elf'));

function config(name: string, kernel: string, extra = '') {
  return parseConfig(`name = "${name}"\nkernel = "${kernel}"\nmemory = 8\n${extra}`, `${name}.cfg`);
}

function output(rec: GuestRecord): string {
  return rec.console.recent();
}

/** Asserts a minios console transcript passed every self-test. */
function assertAllPassed(text: string, who: string): void {
  const done = /minios: done (\d+) passed (\d+) failed/.exec(text);
  assert.ok(done, `${who}: no summary line in:\n${text}`);
  const fails = text.split('\n').filter((l) => l.startsWith('FAIL'));
  assert.deepEqual(fails, [], `${who}: failures`);
  assert.equal(Number(done[2]), 0);
  const passes = text.split('\n').filter((l) => l.startsWith('PASS')).length;
  assert.equal(passes, Number(done[1]), `${who}: PASS lines vs summary`);
  assert.ok(passes >= 20, `${who}: only ${passes} self-tests ran`);
}

test('a PV domain boots, passes its self-tests, powers off, and returns every frame', () => {
  const host = new XenHost({ memMiB: 64 });
  const free = host.hv.frames.freeFrames;
  const rec = host.create(config('one', 'minios-pv.elf'), { kernel: MINIOS });
  assert.equal(host.run(2e9), 'done');
  assertAllPassed(output(rec), 'one');
  assert.equal(rec.ended, 'poweroff');
  assert.equal(host.hv.domains.size, 1, 'only Domain 0 remains');
  assert.equal(host.hv.frames.freeFrames, free, 'every frame came back');
});

for (const harts of [1, 2]) {
  test(`four PV domains run side by side on ${harts} hart(s) and all pass`, () => {
    const host = new XenHost({ memMiB: 96, harts });
    const recs = ['a', 'b', 'c', 'd'].map((n) => host.create(config(n, 'minios-pv.elf'), { kernel: MINIOS }));
    assert.equal(host.run(8e9), 'done');
    for (const r of recs) {
      assertAllPassed(output(r), r.config.name);
      assert.equal(r.ended, 'poweroff');
    }
    // They really interleaved: every domain was switched in more than once.
    assert.ok(host.hv.stats.switches > 8, `only ${host.hv.stats.switches} world switches`);
  });
}

function hashDomainMemory(host: XenHost, rec: GuestRecord): string {
  const h = createHash('sha256');
  for (const mfn of rec.built.p2m) h.update(host.hv.mem.frameBytes(mfn));
  return h.digest('hex');
}

test('the hostile guest is refused everything, and a victim domain is untouched and still runs', () => {
  const host = new XenHost({ memMiB: 64 });
  const victim = host.create(config('victim', 'minios-pv.elf'), { kernel: MINIOS, paused: true });
  const before = hashDomainMemory(host, victim);
  const hostile = host.create(config('hostile', 'hostile.elf'), { kernel: HOSTILE });
  assert.ok(host.runUntil(() => output(hostile).includes('hostile: done'), 3e8), 'the hostile guest did not finish its attempts');
  host.run(2e6); // and now it spins
  const text = output(hostile);
  assert.match(text, /hostile: done (\d+) refused 0 broken/);
  const broken = text.split('\n').filter((l) => l.startsWith('BROKEN'));
  assert.deepEqual(broken, []);
  const refused = text.split('\n').filter((l) => l.startsWith('REFUSED')).length;
  assert.ok(refused >= 30, `only ${refused} attempts`);
  assert.equal(hashDomainMemory(host, victim), before, 'the victim\'s memory changed');
  assert.deepEqual(auditFrames(host.hv), [], 'reference counts after the attacks');
  // The hostile guest now spins with events masked; the victim must still get the CPU.
  host.ctl.unpause(victim.domid);
  assert.ok(host.runUntil(() => victim.ended !== null, 4e9), 'the victim never finished while the hostile guest spun');
  assertAllPassed(output(victim), 'victim');
  assert.equal(victim.ended, 'poweroff');
  assert.ok(host.guests.has(hostile.domid), 'the hostile guest is still spinning');
  host.destroy(hostile.domid);
  assert.equal(host.hv.domains.size, 1);
});
