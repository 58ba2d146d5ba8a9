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
import { Errno, MmuextCmd, ShutdownReason, XenError } from './abi/xen.js';
import { FrameFlag, PageType } from './mm/frame-table.js';
import { allocFrame } from './hypercall/memory.js';
import { mmuextOne } from './hypercall/mmu.js';
import { checkPrivileged, privilegedTarget } from './privilege.js';
import { SchedControl } from './sched-control.js';
import type { GuestContext } from './vcpu-context.js';
import { formatCpuMask } from './sched/scheduler.js';
import { GrantError, grantTables, grantTablesIfAny, type Mapping } from './grant-table.js';

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
    checkPrivileged(this.caller);
  }

  private domain(domid: number): Domain {
    return privilegedTarget(this.hv, this.caller, domid, true);
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
      hv.sharedInfo.setUpcallMask(si, i, true);
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
    // Grant mappings either way go before any frame is returned (grant-table.ts).
    grantTablesIfAny(hv)?.teardown(d);
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
      cpuTimeNs: d.vcpus.reduce((n, v) => n + this.hv.cpuCycles(v), 0) * cyclesToNs,
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

  /** xl vcpu-list's view of SchedControl.vcpuList: affinity as a cpu list. */
  vcpuList(domid?: number): VcpuInfo[] {
    const harts = this.hv.machine.harts.length;
    return new SchedControl(this.hv, this.caller).vcpuList(domid).map((v) => ({
      domid: v.domid, name: v.name, vcpu: v.vcpu, cpu: v.cpu, state: v.state, cpuTimeNs: v.cpuTimeNs,
      affinity: formatCpuMask(v.affinity, harts),
    }));
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

  // ---------------------------------------------------------------------------------
  // Grants: how Domain 0's backends reach guest memory (grant-table.ts). Failures throw
  // GrantError with Xen's GNTST_* status.

  /** Maps grant `ref` of `domid` for Domain 0 (read-only unless `writable`). */
  grantMap(domid: number, ref: number, writable: boolean): GrantMapping {
    this.checkPrivileged();
    const granter = this.hv.lookup(domid);
    if (granter === undefined) throw new GrantError(-2, `no domain ${domid}`);
    const m = grantTables(this.hv).map(this.caller, granter, ref, !writable, -1, false);
    return new GrantMapping(this.hv, m);
  }

  grantUnmap(m: GrantMapping): void {
    this.checkPrivileged();
    m.unmap();
  }

  /** Copies `len` bytes from grant `ref` of `domid` (at `offset`) into `dst`. */
  grantCopyFrom(domid: number, ref: number, offset: number, dst: Uint8Array, dstOffset = 0, len = dst.length - dstOffset): void {
    this.checkPrivileged();
    const g = grantTables(this.hv);
    const granter = this.hv.lookup(domid);
    if (granter === undefined) throw new GrantError(-2, `no domain ${domid}`);
    if (offset < 0 || len < 0 || offset + len > 4096 || dstOffset + len > dst.length) throw new GrantError(-10, 'copy crosses a page');
    const mfn = g.pin(granter, this.caller, ref, true);
    try {
      const o = this.hv.mem.offset(mfn) + offset;
      dst.set(this.hv.mem.ram.u8.subarray(o, o + len), dstOffset);
    } finally {
      g.unpin(granter, ref, true);
    }
    g.stats.copies++;
    g.stats.copiedBytes += len;
  }

  /** Copies `src` into grant `ref` of `domid` at `offset` (the grant must allow writing). */
  grantCopyTo(domid: number, ref: number, offset: number, src: Uint8Array): void {
    this.checkPrivileged();
    const g = grantTables(this.hv);
    const granter = this.hv.lookup(domid);
    if (granter === undefined) throw new GrantError(-2, `no domain ${domid}`);
    if (offset < 0 || offset + src.length > 4096) throw new GrantError(-10, 'copy crosses a page');
    const mfn = g.pinForCopy(granter, this.caller, ref, false);
    try {
      this.hv.mem.writeBytes(this.hv.mem.offset(mfn) + offset, src);
    } finally {
      g.unpinForCopy(granter, ref, false, mfn);
    }
    g.stats.copies++;
    g.stats.copiedBytes += src.length;
  }

  /**
   * The page flip: a fresh frame holding `data` goes to `domid` through its
   * accept_transfer grant `ref` (Domain 0 allocates it, fills it, and gives it away).
   * Returns the MFN transferred.
   */
  grantTransfer(domid: number, ref: number, data: Uint8Array): number {
    this.checkPrivileged();
    const hv = this.hv;
    if (data.length > 4096) throw new GrantError(-10, 'more than a page');
    const mfn = hv.frames.alloc(this.caller.id);
    if (mfn < 0) throw new GrantError(-13, 'out of memory');
    this.caller.totPages++;
    hv.mem.zeroFrame(mfn);
    hv.mem.writeBytes(hv.mem.offset(mfn), data);
    try {
      grantTables(hv).transfer(this.caller, mfn, domid, ref);
    } catch (e) {
      hv.frames.unallocate(mfn);
      throw e;
    }
    return mfn;
  }

  /** Sets a domain's grant table size limit (xl's max_grant_frames). */
  setMaxGrantFrames(domid: number, frames: number): void {
    const d = this.domain(domid);
    grantTables(this.hv).table(d).maxFrames = frames;
  }

  close(port: number): void {
    this.caller.evtchn.close(port);
  }
}

/**
 * A guest frame Domain 0 mapped through a grant: reads always, writes only if the grant
 * is read-write; every access fails once the mapping is gone (unmapped, or torn down
 * because the granter died).
 */
export class GrantMapping {
  constructor(private readonly hv: Hypervisor, readonly m: Mapping) {}

  get mfn(): number { return this.m.mfn; }
  get writable(): boolean { return !this.m.readonly; }
  get alive(): boolean { return !this.m.gone; }

  private check(offset: number, len: number): number {
    if (this.m.gone) throw new GrantError(-4, 'grant mapping is gone');
    if (offset < 0 || len < 0 || offset + len > 4096) throw new RangeError('access outside the frame');
    return this.hv.mem.offset(this.m.mfn) + offset;
  }

  /** A view of the frame's bytes, for reading (do not keep it across unmap). */
  view(): Uint8Array {
    const o = this.check(0, 4096);
    return this.hv.mem.ram.u8.subarray(o, o + 4096);
  }

  read(offset: number, dst: Uint8Array, dstOffset = 0, len = dst.length - dstOffset): void {
    const o = this.check(offset, len);
    dst.set(this.hv.mem.ram.u8.subarray(o, o + len), dstOffset);
  }

  write(offset: number, src: Uint8Array): void {
    if (this.m.readonly) throw new GrantError(-8, 'read-only grant mapping');
    this.hv.mem.writeBytes(this.check(offset, src.length), src);
  }

  read32(offset: number): number {
    this.check(offset, 4);
    return this.hv.mem.read32(this.m.mfn, offset) >>> 0;
  }

  write32(offset: number, value: number): void {
    if (this.m.readonly) throw new GrantError(-8, 'read-only grant mapping');
    this.check(offset, 4);
    this.hv.mem.write32(this.m.mfn, offset, value | 0);
  }

  unmap(): void {
    if (!this.m.gone) grantTables(this.hv).unmap(this.m);
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
