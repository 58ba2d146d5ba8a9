/*
 * Domain 0's I/O services for a host: xenstored (and each guest's store ring), the
 * toolstack's standard xenstore paths, and the split-driver backends — blkback on host
 * image files, netback on the software bridge. XenHost owns one and calls
 * `domainCreated` / `domainDestroyed`; `tsxen block-*` / `network-*` call attach/detach.
 *
 * Attachment rules (libxl's): a host image may be attached read-write to one domain at a
 * time, and not read-write while anyone has it read-only.
 */

import { openSync, closeSync, fstatSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Control } from '../hv/control.js';
import { Xenstored } from '../xenstore/xenstored.js';
import { XsRingConnection } from '../xenstore/ring-connection.js';
import { XsClient } from '../xenstore/client.js';
import { BlkBack } from './blk/blkback.js';
import { parseDiskSpec, type DiskSpec } from './blk/disk-spec.js';
import { SECTOR } from './blk/blkif.js';
import { XenbusState, createDeviceNodes, devicePaths, readState } from './xenbus.js';
import { NetBack } from './net/netback.js';
import { Bridge } from './net/bridge.js';
import { parseVifSpec, type VifSpec } from './net/vif-spec.js';
import { UserError } from '../lib/user-error.js';

export class DeviceError extends UserError {}

interface DiskRecord {
  spec: DiskSpec;
  path: string;
  fd: number;
  back: BlkBack;
}

interface VifRecord {
  spec: VifSpec;
  back: NetBack;
}

export interface GuestInfo {
  domid: number;
  name: string;
  memKiB: number;
  maxMemKiB: number;
  storeMfn: number;
  storePort: number;
  consoleMfn: number;
  consolePort: number;
}

export interface BlockInfo {
  domid: number;
  vdev: string;
  devid: number;
  target: string;
  mode: 'r' | 'w';
  backState: number;
  frontState: number;
  stats: BlkBack['stats'];
}

export interface NetInfo {
  domid: number;
  devid: number;
  mac: string;
  bridge: string;
  backState: number;
  frontState: number;
  stats: NetBack['stats'];
}

export class Devices {
  readonly xenstored = new Xenstored();
  /** Domain 0's own store connection (toolstack and backends). */
  readonly xs: XsClient;
  private readonly rings = new Map<number, XsRingConnection>();
  private readonly disks = new Map<string, DiskRecord>();
  private readonly vifs = new Map<string, VifRecord>();
  readonly bridges = new Map<string, Bridge>();

  constructor(private readonly ctl: Control) {
    this.xs = new XsClient(this.xenstored, this.xenstored.connect(0));
    this.xs.write('/local/domain/0/name', 'Domain-0');
    this.xs.write('/local/domain/0/domid', '0');
  }

  // -----------------------------------------------------------------------------------
  // Domain lifecycle

  /** A domain was built: its xenstore home, store ring, and the devices its config names. */
  domainCreated(g: GuestInfo, disks: readonly string[] = [], vifs: readonly string[] = []): void {
    const home = `/local/domain/${g.domid}`;
    const xs = this.xs;
    xs.transaction((tx) => {
      tx.rm(home);
      tx.mkdir(home);
      tx.setPerms(home, ['n0', `r${g.domid}`]);
      tx.write(`${home}/name`, g.name);
      tx.write(`${home}/domid`, String(g.domid));
      for (const d of ['cpu', 'memory', 'device', 'control', 'console']) {
        tx.mkdir(`${home}/${d}`);
        tx.setPerms(`${home}/${d}`, ['n0', `r${g.domid}`]);
      }
      tx.write(`${home}/memory/target`, String(g.memKiB));
      tx.write(`${home}/memory/static-max`, String(g.maxMemKiB));
      tx.write(`${home}/console/ring-ref`, String(g.consoleMfn));
      tx.write(`${home}/console/port`, String(g.consolePort));
      tx.write(`${home}/console/limit`, '1048576');
      tx.write(`${home}/console/type`, 'xenconsoled');
      tx.write(`${home}/console/backend-id`, '0');
      tx.write(`${home}/console/tty`, `tsxen:console/${g.domid}`);
      tx.write(`${home}/store/ring-ref`, String(g.storeMfn));
      tx.write(`${home}/store/port`, String(g.storePort));
      for (const n of ['console', 'store']) for (const c of tx.directory(`${home}/${n}`)) tx.setPerms(`${home}/${n}/${c}`, ['n0', `r${g.domid}`]);
      // Guest-writable nodes (libxl's list).
      for (const n of ['control/shutdown', 'control/feature-poweroff', 'control/feature-reboot', 'control/feature-suspend',
        'control/sysrq', 'data', 'drivers', 'feature', 'attr', 'error']) {
        tx.write(`${home}/${n}`, '');
        tx.setPerms(`${home}/${n}`, [`n${g.domid}`]);
      }
    });
    this.rings.set(g.domid, new XsRingConnection(this.xenstored, this.ctl, g.domid, g.storeMfn, g.storePort));
    for (const d of disks) this.blockAttach(g.domid, d);
    for (const v of vifs) this.networkAttach(g.domid, v);
  }

  /** A domain is going away: its devices, store connection and xenstore home. */
  domainDestroyed(domid: number): void {
    for (const [key, r] of this.disks) if (r.back.feDomid === domid) this.dropDisk(key, r);
    for (const [key, r] of this.vifs) if (r.back.feDomid === domid) this.dropVif(key, r);
    this.rings.get(domid)?.close();
    this.rings.delete(domid);
    this.xs.rm(`/local/domain/${domid}`);
    this.xs.rm(`/local/domain/0/backend/vbd/${domid}`);
    this.xs.rm(`/local/domain/0/backend/vif/${domid}`);
    this.xenstored.release(domid);
  }

  storeRing(domid: number): XsRingConnection | undefined {
    return this.rings.get(domid);
  }

  // -----------------------------------------------------------------------------------
  // Block devices

  blockAttach(domid: number, specText: string): BlockInfo {
    const spec = parseDiskSpec(specText);
    const path = resolve(spec.target);
    const key = `${domid}/${spec.devid}`;
    if (this.disks.has(key)) throw new DeviceError(`domain ${domid} already has a disk ${spec.vdev}`);
    for (const r of this.disks.values()) {
      if (r.path !== path) continue;
      if (!spec.readonly || !r.spec.readonly) {
        throw new DeviceError(`${spec.target} is already attached${r.spec.readonly ? '' : ' read-write'} to domain ${r.back.feDomid}`);
      }
    }
    const fd = openSync(path, spec.readonly ? 'r' : 'r+');
    const sectors = Math.floor(fstatSync(fd).size / SECTOR);
    const p = devicePaths('vbd', domid, spec.devid);
    createDeviceNodes(this.xs, p, domid, 0, {
      'virtual-device': String(spec.devid), 'device-type': spec.cdrom ? 'cdrom' : 'disk', trusted: '1',
    }, {
      params: path, type: 'file', mode: spec.readonly ? 'r' : 'w', removable: spec.cdrom ? '1' : '0', bootable: '1',
      dev: spec.vdev, 'device-type': spec.cdrom ? 'cdrom' : 'disk', 'discard-enable': '0', 'hotplug-status': 'connected',
    });
    const back = new BlkBack(this.ctl, this.xs, domid, spec.devid, p, fd, sectors, spec.readonly, spec.cdrom);
    this.disks.set(key, { spec, path, fd, back });
    back.start();
    return this.blockInfo(key)!;
  }

  blockDetach(domid: number, vdev: string): void {
    const key = [...this.disks.keys()].find((k) => {
      const r = this.disks.get(k)!;
      return r.back.feDomid === domid && (r.spec.vdev === vdev || String(r.spec.devid) === vdev);
    });
    if (key === undefined) throw new DeviceError(`domain ${domid} has no disk ${vdev}`);
    const r = this.disks.get(key)!;
    // Ask the frontend to close (backend Closing); tear down whatever it does.
    if (this.xs.read(r.back.paths.back) !== null) this.xs.write(`${r.back.paths.back}/state`, String(XenbusState.Closing));
    this.dropDisk(key, r);
  }

  private dropDisk(key: string, r: DiskRecord): void {
    r.back.stop();
    try { closeSync(r.fd); } catch { /* already closed */ }
    this.disks.delete(key);
    this.xs.rm(r.back.paths.back);
    this.xs.rm(r.back.paths.front);
  }

  /**
   * Restarts a disk's backend (as a driver domain restart would): the old one lets go of
   * everything; a new one publishes InitWait and the frontend reconnects.
   */
  blockRestart(domid: number, devid: number): BlkBack {
    const key = `${domid}/${devid}`;
    const r = this.disks.get(key);
    if (r === undefined) throw new DeviceError(`domain ${domid} has no disk ${devid}`);
    r.back.stop();
    r.back = new BlkBack(this.ctl, this.xs, domid, devid, r.back.paths, r.fd, r.back.sectors, r.spec.readonly, r.spec.cdrom);
    r.back.start();
    return r.back;
  }

  blockBackend(domid: number, devid: number): BlkBack | undefined {
    return this.disks.get(`${domid}/${devid}`)?.back;
  }

  private blockInfo(key: string): BlockInfo | undefined {
    const r = this.disks.get(key);
    if (r === undefined) return undefined;
    return {
      domid: r.back.feDomid, vdev: r.spec.vdev, devid: r.spec.devid, target: r.path, mode: r.spec.readonly ? 'r' : 'w',
      backState: readState(this.xs, r.back.paths.back), frontState: readState(this.xs, r.back.paths.front), stats: r.back.stats,
    };
  }

  blockList(domid?: number): BlockInfo[] {
    return [...this.disks.keys()].map((k) => this.blockInfo(k)!).filter((b) => domid === undefined || b.domid === domid);
  }

  // -----------------------------------------------------------------------------------
  // Network interfaces

  bridge(name: string): Bridge {
    let b = this.bridges.get(name);
    if (b === undefined) { b = new Bridge(name); this.bridges.set(name, b); }
    return b;
  }

  networkAttach(domid: number, specText: string): NetInfo {
    const used = new Set([...this.vifs.values()].filter((r) => r.back.feDomid === domid).map((r) => r.back.devid));
    let devid = 0;
    while (used.has(devid)) devid++;
    const spec = parseVifSpec(specText, domid, devid);
    const key = `${domid}/${devid}`;
    const p = devicePaths('vif', domid, devid);
    createDeviceNodes(this.xs, p, domid, 0, { handle: String(devid), mac: spec.mac, mtu: String(spec.mtu), trusted: '1' }, {
      handle: String(devid), mac: spec.mac, bridge: spec.bridge, type: 'vif', script: 'vif-bridge', mtu: String(spec.mtu),
      'hotplug-status': 'connected', ...(spec.ip !== undefined ? { ip: spec.ip } : {}),
    });
    const back = new NetBack(this.ctl, this.xs, domid, devid, p, spec, this.bridge(spec.bridge));
    this.vifs.set(key, { spec, back });
    back.start();
    return this.netInfo(key)!;
  }

  networkDetach(domid: number, which: string): void {
    const key = [...this.vifs.keys()].find((k) => {
      const r = this.vifs.get(k)!;
      return r.back.feDomid === domid && (String(r.back.devid) === which || r.spec.mac === which.toLowerCase());
    });
    if (key === undefined) throw new DeviceError(`domain ${domid} has no network interface ${which}`);
    const r = this.vifs.get(key)!;
    if (this.xs.read(r.back.paths.back) !== null) this.xs.write(`${r.back.paths.back}/state`, String(XenbusState.Closing));
    this.dropVif(key, r);
  }

  private dropVif(key: string, r: VifRecord): void {
    r.back.stop();
    this.vifs.delete(key);
    this.xs.rm(r.back.paths.back);
    this.xs.rm(r.back.paths.front);
  }

  /** Restarts an interface's backend: the new one finds the frontend Connected and maps its rings again. */
  networkRestart(domid: number, devid: number): NetBack {
    const r = this.vifs.get(`${domid}/${devid}`);
    if (r === undefined) throw new DeviceError(`domain ${domid} has no network interface ${devid}`);
    r.back.stop();
    r.back = new NetBack(this.ctl, this.xs, domid, devid, r.back.paths, r.spec, this.bridge(r.spec.bridge));
    r.back.start();
    return r.back;
  }

  netBackend(domid: number, devid: number): NetBack | undefined {
    return this.vifs.get(`${domid}/${devid}`)?.back;
  }

  private netInfo(key: string): NetInfo | undefined {
    const r = this.vifs.get(key);
    if (r === undefined) return undefined;
    return {
      domid: r.back.feDomid, devid: r.back.devid, mac: r.spec.mac, bridge: r.spec.bridge,
      backState: readState(this.xs, r.back.paths.back), frontState: readState(this.xs, r.back.paths.front), stats: r.back.stats,
    };
  }

  networkList(domid?: number): NetInfo[] {
    return [...this.vifs.keys()].map((k) => this.netInfo(k)!).filter((n) => domid === undefined || n.domid === domid);
  }
}
