/*
 * The I/O management surface: xl's disk= syntax, the IoAction dispatcher behind
 * xenstore-ls/-read/-write/-rm and block-/network-attach/-detach/-list, and their
 * output formats.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XenHost } from '../src/daemon/host.js';
import { parseDiskSpec, vdevNumber, DiskSpecError } from '../src/backends/blk/disk-spec.js';
import { dispatchIo, formatXenstoreLs, formatBlockList, formatNetworkList, type XsRow } from '../src/toolstack/io.js';
import { ScriptedGuest } from './io-support.js';
import type { BlockInfo, NetInfo } from '../src/backends/devices.js';

test("xl's disk= syntax", () => {
  assert.deepEqual(parseDiskSpec('file:/srv/a.img,xvda,w'),
    { target: '/srv/a.img', format: 'raw', vdev: 'xvda', devid: 51712, readonly: false, cdrom: false });
  assert.deepEqual(parseDiskSpec('/srv/b.img,raw,xvdb,ro'),
    { target: '/srv/b.img', format: 'raw', vdev: 'xvdb', devid: 51728, readonly: true, cdrom: false });
  assert.deepEqual(parseDiskSpec('format=raw, vdev=hdc, access=rw, target=/srv/c.img'),
    { target: '/srv/c.img', format: 'raw', vdev: 'hdc', devid: (22 << 8), readonly: false, cdrom: false });
  assert.equal(parseDiskSpec('phy:/dev/x,xvdc:cdrom,r').cdrom, true);
  assert.equal(parseDiskSpec('/a.img,xvda,r').readonly, true);
  assert.equal(vdevNumber('xvdq'), (1 << 28) | (16 << 8));
  assert.equal(vdevNumber('sda1'), (8 << 8) | 1);
  assert.equal(vdevNumber('51712'), 51712);
  for (const bad of ['', 'xvda', '/a.img,xvda,x', 'qcow2:/a.qcow2,xvda,w', '/a.img,floppy,w', 'a,b,c,d,e']) {
    assert.throws(() => parseDiskSpec(bad), DiskSpecError, bad);
  }
});

test('xenstore and device actions through dispatchIo, and their formats', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsxen-io-'));
  try {
    const host = new XenHost({ memMiB: 64 });
    const g = new ScriptedGuest(host, 'web');
    const d = host.devices;
    dispatchIo(d, { kind: 'xenstore-write', path: '/tool/test/key', value: 'v"1' });
    const rows = dispatchIo(d, { kind: 'xenstore-ls', path: '/tool' }) as XsRow[];
    assert.deepEqual(rows.map((r) => r.path), ['/tool', '/tool/test', '/tool/test/key']);
    assert.equal(formatXenstoreLs(rows, '/tool'), 'test = ""\n key = "v\\"1"\n');
    assert.equal((dispatchIo(d, { kind: 'xenstore-read', path: `/local/domain/${g.domid}/name` }) as XsRow[])[0]!.value, 'web');
    dispatchIo(d, { kind: 'xenstore-rm', path: '/tool/test' });
    assert.throws(() => dispatchIo(d, { kind: 'xenstore-read', path: '/tool/test/key' }), /no such node/);
    const img = join(dir, 'a.img');
    writeFileSync(img, new Uint8Array(1 << 20));
    dispatchIo(d, { kind: 'block-attach', domid: g.domid, spec: `${img},xvdb,w` });
    const blocks = dispatchIo(d, { kind: 'block-list', domid: g.domid }) as BlockInfo[];
    assert.deepEqual(blocks.map((b) => [b.vdev, b.devid, b.mode, b.backState, b.frontState]), [['xvdb', 51728, 'w', 2, 1]]);
    assert.match(formatBlockList(blocks), /^Vdev {2}BE.*\n51728 {1}0 .*backend\/vbd\/\d+\/51728 {2}\(xvdb, w, /);
    dispatchIo(d, { kind: 'network-attach', domid: g.domid, spec: 'mac=00:16:3e:12:34:56' });
    const nics = dispatchIo(d, { kind: 'network-list', domid: g.domid }) as NetInfo[];
    assert.deepEqual(nics.map((n) => [n.devid, n.mac, n.bridge]), [[0, '00:16:3e:12:34:56', 'xenbr0']]);
    assert.match(formatNetworkList(nics), /00:16:3e:12:34:56/);
    dispatchIo(d, { kind: 'block-detach', domid: g.domid, vdev: 'xvdb' });
    dispatchIo(d, { kind: 'network-detach', domid: g.domid, which: '00:16:3e:12:34:56' });
    assert.deepEqual(d.blockList(), []);
    assert.deepEqual(d.networkList(), []);
    assert.equal(d.xs.read(`/local/domain/${g.domid}/device/vbd/51728`), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
