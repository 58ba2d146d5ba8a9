/*
 * The I/O part of the management surface: xenstore access and block/network device
 * hot-plug, as actions the daemon dispatches (the lead merges IoAction into
 * ToolstackAction) and the CLI sends. `dispatchIo` runs one against a host's Devices.
 *
 * HTTP routes the CLI uses (src/cli/{xenstore,block,network}.ts):
 *   GET    /v1/xenstore?path=P[&recursive=1]        xenstore-ls / xenstore-read   → XsRow[]
 *   PUT    /v1/xenstore  {path, value}               xenstore-write
 *   DELETE /v1/xenstore?path=P                       xenstore-rm
 *   GET    /v1/domains/{d}/disks                     block-list                    → BlockInfo[]
 *   POST   /v1/domains/{d}/disks {spec}              block-attach (xl disk= syntax)
 *   DELETE /v1/domains/{d}/disks/{vdev}              block-detach
 *   GET    /v1/domains/{d}/nics                      network-list                  → NetInfo[]
 *   POST   /v1/domains/{d}/nics {spec}               network-attach (xl vif= syntax)
 *   DELETE /v1/domains/{d}/nics/{devid|mac}          network-detach
 */

import type { Devices, BlockInfo, NetInfo } from '../backends/devices.js';
import { UserError } from '../lib/user-error.js';

export type IoAction =
  | { kind: 'xenstore-ls'; path: string }
  | { kind: 'xenstore-read'; path: string }
  | { kind: 'xenstore-write'; path: string; value: string }
  | { kind: 'xenstore-rm'; path: string }
  | { kind: 'block-attach'; domid: number; spec: string }
  | { kind: 'block-detach'; domid: number; vdev: string }
  | { kind: 'block-list'; domid?: number }
  | { kind: 'network-attach'; domid: number; spec: string }
  | { kind: 'network-detach'; domid: number; which: string }
  | { kind: 'network-list'; domid?: number };

/** One node: its path, value and permissions (xenstore-ls -p). */
export interface XsRow {
  path: string;
  value: string;
  perms: string[];
}

export class IoError extends UserError {}

export function dispatchIo(devices: Devices, a: IoAction): XsRow[] | BlockInfo | BlockInfo[] | NetInfo | NetInfo[] | null {
  const xs = devices.xs;
  switch (a.kind) {
    case 'xenstore-ls':
      if (xs.read(a.path) === null && a.path !== '/') throw new IoError(`${a.path}: no such node`);
      return xs.tree(a.path).map(([path, value, perms]) => ({ path, value, perms }));
    case 'xenstore-read': {
      const v = xs.read(a.path);
      if (v === null) throw new IoError(`${a.path}: no such node`);
      return [{ path: a.path, value: v, perms: xs.getPerms(a.path) }];
    }
    case 'xenstore-write':
      xs.write(a.path, a.value);
      return null;
    case 'xenstore-rm':
      xs.rm(a.path);
      return null;
    case 'block-attach':
      return devices.blockAttach(a.domid, a.spec);
    case 'block-detach':
      devices.blockDetach(a.domid, a.vdev);
      return null;
    case 'block-list':
      return devices.blockList(a.domid);
    case 'network-attach':
      return devices.networkAttach(a.domid, a.spec);
    case 'network-detach':
      devices.networkDetach(a.domid, a.which);
      return null;
    case 'network-list':
      return devices.networkList(a.domid);
  }
}

/** xenstore-ls: an indented tree, `name = "value"`, with perms when asked. */
export function formatXenstoreLs(rows: XsRow[], root: string, perms = false): string {
  const base = root === '/' ? 0 : root.split('/').length - 1;
  const lines: string[] = [];
  for (const r of rows) {
    if (r.path === root && root !== '/') continue;
    if (r.path === '/') continue;
    const depth = r.path.split('/').length - 2 - base;
    const name = r.path.slice(r.path.lastIndexOf('/') + 1);
    const value = r.value.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
    lines.push(`${' '.repeat(Math.max(0, depth))}${name} = "${value}"${perms ? `  (${r.perms.join(',')})` : ''}`);
  }
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}

/** xl block-list's table. */
export function formatBlockList(rows: BlockInfo[]): string {
  const head = 'Vdev  BE  handle state evt-ch ring-ref BE-path';
  return [head, ...rows.map((b) =>
    `${String(b.devid).padEnd(6)}${'0'.padEnd(4)}${'-'.padEnd(7)}${String(b.backState).padEnd(6)}${'-'.padEnd(7)}${'-'.padEnd(9)}` +
    `/local/domain/0/backend/vbd/${b.domid}/${b.devid}  (${b.vdev}, ${b.mode}, ${b.target})`)].join('\n') + '\n';
}

/** xl network-list's table. */
export function formatNetworkList(rows: NetInfo[]): string {
  const head = 'Idx BE Mac Addr.         handle state evt-ch   tx-/rx-ring-ref BE-path';
  return [head, ...rows.map((n) =>
    `${String(n.devid).padEnd(4)}${'0'.padEnd(3)}${n.mac.padEnd(18)}${String(n.devid).padEnd(7)}${String(n.backState).padEnd(6)}` +
    `${'-'.padEnd(9)}${'-/-'.padEnd(16)}/local/domain/0/backend/vif/${n.domid}/${n.devid}  (bridge ${n.bridge})`)].join('\n') + '\n';
}
