/*
 * The privilege check every Domain 0 operation makes (Control, SchedControl), exactly
 * where a guest's domctl/sysctl would be refused.
 */

import type { Hypervisor } from './hypervisor.js';
import { DomainState, type Domain } from './domain.js';
import { DOMID_SELF, Errno, XenError } from './abi/xen.js';

/** Privileged operations refuse unprivileged callers with EPERM, as domctl does. */
export function checkPrivileged(caller: Domain): void {
  if (!caller.privileged) throw new XenError(Errno.EPERM, `domain ${caller.id} is not privileged`);
}

/** The domain a privileged operation acts on (DOMID_SELF = the caller); ESRCH if it is gone. */
export function privilegedTarget(hv: Hypervisor, caller: Domain, domid: number, allowDying: boolean): Domain {
  checkPrivileged(caller);
  const d = domid === DOMID_SELF ? caller : hv.domains.get(domid);
  if (d === undefined || d.state === DomainState.DEAD || (!allowDying && d.state === DomainState.DYING)) {
    throw new XenError(Errno.ESRCH, `no domain ${domid}`);
  }
  return d;
}
