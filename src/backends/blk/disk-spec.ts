/*
 * xl's `disk=` syntax (xl-disk-configuration): comma-separated, positional or key=value.
 *
 *   "file:/srv/a.img,xvda,w"                  legacy: [prefix:]target, vdev, access
 *   "/srv/a.img,raw,xvdb,ro"                  target, format, vdev, access
 *   "format=raw, vdev=xvdc, access=rw, target=/srv/c.img"
 *
 * Prefixes (file:, phy:, aio:, tap:aio:, qcow2:…) are accepted and dropped: tsxen backs
 * every disk with a raw host file. `devtype=cdrom` (or `:cdrom` on the vdev) makes a
 * read-only CD-ROM.
 */

import { UserError } from '../../lib/user-error.js';

export interface DiskSpec {
  target: string;
  format: string;
  vdev: string;
  /** The xenstore `virtual-device` number (fact sheet §10.4). */
  devid: number;
  readonly: boolean;
  cdrom: boolean;
}

export class DiskSpecError extends UserError {}

export function parseDiskSpec(spec: string): DiskSpec {
  const parts = spec.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const keyed = new Map<string, string>();
  const pos: string[] = [];
  for (const p of parts) {
    const m = /^(target|format|vdev|access|devtype|backendtype|script)=(.*)$/.exec(p);
    if (m !== null) keyed.set(m[1]!, m[2]!);
    else pos.push(p);
  }
  let target = keyed.get('target'), format = keyed.get('format'), vdev = keyed.get('vdev'), access = keyed.get('access');
  if (pos.length === 4) [target, format, vdev, access] = [target ?? pos[0], format ?? pos[1], vdev ?? pos[2], access ?? pos[3]];
  else if (pos.length === 3) [target, vdev, access] = [target ?? pos[0], vdev ?? pos[1], access ?? pos[2]];
  else if (pos.length === 2) [target, vdev] = [target ?? pos[0], vdev ?? pos[1]];
  else if (pos.length === 1 && target === undefined) target = pos[0];
  else if (pos.length > 4) throw new DiskSpecError(`too many positional parameters in '${spec}'`);
  if (target === undefined || target === '') throw new DiskSpecError(`no target in disk spec '${spec}'`);
  if (vdev === undefined) throw new DiskSpecError(`no vdev in disk spec '${spec}'`);
  let cdrom = keyed.get('devtype') === 'cdrom';
  if (vdev.endsWith(':cdrom')) { cdrom = true; vdev = vdev.slice(0, -6); }
  const prefix = /^(?:(?:tap|tap2):)?(?:file|phy|aio|raw|qcow2?|vhd):/.exec(target);
  if (prefix !== null) {
    const kind = prefix[0].replace(/:$/, '').split(':').pop()!;
    if (format === undefined && kind !== 'file' && kind !== 'phy' && kind !== 'aio') format = kind;
    target = target.slice(prefix[0].length);
  }
  format ??= 'raw';
  if (format !== 'raw') throw new DiskSpecError(`disk format '${format}' is not supported (raw only)`);
  access ??= 'rw';
  let readonly: boolean;
  if (access === 'r' || access === 'ro') readonly = true;
  else if (access === 'w' || access === 'rw') readonly = false;
  else throw new DiskSpecError(`bad access '${access}' (r, ro, w, rw)`);
  if (cdrom) readonly = true;
  return { target, format, vdev, devid: vdevNumber(vdev), readonly, cdrom };
}

/** The virtual-device number of a vdev name (xen-vbd-interface), or of a plain number. */
export function vdevNumber(vdev: string): number {
  if (/^\d+$/.test(vdev)) return Number(vdev);
  const m = /^(xvd|hd|sd)([a-z]+)(\d*)$/.exec(vdev);
  if (m === null) throw new DiskSpecError(`bad vdev '${vdev}'`);
  let disk = 0;
  for (const ch of m[2]!) disk = disk * 26 + (ch.charCodeAt(0) - 96);
  disk -= 1;
  const part = m[3] === '' ? 0 : Number(m[3]);
  switch (m[1]) {
    case 'xvd':
      if (disk < 16 && part < 16) return (202 << 8) | (disk << 4) | part;
      if (part > 255) throw new DiskSpecError(`partition ${part} too large`);
      return (1 << 28) | (disk << 8) | part;
    case 'sd':
      if (disk > 15 || part > 15) throw new DiskSpecError(`bad vdev '${vdev}'`);
      return (8 << 8) | (disk << 4) | part;
    default:
      if (disk > 3 || part > 63) throw new DiskSpecError(`bad vdev '${vdev}'`);
      return disk < 2 ? (3 << 8) | (disk << 6) | part : (22 << 8) | ((disk - 2) << 6) | part;
  }
}
