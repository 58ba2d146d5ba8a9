/*
 * Event channels: each domain's port table and the operations of event_channel_op
 * (fact sheet §4.1), with Xen's semantics:
 *
 *   alloc_unbound     a port in `dom` that `remote_dom` may connect to
 *   bind_interdomain  connect to a remote unbound port; the new local port starts pending
 *   bind_virq/ipi     ports raised by the hypervisor / by the domain's own vCPUs
 *   send              raises the peer (interdomain), or self (IPI, loopback)
 *   close             frees a port; an interdomain peer reverts to unbound
 *
 * Delivery — the three-stage 2-level algorithm on shared_info — lives in the hypervisor
 * (`EventHost.setPending`), because Domain 0's ports are delivered to TypeScript instead.
 */

import type { Domain, Vcpu } from './domain.js';
import { DOMID_SELF, Errno, EvtchnStatus, GLOBAL_VIRQS, NR_VIRQS, PER_VCPU_VIRQS, XenError } from './abi/xen.js';

export const enum PortState { FREE = 0, UNBOUND = 1, INTERDOMAIN = 2, PIRQ = 3, VIRQ = 4, IPI = 5 }

/** Ports a domain may hold (Xen's default max_evtchn_port is larger; this bounds memory). */
export const DEFAULT_MAX_PORTS = 1024;

export class Port {
  state = PortState.FREE;
  /** vCPU notified when the port fires. */
  notifyVcpu = 0;
  /** UNBOUND: the domain allowed to connect; INTERDOMAIN: the peer domain. */
  remoteDom = 0;
  remotePort = 0;
  virq = 0;
}

export interface EventHost {
  /** A live domain by id, or undefined. */
  lookup(domid: number): Domain | undefined;
  /** Marks `port` pending in `dom` and notifies its vCPU (2-level algorithm). */
  setPending(dom: Domain, port: number): void;
  /** EVTCHNOP_unmask's re-delivery. */
  unmask(dom: Domain, port: number): void;
  /** Wakes pollers when a port is already pending at bind time, etc. */
  portClosed?(dom: Domain, port: number): void;
}

export interface PortStatus {
  status: EvtchnStatus;
  vcpu: number;
  /** unbound: remote dom; interdomain: peer dom; virq: virq number. */
  a: number;
  /** interdomain: peer port. */
  b: number;
}

export class EventChannels {
  readonly ports: Port[] = [];
  readonly maxPorts: number;
  /** Per-domain (non-vCPU) VIRQ bindings. */
  readonly globalVirqPort = new Int32Array(NR_VIRQS);

  constructor(private readonly domain: Domain, private readonly host: EventHost, maxPorts = DEFAULT_MAX_PORTS) {
    this.maxPorts = maxPorts;
    this.ports.push(new Port()); // port 0 is never allocated
  }

  private allocPort(): number {
    for (let p = 1; p < this.ports.length; p++) if (this.ports[p]!.state === PortState.FREE) return p;
    if (this.ports.length >= this.maxPorts) throw new XenError(Errno.ENOSPC, 'no free event channel');
    this.ports.push(new Port());
    return this.ports.length - 1;
  }

  /** The port, which must be in use; EINVAL otherwise (as Xen's port_is_valid). */
  port(p: number): Port {
    const port = Number.isInteger(p) && p > 0 ? this.ports[p] : undefined;
    if (port === undefined || port.state === PortState.FREE) throw new XenError(Errno.EINVAL, `bad port ${p}`);
    return port;
  }

  isBound(p: number): boolean {
    const port = this.ports[p];
    return port !== undefined && port.state !== PortState.FREE;
  }

  private vcpu(id: number): Vcpu {
    const v = Number.isInteger(id) && id >= 0 ? this.domain.vcpus[id] : undefined;
    if (v === undefined) throw new XenError(Errno.ENOENT, `no vcpu ${id}`);
    return v;
  }

  /** EVTCHNOP_alloc_unbound on this domain (the caller's privilege was checked). */
  allocUnbound(remoteDom: number): number {
    const remote = remoteDom === DOMID_SELF ? this.domain.id : remoteDom;
    if (!Number.isInteger(remote) || this.host.lookup(remote) === undefined) {
      throw new XenError(Errno.ESRCH, `no domain ${remoteDom}`);
    }
    const p = this.allocPort();
    const port = this.ports[p]!;
    port.state = PortState.UNBOUND;
    port.remoteDom = remote;
    port.notifyVcpu = 0;
    return p;
  }

  /** EVTCHNOP_bind_interdomain: connects to `remotePort` in `remoteDomId`. */
  bindInterdomain(remoteDomId: number, remotePort: number): number {
    const rd = remoteDomId === DOMID_SELF ? this.domain : this.host.lookup(remoteDomId);
    if (rd === undefined) throw new XenError(Errno.ESRCH, `no domain ${remoteDomId}`);
    const rport = rd.evtchn.ports[remotePort];
    if (!Number.isInteger(remotePort) || remotePort <= 0 || rport === undefined) {
      throw new XenError(Errno.EINVAL, `bad remote port ${remotePort}`);
    }
    if (rport.state !== PortState.UNBOUND || rport.remoteDom !== this.domain.id) {
      throw new XenError(Errno.EINVAL, `remote port ${remotePort} does not accept domain ${this.domain.id}`);
    }
    const p = this.allocPort();
    const port = this.ports[p]!;
    port.state = PortState.INTERDOMAIN;
    port.remoteDom = rd.id;
    port.remotePort = remotePort;
    port.notifyVcpu = 0;
    rport.state = PortState.INTERDOMAIN;
    rport.remoteDom = this.domain.id;
    rport.remotePort = p;
    // The peer may have signalled before we bound: the new port always starts pending.
    this.host.setPending(this.domain, p);
    return p;
  }

  bindVirq(virq: number, vcpuId: number): number {
    if (!Number.isInteger(virq) || virq < 0 || virq >= NR_VIRQS) throw new XenError(Errno.EINVAL, `bad virq ${virq}`);
    const perVcpu = PER_VCPU_VIRQS.has(virq);
    if (!perVcpu && vcpuId !== 0) throw new XenError(Errno.EINVAL, 'global VIRQs bind on vCPU 0');
    // A global VIRQ belongs to its handler domain (Domain 0): anyone else gets EBUSY, as in Xen.
    if (GLOBAL_VIRQS.has(virq) && this.domain.id !== 0) throw new XenError(Errno.EBUSY, `virq ${virq} is handled by Domain 0`);
    const v = this.vcpu(vcpuId);
    const table = perVcpu ? v.virqPort : this.globalVirqPort;
    if (table[virq] !== 0) throw new XenError(Errno.EEXIST, `virq ${virq} already bound`);
    const p = this.allocPort();
    const port = this.ports[p]!;
    port.state = PortState.VIRQ;
    port.virq = virq;
    port.notifyVcpu = vcpuId;
    table[virq] = p;
    return p;
  }

  bindIpi(vcpuId: number): number {
    this.vcpu(vcpuId);
    const p = this.allocPort();
    const port = this.ports[p]!;
    port.state = PortState.IPI;
    port.notifyVcpu = vcpuId;
    return p;
  }

  close(p: number): void {
    const port = this.port(p);
    switch (port.state) {
      case PortState.INTERDOMAIN: {
        const rd = this.host.lookup(port.remoteDom);
        const rport = rd?.evtchn.ports[port.remotePort];
        if (rd !== undefined && rport !== undefined && rport.state === PortState.INTERDOMAIN &&
            rport.remoteDom === this.domain.id && rport.remotePort === p) {
          rport.state = PortState.UNBOUND; // the peer waits for a new connection from us
          rport.remotePort = 0;
        }
        break;
      }
      case PortState.VIRQ: {
        const perVcpu = PER_VCPU_VIRQS.has(port.virq);
        const table = perVcpu ? this.domain.vcpus[port.notifyVcpu]!.virqPort : this.globalVirqPort;
        if (table[port.virq] === p) table[port.virq] = 0;
        break;
      }
      default: break;
    }
    port.state = PortState.FREE;
    port.remoteDom = port.remotePort = port.virq = port.notifyVcpu = 0;
    this.host.portClosed?.(this.domain, p);
  }

  /** EVTCHNOP_send from this domain on local port `p`. */
  send(p: number): void {
    const port = this.port(p);
    switch (port.state) {
      case PortState.INTERDOMAIN: {
        const rd = this.host.lookup(port.remoteDom);
        if (rd !== undefined) this.host.setPending(rd, port.remotePort);
        return;
      }
      case PortState.IPI:
        this.host.setPending(this.domain, p);
        return;
      case PortState.UNBOUND:
        return; // nobody connected yet: the event is dropped, as in Xen
      default:
        throw new XenError(Errno.EINVAL, `port ${p} cannot be sent on`);
    }
  }

  bindVcpu(p: number, vcpuId: number): void {
    const port = this.port(p);
    this.vcpu(vcpuId);
    if (port.state === PortState.IPI || (port.state === PortState.VIRQ && PER_VCPU_VIRQS.has(port.virq))) {
      throw new XenError(Errno.EINVAL, `port ${p} is bound to its vCPU`);
    }
    port.notifyVcpu = vcpuId;
  }

  status(p: number): PortStatus {
    const port = Number.isInteger(p) && p > 0 ? this.ports[p] : undefined;
    if (port === undefined) {
      if (!Number.isInteger(p) || p <= 0 || p >= this.maxPorts) throw new XenError(Errno.EINVAL, `bad port ${p}`);
      return { status: EvtchnStatus.closed, vcpu: 0, a: 0, b: 0 };
    }
    switch (port.state) {
      case PortState.FREE: return { status: EvtchnStatus.closed, vcpu: 0, a: 0, b: 0 };
      case PortState.UNBOUND: return { status: EvtchnStatus.unbound, vcpu: port.notifyVcpu, a: port.remoteDom, b: 0 };
      case PortState.INTERDOMAIN:
        return { status: EvtchnStatus.interdomain, vcpu: port.notifyVcpu, a: port.remoteDom, b: port.remotePort };
      case PortState.VIRQ: return { status: EvtchnStatus.virq, vcpu: port.notifyVcpu, a: port.virq, b: 0 };
      case PortState.IPI: return { status: EvtchnStatus.ipi, vcpu: port.notifyVcpu, a: 0, b: 0 };
      default: return { status: EvtchnStatus.pirq, vcpu: port.notifyVcpu, a: 0, b: 0 };
    }
  }

  /** Closes every port (EVTCHNOP_reset, domain teardown). */
  reset(): void {
    for (let p = 1; p < this.ports.length; p++) if (this.ports[p]!.state !== PortState.FREE) this.close(p);
  }

  /** Raises a VIRQ on this domain if it is bound. */
  raiseVirq(virq: number, vcpuId = 0): void {
    const v = this.domain.vcpus[vcpuId];
    const p = PER_VCPU_VIRQS.has(virq) ? (v?.virqPort[virq] ?? 0) : this.globalVirqPort[virq]!;
    if (p !== 0) this.host.setPending(this.domain, p);
  }
}
