/*
 * What every hypercall handler receives: the caller (vCPU, domain), the hart it runs
 * on, and its memory as the guest sees it (GuestMemory checks every pointer).
 */

import type { Hart } from '../../machine/rv32/hart.js';
import type { Hypervisor } from '../hypervisor.js';
import type { Domain, Vcpu } from '../domain.js';
import { GuestMemory } from '../guest-access.js';
import { DOMID_SELF, Errno, XenError } from '../abi/xen.js';

export class Call {
  readonly dom: Domain;
  readonly mem: GuestMemory;
  /** True inside a multicall (a nested multicall is refused). */
  inMulticall = false;

  constructor(readonly hv: Hypervisor, readonly hart: Hart, readonly vcpu: Vcpu) {
    this.dom = vcpu.domain;
    this.mem = new GuestMemory(hv.machine.ram, hart.satp, hart.mstatus);
  }

  /** Resolves a domid argument: DOMID_SELF or the caller's own id, or any domain if privileged. */
  target(domid: number): Domain {
    if (domid === DOMID_SELF || domid === this.dom.id) return this.dom;
    if (!this.dom.privileged) throw new XenError(Errno.EPERM, `domain ${this.dom.id} may not act on domain ${domid}`);
    const d = this.hv.lookup(domid);
    if (d === undefined) throw new XenError(Errno.ESRCH, `no domain ${domid}`);
    return d;
  }
}

export type Handler = (c: Call, a: readonly number[]) => number;
