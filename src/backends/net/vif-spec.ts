/*
 * xl's `vif=` syntax (xl-network-configuration): comma-separated key=value pairs, e.g.
 * "mac=00:16:3e:00:00:01, bridge=xenbr0, ip=10.0.0.2". Unknown-to-tsxen keys that xl
 * accepts (model, type, vifname, script, rate, backend, gatewaydev, trusted) are accepted
 * and ignored. Without `mac`, a stable address in Xen's OUI 00:16:3e is derived from the
 * domain and device ids (xl draws a random one).
 */

import { UserError } from '../../lib/user-error.js';

export interface VifSpec {
  mac: string;
  bridge: string;
  ip?: string;
  mtu: number;
}

export class VifSpecError extends UserError {}

const KNOWN = new Set(['mac', 'bridge', 'ip', 'mtu', 'model', 'type', 'vifname', 'script', 'rate', 'backend',
  'gatewaydev', 'trusted', 'devid', 'accel']);

export function parseVifSpec(spec: string, domid: number, devid: number): VifSpec {
  const out: VifSpec = { mac: defaultMac(domid, devid), bridge: 'xenbr0', mtu: 1500 };
  for (const raw of spec.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const eq = raw.indexOf('=');
    if (eq < 0) throw new VifSpecError(`'${raw}' is not key=value in vif spec '${spec}'`);
    const k = raw.slice(0, eq).trim(), v = raw.slice(eq + 1).trim();
    if (!KNOWN.has(k)) throw new VifSpecError(`unknown vif key '${k}'`);
    if (k === 'mac') {
      if (!/^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/.test(v)) throw new VifSpecError(`bad mac '${v}'`);
      if ((parseInt(v.slice(0, 2), 16) & 1) !== 0) throw new VifSpecError(`mac '${v}' is a multicast address`);
      out.mac = v.toLowerCase();
    } else if (k === 'bridge') {
      if (!/^[A-Za-z0-9_.-]{1,15}$/.test(v)) throw new VifSpecError(`bad bridge name '${v}'`);
      out.bridge = v;
    } else if (k === 'ip') {
      out.ip = v;
    } else if (k === 'mtu') {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 68 || n > 4082) throw new VifSpecError(`mtu ${v} out of range (68..4082)`);
      out.mtu = n;
    }
  }
  return out;
}

export function defaultMac(domid: number, devid: number): string {
  const b = [0x00, 0x16, 0x3e, (domid >> 8) & 0x7f, domid & 0xff, devid & 0xff];
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}

export function macBytes(mac: string): Uint8Array {
  return Uint8Array.from(mac.split(':').map((h) => parseInt(h, 16)));
}

export function macString(b: Uint8Array, off = 0): string {
  const parts: string[] = [];
  for (let i = 0; i < 6; i++) parts.push(b[off + i]!.toString(16).padStart(2, '0'));
  return parts.join(':');
}
