/*
 * minios as a PV guest, beyond its self-tests: the long-running demo (console input both
 * ways), the toolstack's requests through xenstore (memory/target ballooning,
 * control/shutdown), two domains talking over event channels and over a bridge (by copy
 * and by page flipping), a second vCPU, and the hostile guest's controls.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { XenHost, type GuestRecord } from '../src/daemon/host.js';
import { parseConfig } from '../src/toolstack/config.js';
import { image } from './support/paths.js';

const MINIOS = readFileSync(image('minios-pv.elf'));
const HOSTILE = readFileSync(image('hostile.elf'));

function create(host: XenHost, name: string, extra: string, kernel = MINIOS): GuestRecord {
  const cfg = parseConfig(`name = "${name}"\nkernel = "${name}.elf"\nmemory = 8\n${extra}\n`, `${name}.cfg`);
  return host.create(cfg, { kernel });
}

const text = (r: GuestRecord): string => r.console.recent();
const lines = (r: GuestRecord, prefix: string): string[] => text(r).split(/\r?\n/).filter((l) => l.startsWith(prefix));

test('demo: ticks once per second, echoes console lines, and "poweroff" typed stops it', () => {
  const host = new XenHost({ memMiB: 64 });
  const r = create(host, 'demo', 'cmdline = "demo"');
  assert.ok(host.runUntil(() => /tick 2:/.test(text(r)), 4e8), text(r));
  assert.match(text(r), /\[demo\] tick 1: uptime 1\.0 s, \d+ work units, 3 processes/);
  r.console.input(new TextEncoder().encode('hello there\r'));
  assert.ok(host.runUntil(() => text(r).includes('[demo] you typed: hello there'), 1e8), text(r));
  r.console.input(new TextEncoder().encode('poweroff\r'));
  assert.ok(host.runUntil(() => r.ended !== null, 1e8), text(r));
  assert.equal(r.ended, 'poweroff');
});

test('xenstore requests: memory/target balloons the domain down and up, control/shutdown reboots it', () => {
  const host = new XenHost({ memMiB: 64 });
  const r = create(host, 'bal', 'cmdline = "demo"\non_reboot = "preserve"');
  const pages = (): number => host.ctl.domainInfo(r.domid).totPages;
  assert.ok(host.runUntil(() => /tick 1:/.test(text(r)), 3e8));
  assert.equal(pages(), 2048);
  host.devices.xs.write(`/local/domain/${r.domid}/memory/target`, '5000');
  assert.ok(host.runUntil(() => pages() === 1250, 3e8), `${pages()} pages\n${text(r)}`);
  host.devices.xs.write(`/local/domain/${r.domid}/memory/target`, '8192');
  assert.ok(host.runUntil(() => pages() === 2048, 3e8), `${pages()} pages\n${text(r)}`);
  assert.match(text(r), /balloon: target 5000 KiB, now 1250 pages/);
  host.devices.xs.write(`/local/domain/${r.domid}/control/shutdown`, 'reboot');
  assert.ok(host.runUntil(() => r.ended !== null, 3e8), text(r));
  assert.equal(r.ended, 'reboot');
  assert.match(text(r), /the toolstack asked for a reboot/);
});

test('two domains: event-channel round trips, and frames over a bridge by copy and by page flipping', () => {
  const host = new XenHost({ memMiB: 96 });
  const a = create(host, 'ping', 'cmdline = "evtchn-ping peer=2 rounds=200"');
  const b = create(host, 'pong', 'cmdline = "evtchn-pong peer=1 rounds=200"');
  assert.equal(host.run(2e9), 'done');
  assert.deepEqual(lines(a, 'PASS'), ['PASS evtchn-ping'], text(a));
  assert.deepEqual(lines(b, 'PASS'), ['PASS evtchn-pong'], text(b));
  assert.match(text(a), /^BENCH event-round-trip 200 \d+/m);

  for (const flip of ['', ' rx-flip']) {
    const h = new XenHost({ memMiB: 96 });
    const echo = create(h, 'echo', `cmdline = "net-echo count=40${flip}"\nvif = [ "mac=00:16:3e:00:00:01,bridge=xenbr0" ]`);
    const ping = create(h, 'ping', `cmdline = "net-ping peer-mac=00:16:3e:00:00:01 count=20${flip}"\nvif = [ "mac=00:16:3e:00:00:02,bridge=xenbr0" ]`);
    assert.ok(h.runUntil(() => ping.ended !== null, 3e9), text(ping));
    assert.deepEqual(lines(ping, 'FAIL'), [], text(ping));
    assert.ok(lines(ping, 'PASS').includes('PASS net-ping'), text(ping));
    assert.match(text(ping), /^BENCH net-round-trip 20 \d+/m);
    if (flip !== '') assert.match(text(ping), /receive by page flipping/);
    h.destroy(echo.domid);
  }
});

test('a second vCPU is initialised, comes up, signals vCPU 0 and takes itself down', () => {
  const host = new XenHost({ memMiB: 64, harts: 2 });
  const r = create(host, 'smp', 'vcpus = 2');
  assert.equal(host.run(2e9), 'done');
  assert.ok(lines(r, 'PASS').includes('PASS second-vcpu'), text(r));
  assert.deepEqual(lines(r, 'FAIL'), [], text(r));
});

test('the hostile guest\'s controls (the legitimate form of each request) all work', () => {
  const host = new XenHost({ memMiB: 64 });
  const r = create(host, 'hostile', '', HOSTILE);
  assert.ok(host.runUntil(() => text(r).includes('hostile: done'), 3e8), text(r));
  assert.deepEqual(lines(r, 'FAIL control-'), []);
  assert.ok(lines(r, 'PASS control-').length >= 7, text(r));
  assert.match(text(r), /hostile: done \d+ refused 0 broken 0 controls failed/);
  host.destroy(r.domid);
});
