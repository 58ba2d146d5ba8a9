/*
 * xen_version (fact sheet §7.4) and console_io (§7.5).
 */

import type { Call } from './call.js';
import {
  CONSOLEIO_read, CONSOLEIO_write, Errno, XEN_CAPABILITIES, XEN_EXTRAVERSION, XEN_MAJOR, XEN_MINOR,
  XENFEAT_dom0, XENFEAT_mmu_pt_update_preserve_ad, XENFEAT_writable_page_tables, XenVer, XenError,
} from '../abi/xen.js';
import { HYPERVISOR_VIRT_START } from '../mm/m2p.js';
import { XEN_COST } from '../costs.js';

/** Bytes one console_io write may carry. */
export const MAX_CONSOLE_WRITE = 16384;

function putString(c: Call, va: number, s: string, size: number): void {
  const b = new Uint8Array(size);
  b.set(new TextEncoder().encode(s).subarray(0, size - 1));
  c.mem.writeBytes(va, b);
}

export function xenVersion(c: Call, a: readonly number[]): number {
  const cmd = a[0]! >>> 0, arg = a[1]! >>> 0;
  switch (cmd) {
    case XenVer.version: return (XEN_MAJOR << 16) | XEN_MINOR;
    case XenVer.extraversion: putString(c, arg, XEN_EXTRAVERSION, 16); return 0;
    case XenVer.capabilities: putString(c, arg, XEN_CAPABILITIES, 1024); return 0;
    case XenVer.changeset: putString(c, arg, 'tsxen', 64); return 0;
    case XenVer.compile_info: {
      const b = new Uint8Array(144);
      const enc = new TextEncoder();
      b.set(enc.encode('tsc'), 0);
      b.set(enc.encode('tsxen'), 64);
      c.mem.writeBytes(arg, b);
      return 0;
    }
    case XenVer.platform_parameters: c.mem.setU64(arg, HYPERVISOR_VIRT_START); return 0;
    case XenVer.get_features: {
      const idx = c.mem.u32(arg);
      c.mem.checkWritable(arg, 8);
      let bits = 0;
      if (idx === 0) {
        bits = (1 << XENFEAT_writable_page_tables) | (1 << XENFEAT_mmu_pt_update_preserve_ad);
        if (c.dom.privileged) bits |= 1 << XENFEAT_dom0;
      }
      c.mem.setU32(arg + 4, bits);
      return 0;
    }
    case XenVer.pagesize: return 4096;
    case XenVer.guest_handle: c.mem.writeBytes(arg, new Uint8Array(16)); return 0;
    case XenVer.commandline: putString(c, arg, '', 1024); return 0;
    default: throw new XenError(Errno.ENOSYS, `xen_version ${cmd}`);
  }
}

export function consoleIo(c: Call, a: readonly number[]): number {
  const cmd = a[0]! >>> 0, count = a[1]! >>> 0, buf = a[2]! >>> 0;
  switch (cmd) {
    case CONSOLEIO_write: {
      if (count > MAX_CONSOLE_WRITE) throw new XenError(Errno.EINVAL, `console write of ${count} bytes`);
      const bytes = c.mem.bytes(buf, count);
      c.hart.charge(Math.ceil(count * XEN_COST.COPY_BYTE_NUM / XEN_COST.COPY_BYTE_DEN));
      // Unprivileged domains may print only printable characters (Xen's rule).
      let text = '';
      for (const b of bytes) {
        if (b === 10 || b === 13 || b === 9 || (b >= 32 && b < 127)) text += String.fromCharCode(b);
      }
      c.hv.guestConsoleWrite(c.dom, text);
      return 0;
    }
    case CONSOLEIO_read:
      if (!c.dom.privileged) throw new XenError(Errno.EPERM, 'console read is privileged');
      return 0;
    default:
      throw new XenError(Errno.ENOSYS, `console_io ${cmd}`);
  }
}
