/*
 * domctl and sysctl from guests. In tsxen the control domain is TypeScript and calls
 * src/xen/control.ts directly, so from a guest these hypercalls only ever meet the
 * privilege check: an unprivileged caller gets EPERM, as in Xen, and a privileged PV
 * guest (none exist yet) would get ENOSYS.
 */

import type { Call } from './call.js';
import { Errno, XenError } from '../abi/xen.js';

export function domctl(c: Call, a: readonly number[]): number {
  if (!c.dom.privileged) throw new XenError(Errno.EPERM, 'domctl is privileged');
  void a;
  throw new XenError(Errno.ENOSYS, 'domctl from a PV guest');
}

export function sysctl(c: Call, a: readonly number[]): number {
  if (!c.dom.privileged) throw new XenError(Errno.EPERM, 'sysctl is privileged');
  void a;
  throw new XenError(Errno.ENOSYS, 'sysctl from a PV guest');
}
