/*
 * The control interface: what Xen's domctl/sysctl/privileged memory and event operations
 * give a control domain, as methods called by Domain 0's TypeScript (the domain
 * builder, the toolstack, the backends). Every method checks that its caller is
 * privileged, exactly where a guest's hypercall would be checked.
 *
 *   domctl   createDomain, setMaxMem, pause, unpause, destroy, shutdown, domainInfo
 *   sysctl   physinfo, readConsole
 *   memory   populate (populate_physmap for another domain), mapForeign (privcmd-style
 *            access to a domain's frame), setM2P, pinTable
 *   vcpu     setVcpuContext + bringUp (DOMCTL_setvcpucontext, VCPUOP_up)
 *   events   allocUnbound on another domain, and Domain 0's own bind/send/close
 */

import type { Hypervisor } from './hypervisor.js';
import { Domain, DomainState, Vcpu, VcpuState } from './domain.js';
import { EventChannels } from './event-channel.js';
import { DOMID_SELF, Errno, ShutdownReason, XenError } from './abi/xen.js';
import { FrameFlag, PageType } from './mm/frame-table.js';
import { allocFrame } from './hypercall/memory.js';
import { mmuextOne } from './hypercall/mmu.js';
import { MmuextCmd } from './abi/xen.js';
import { VCPU_INFO } from './abi/layout.js';
import type { GuestContext } from './vcpu-context.js';

export interface CreateDomainConfig {
  name: string;
  maxVcpus: number;
  /** Maximum memory in KiB. */
  maxMemKiB: number;
}

export interface DomainInfo {
  domid: number;
  name: string;
  state: string;
  shutdownReason: string;
  vcpus: number;
  onlineVcpus: number;
  totPages: number;
  maxPages: number;
  memKiB: number;
  cpuTimeNs: number;
  privileged: boolean;
  dying: boolean;
  shutdown: boolean;
  paused: boolean;
}

export interface VcpuInfo {
  domid: number;
  name: string;
  vcpu: number;
  cpu: number;
  state: string;
  cpuTimeNs: number;
  affinity: string;
}

export interface PhysInfo {
  nrCpus: number;
  cpuMhz: number;
  totalPages: number;
  freePages: number;
  hypervisorPages: number;
}

export class Control {
  constructor(private readonly hv: Hypervisor, private readonly caller: Domain) {}

  private checkPrivileged(): void {
    if (!this.caller.privileged) throw new XenError(Errno.EPERM, `domain ${this.caller.id} is not privileged`);
  }

  private domain(domid: number): Domain {
    this.checkPrivileged();
    const d = domid === DOMID_SELF ? this.caller : this.hv.domains.get(domid);
    if (d === undefined || d.state === DomainState.DEAD) throw new XenError(Errno.ESRCH, `no domain ${domid}`);
    return d;
  }

  // ---------------------------------------------------------------------------------
  // domctl

  createDomain(cfg: CreateDomainConfig): Domain {
    this.checkPrivileged();
    const hv = this.hv;
    if (!Number.isInteger(cfg.maxVcpus) || cfg.maxVcpus < 1 || cfg.maxVcpus > 32) {
      throw new XenError(Errno.EINVAL, `vcpus must be 1..32, got ${cfg.maxVcpus}`);
    }
    const id = hv.allocDomid();
    const d = new Domain(id, { name: cfg.name, maxVcpus: cfg.maxVcpus, maxPages: Math.floor(cfg.maxMemKiB / 4) }, hv.nowNs);
    d.evtchn = new EventChannels(d, hv);
    const si = hv.frames.alloc(id, true);
    if (si < 0) throw new XenError(Errno.ENOMEM, 'no memory for shared_info');
    hv.mem.zeroFrame(si);
    d.sharedInfoMfn = si;
    hv.domains.set(id, d);
    for (let i = 0; i < cfg.maxVcpus; i++) {
      const v = new Vcpu(d, i, i % hv.machine.harts.length);
      // Event delivery starts masked; PV vCPUs get Xen's default 10 ms periodic timer.
      hv.mem.write8(si, i * VCPU_INFO.SIZE + VCPU_INFO.evtchn_upcall_mask, 1);
      v.periodNs = 10_000_000;
      d.vcpus.push(v);
      hv.sched.add(v);
    }
    hv.writeWallclock(d);
    hv.log.write(`d${id} (${cfg.name}): created, ${cfg.maxVcpus} vCPU(s), max ${cfg.maxMemKiB} KiB`);
    return d;
  }

  setMaxMem(domid: number, kib: number): void {
    const d = this.domain(domid);
    if (!Number.isFinite(kib) || kib < 0) throw new XenError(Errno.EINVAL, `bad memory size ${kib}`);
    d.maxPages = Math.floor(kib / 4);
  }

  pause(domid: number): void {
    const d = this.domain(domid);
    if (d === this.hv.dom0) throw new XenError(Errno.EINVAL, 'cannot pause Domain 0');
    if (d.state !== DomainState.ACTIVE) throw new XenError(Errno.EINVAL, `domain ${domid} is not running`);
    d.pauseCount++;
    for (const v of d.vcpus) this.hv.deschedule(v);
  }

  unpause(domid: number): void {
    const d = this.domain(domid);
    if (d.pauseCount === 0) throw new XenError(Errno.EINVAL, `domain ${domid} is not paused`);
    d.pauseCount--;
    if (d.pauseCount === 0) {
      const now = this.hv.nowNs;
      for (const v of d.vcpus) {
        this.hv.updateTimeInfo(v, null);
        if (v.periodNs > 0 && v.periodicNext === Infinity) v.periodicNext = now + v.periodNs;
      }
      this.hv.requeue(d);
    }
  }

  shutdown(domid: number, reason: ShutdownReason): void {
    const d = this.domain(domid);
    if (d === this.hv.dom0) throw new XenError(Errno.EINVAL, 'cannot shut down Domain 0');
    this.hv.shutdownDomain(d, reason);
  }

  /**
   * Destroys a domain: stops its vCPUs, drops every pin, base pointer and port, returns
   * every frame (scrubbed) to the free pool, and forgets the domain.
   */
  destroy(domid: number): void {
    const d = this.domain(domid);
    const hv = this.hv;
    if (d === hv.dom0) throw new XenError(Errno.EINVAL, 'cannot destroy Domain 0');
    if (d.state === DomainState.DYING) return;
    d.state = DomainState.DYING;
    for (const v of d.vcpus) {
      hv.deschedule(v);
      hv.sched.remove(v);
      v.state = VcpuState.OFFLINE;
      v.timerDeadline = v.periodicNext = v.pollDeadline = Infinity;
      if (v.baseMfn >= 0) { hv.frames.putPageAndType(v.baseMfn); v.baseMfn = -1; }
      // A hart still holding this vCPU's context drops it at its next entry.
      if (hv.current[v.processor] === v) hv.kickHart(v.processor);
    }
    d.evtchn.reset();
    for (let i = 0; i < hv.machine.harts.length; i++) {
      if (hv.current[i]?.domain === d) hv.current[i] = null;
    }
    const frames = hv.frames;
    const owned = frames.framesOf(d.id);
    for (const mfn of owned) {
      if (frames.has(mfn, FrameFlag.PINNED)) { frames.setPinned(mfn, false); frames.putPageAndType(mfn); }
    }
    for (const mfn of owned) {
      hv.m2p.set(mfn, 0xffffffff);
      frames.unallocate(mfn);
    }
    // Anything still held (a reference cycle a guest built) is reclaimed by force.
    let forced = 0;
    for (const mfn of frames.framesOf(d.id)) {
      const i = frames.index(mfn);
      frames.typeCount[i] = 0;
      frames.type[i] = PageType.NONE;
      frames.count[i] = 1;
      frames.putPage(mfn);
      forced++;
    }
    hv.flushAllTlbs();
    d.state = DomainState.DEAD;
    hv.domains.delete(d.id);
    hv.log.write(`d${d.id} (${d.name}): destroyed, ${owned.length} frames returned` +
      (forced > 0 ? ` (${forced} reclaimed by force)` : ''));
  }

  rename(domid: number, name: string): void {
    this.domain(domid).name = name;
  }

  domainInfo(domid: number): DomainInfo {
    const d = this.domain(domid);
    const cyclesToNs = 1e9 / this.hv.machine.cpuHz;
    const paused = d.pauseCount > 0 && d.state === DomainState.ACTIVE;
    return {
      domid: d.id,
      name: d.name,
      state: d.stateLetters,
      shutdownReason: d.describeShutdown(),
      vcpus: d.vcpus.length,
      onlineVcpus: d.vcpus.filter((v) => v.isUp).length,
      totPages: d.totPages,
      maxPages: d.maxPages,
      memKiB: d.totPages * 4,
      cpuTimeNs: this.liveCycles(d) * cyclesToNs,
      privileged: d.privileged,
      dying: d.state === DomainState.DYING,
      shutdown: d.state === DomainState.SHUTDOWN,
      paused,
    };
  }

  listDomains(): DomainInfo[] {
    this.checkPrivileged();
    return [...this.hv.domains.keys()].sort((a, b) => a - b).map((id) => this.domainInfo(id));
  }

  vcpuList(domid?: number): VcpuInfo[] {
    this.checkPrivileged();
    const out: VcpuInfo[] = [];
    const cyclesToNs = 1e9 / this.hv.machine.cpuHz;
    for (const d of [...this.hv.domains.values()].sort((a, b) => a.id - b.id)) {
      if (domid !== undefined && d.id !== domid) continue;
      for (const v of d.vcpus) {
        const state = v.state === VcpuState.RUNNING ? 'r' : v.state === VcpuState.BLOCKED ? 'b' :
          v.state === VcpuState.OFFLINE ? '-' : d.pauseCount > 0 ? 'p' : 'r-';
        out.push({
          domid: d.id, name: d.name, vcpu: v.id, cpu: v.processor, state,
          cpuTimeNs: (v.cpuCycles + this.running(v)) * cyclesToNs, affinity: 'all',
        });
      }
    }
    return out;
  }

  private running(v: Vcpu): number {
    if (v.state !== VcpuState.RUNNING) return 0;
    const h = this.hv.machine.harts[v.processor]!;
    return Math.max(0, h.now() - v.runStart);
  }

  private liveCycles(d: Domain): number {
    let n = 0;
    for (const v of d.vcpus) n += v.cpuCycles + this.running(v);
    return n;
  }

  // ---------------------------------------------------------------------------------
  // sysctl

  physinfo(): PhysInfo {
    this.checkPrivileged();
    const f = this.hv.frames;
    let hyp = 0;
    for (let i = 0; i < f.nframes; i++) if (f.owner[i] === 0x7ff2) hyp++;
    return {
      nrCpus: this.hv.machine.harts.length,
      cpuMhz: this.hv.machine.cpuHz / 1e6,
      totalPages: f.nframes,
      freePages: f.freeFrames,
      hypervisorPages: hyp,
    };
  }

  readConsole(): string[] {
    this.checkPrivileged();
    return this.hv.log.snapshot();
  }

  // ---------------------------------------------------------------------------------
  // Memory on behalf of a domain (the builder)

  /** populate_physmap for `domid`: backs each pfn with a fresh frame; returns the MFNs. */
  populate(domid: number, pfns: readonly number[]): number[] {
    const d = this.domain(domid);
    const out: number[] = [];
    for (const pfn of pfns) {
      const mfn = allocFrame(this.hv, d, pfn);
      if (mfn < 0) throw new XenError(Errno.ENOMEM, `domain ${domid}: out of memory after ${out.length} pages`);
      this.hv.mem.zeroFrame(mfn);
      out.push(mfn);
    }
    for (const pfn of pfns) if (pfn + 1 > d.nrPages) d.nrPages = pfn + 1;
    return out;
  }

  /** A frame of `domid`, for the builder to fill (privcmd foreign mapping). */
  mapForeign(domid: number, mfn: number): ForeignFrame {
    const d = this.domain(domid);
    if (this.hv.frames.ownerOf(mfn) !== d.id) throw new XenError(Errno.EPERM, `frame 0x${mfn.toString(16)} is not domain ${domid}'s`);
    if (this.hv.frames.typeOf(mfn) === PageType.L1 || this.hv.frames.typeOf(mfn) === PageType.L2) {
      throw new XenError(Errno.EPERM, `frame 0x${mfn.toString(16)} is a page table`);
    }
    return new ForeignFrame(this.hv, mfn);
  }

  /** Pins a table of `domid` (validating it) — MMUEXT_PIN_Lx_TABLE with foreigndom. */
  pinTable(domid: number, mfn: number, level: 1 | 2): void {
    const d = this.domain(domid);
    mmuextOne(this.hv, null, null, d, level === 1 ? MmuextCmd.PIN_L1_TABLE : MmuextCmd.PIN_L2_TABLE, mfn, 0);
  }

  setVcpuContext(domid: number, vcpu: number, ctx: GuestContext): void {
    const d = this.domain(domid);
    const v = d.vcpus[vcpu];
    if (v === undefined) throw new XenError(Errno.ENOENT, `no vcpu ${vcpu}`);
    this.hv.installContext(v, ctx, d);
    v.state = VcpuState.RUNNABLE;
  }

  // ---------------------------------------------------------------------------------
  // Event channels

  /**
   * Raises a virtual IRQ in a domain: VIRQ_DEBUG for a debug request to a guest,
   * VIRQ_CONSOLE when hypervisor-console input is waiting. Unbound VIRQs are dropped.
   */
  raiseVirq(domid: number, virq: number, vcpu = 0): void {
    const d = this.domain(domid);
    if (!Number.isInteger(virq) || virq < 0 || virq >= 24) throw new XenError(Errno.EINVAL, `bad virq ${virq}`);
    if (d.vcpus[vcpu] === undefined && d !== this.hv.dom0) throw new XenError(Errno.ENOENT, `no vcpu ${vcpu}`);
    d.evtchn.raiseVirq(virq, vcpu);
  }

  allocUnbound(domid: number, remoteDom: number): number {
    const d = this.domain(domid);
    return d.evtchn.allocUnbound(remoteDom);
  }

  /** Binds a Domain 0 port to `remotePort` of `remoteDom`; `handler` runs when it fires. */
  bindInterdomain(remoteDom: number, remotePort: number, handler: (port: number) => void): number {
    this.checkPrivileged();
    const port = this.caller.evtchn.bindInterdomain(remoteDom, remotePort);
    this.hv.onDom0Event(port, handler);
    this.hv.drainDom0Events();
    return port;
  }

  send(port: number): void {
    this.caller.evtchn.send(port);
  }

  close(port: number): void {
    this.caller.evtchn.close(port);
  }
}

/** One frame of another domain, mapped for Domain 0. */
export class ForeignFrame {
  constructor(private readonly hv: Hypervisor, readonly mfn: number) {}

  write(offset: number, bytes: Uint8Array): void {
    if (offset < 0 || offset + bytes.length > 4096) throw new RangeError('write outside the frame');
    this.hv.mem.writeBytes(this.hv.mem.offset(this.mfn) + offset, bytes);
  }

  write32(offset: number, value: number): void {
    this.hv.mem.write32(this.mfn, offset, value);
  }

  read32(offset: number): number {
    return this.hv.mem.read32(this.mfn, offset);
  }

  bytes(): Uint8Array {
    return this.hv.mem.frameBytes(this.mfn);
  }
}
