/*
 * The tsxen hypervisor: the rv32 machine's M-mode software (DESIGN.md §1).
 *
 * Every trap that reaches M-mode lands in `trap()`. PV guest kernels run in S-mode with
 * mstatus.TVM set and their processes in U-mode; what they may do alone is delegated to
 * them (system calls, most faults, the event upcall), so the hypervisor sees only:
 *
 *   ecall from S           a hypercall (number in a7, arguments a0–a5, result in a0)
 *   store page fault       maybe a write to a page table (emulated), else bounced
 *   machine timer          slice ends, guest timers (VIRQ_TIMER), poll timeouts
 *   machine software irq   another hart (or Domain 0) asks this hart to reschedule
 *
 * On the way out (`exit`) it asks the scheduler whether to switch vCPUs, reflects
 * pending events into the guest's SSIP, programs the hart's timer, and returns with
 * mret. A hart with nothing to run parks in WFI in a context that only the hypervisor's
 * own interrupts can wake.
 *
 * Domain 0 is TypeScript in this process (src/dom0/): it calls the same operations —
 * `control.ts` for the toolstack's privileged ones, the event-channel and memory code
 * the hypercalls use — with its own Domain as the caller, so the same checks apply.
 */

import type { Hart, MachineModeHandler } from '../machine/rv32/hart.js';
import { HartState } from '../machine/rv32/hart.js';
import type { Machine } from '../machine/rv32/machine.js';
import { Access, translate } from '../machine/rv32/mmu.js';
import {
  Cause, Csr, INTERRUPT_BIT, Irq, MIP_MSIP, MIP_MTIP, MIP_SSIP, Mode, Mstatus, SATP_MODE_SV32,
} from '../machine/rv32/csr.js';
import { TIMEBASE_HZ } from '../machine/rv32/costs.js';
import { FrameTable } from './mm/frame-table.js';
import { MachineMemory } from './mm/machine-memory.js';
import { M2P } from './mm/m2p.js';
import { PvMmu } from './mm/pv-mmu.js';
import { Domain, DomainState, Vcpu, VcpuState } from './domain.js';
import { EventChannels, type EventHost } from './event-channel.js';
import type { SchedulerName, SchedulerPolicy } from './sched/scheduler.js';
import { SCHEDULERS } from './sched/registry.js';
import { RunstateTracker } from './sched/runstate.js';
import { Errno, Virq, XenError, ShutdownReason, SHUTDOWN_NAMES } from './abi/xen.js';
import { PageType } from './mm/frame-table.js';
import type { GuestContext } from './vcpu-context.js';
import { XEN_COST } from './costs.js';
import { dispatchHypercall } from './hypercall/dispatch.js';
import { emulatePtWrite } from './mm/pt-write.js';
import { ConsoleLog } from './console-log.js';
import { SharedInfoPages } from './shared-info.js';

/** Exceptions a PV guest handles itself (docs/pv-abi.md); store page faults are not among them. */
export const PV_MEDELEG =
  (1 << Cause.MISALIGNED_FETCH) | (1 << Cause.FETCH_ACCESS) | (1 << Cause.ILLEGAL_INSTRUCTION) |
  (1 << Cause.BREAKPOINT) | (1 << Cause.MISALIGNED_LOAD) | (1 << Cause.LOAD_ACCESS) |
  (1 << Cause.MISALIGNED_STORE) | (1 << Cause.STORE_ACCESS) | (1 << Cause.ECALL_U) |
  (1 << Cause.FETCH_PAGE_FAULT) | (1 << Cause.LOAD_PAGE_FAULT);
/** The event upcall is the only interrupt a PV guest sees. */
export const PV_MIDELEG = MIP_SSIP;
const HV_INTERRUPTS = MIP_MTIP | MIP_MSIP;
const S_STATUS_BITS = Mstatus.SIE | Mstatus.SPIE | Mstatus.SPP | Mstatus.SUM | Mstatus.MXR;
const NS_PER_TICK = 1e9 / TIMEBASE_HZ;

export interface HypervisorOptions {
  /** Scheduling policy, Xen's `sched=` (default 'credit', as in Xen 3). */
  scheduler?: SchedulerName;
  /** Time slice in milliseconds of virtual time (default: the policy's own — rr 10, credit 30, bvt C = 5). */
  sliceMs?: number;
  /** Wall-clock seconds at boot, for shared_info's wallclock (default 0: deterministic). */
  wallclockSec?: number;
  /** Where the hypervisor console (`tsxen dmesg`) lines go as they are logged. */
  onLog?: (line: string) => void;
}

export interface HypervisorStats {
  traps: number;
  hypercalls: number;
  switches: number;
  bounces: number;
  ptWrites: number;
  /** Scheduling decisions taken (each charged XEN_COST.SCHEDULE). */
  schedules: number;
}

export class Hypervisor implements MachineModeHandler, EventHost {
  readonly machine: Machine;
  readonly mem: MachineMemory;
  readonly frames: FrameTable;
  readonly m2p: M2P;
  readonly mmu: PvMmu;
  /** Accessors for every domain's shared_info page. */
  readonly sharedInfo: SharedInfoPages;
  readonly sched: SchedulerPolicy;
  /** Each vCPU's running/runnable/blocked/offline time (VCPUOP_get_runstate_info). */
  readonly runstate = new RunstateTracker();
  readonly log: ConsoleLog;
  readonly domains = new Map<number, Domain>();
  readonly dom0: Domain;
  readonly stats: HypervisorStats = { traps: 0, hypercalls: 0, switches: 0, bounces: 0, ptWrites: 0, schedules: 0 };
  readonly wallclockSec: number;

  /** What each hart is running (null: idle). */
  readonly current: (Vcpu | null)[];
  private readonly sliceEnd: number[];
  private readonly resched: boolean[];
  /** The hart whose trap is being handled, or -1 (Domain 0 calls from TypeScript). */
  private activeHart = -1;
  private nextDomid = 1;

  /** Events for Domain 0's ports, delivered to TypeScript after the current trap. */
  private readonly dom0Pending: number[] = [];
  private readonly dom0Handlers = new Map<number, (port: number) => void>();
  /** Work to do outside any trap (domain shutdown notifications). */
  private readonly deferred: (() => void)[] = [];

  /** Called when a domain shuts down (the toolstack applies on_poweroff etc.). */
  onDomainShutdown: ((dom: Domain) => void) | null = null;
  /** console_io output of a domain, as it is written. */
  onGuestConsole: ((dom: Domain, text: string) => void) | null = null;

  constructor(machine: Machine, options: HypervisorOptions = {}) {
    this.machine = machine;
    this.mem = new MachineMemory(machine.ram);
    this.frames = new FrameTable(this.mem.firstMfn, machine.ram.size / 4096);
    this.frames.scrub = (mfn) => this.mem.zeroFrame(mfn);
    this.frames.flushAllTlbs = () => this.flushAllTlbs();
    this.frames.onFree = (owner, xenHeap) => {
      const d = this.domains.get(owner);
      if (d !== undefined && !xenHeap) d.totPages--;
    };
    this.m2p = new M2P(this.frames, this.mem);
    this.mmu = new PvMmu(this.frames, this.mem, this.m2p);
    this.sharedInfo = new SharedInfoPages(this.mem);
    this.sched = SCHEDULERS[options.scheduler ?? 'credit']({
      harts: machine.harts.length, cpuHz: machine.cpuHz, sliceMs: options.sliceMs,
    });
    this.wallclockSec = options.wallclockSec ?? 0;
    this.log = new ConsoleLog(1000, options.onLog);
    const n = machine.harts.length;
    this.current = new Array(n).fill(null);
    this.sliceEnd = new Array(n).fill(Infinity);
    this.resched = new Array(n).fill(false);

    this.dom0 = new Domain(0, { name: 'Domain-0', privileged: true, maxVcpus: 0 }, 0);
    this.dom0.pauseCount = 0;
    this.dom0.evtchn = new EventChannels(this.dom0, this);
    this.domains.set(0, this.dom0);

    machine.mHandler = this;
    for (const h of machine.harts) this.park(h, false);
    this.log.write(`tsxen: ${n} hart(s), ${machine.ram.size >>> 20} MiB RAM, ` +
      `${this.frames.freeFrames} frames free, scheduler ${this.sched.name} ` +
      `(${Object.entries(this.sched.getGlobal()).map(([k, x]) => `${k}=${x}`).join(' ')})`);
  }

  // ---------------------------------------------------------------------------------
  // Time

  /** System time in ns as hart `h` sees it now. */
  systemTimeNs(hart: Hart): number {
    return this.machine.clint.mtimeAt(hart.now()) * NS_PER_TICK;
  }

  /** System time at the machine's current round (for Domain 0 work between rounds). */
  get nowNs(): number {
    return this.machine.clint.mtimeAt(this.machine.now) * NS_PER_TICK;
  }

  // ---------------------------------------------------------------------------------
  // Trap entry

  trap(hart: Hart): void {
    const h = hart.id;
    this.activeHart = h;
    this.stats.traps++;
    hart.charge(XEN_COST.ENTRY);
    const cause = hart.mcause >>> 0;
    const v = this.current[h] ?? null;
    try {
      if ((cause & INTERRUPT_BIT) !== 0) {
        const irq = cause & 0x7fffffff;
        if (irq === Irq.MTI) this.timerInterrupt(hart);
        else if (irq === Irq.MSI) { this.machine.clint.write(4 * h, 4, 0); this.resched[h] = true; }
        else this.log.write(`hart ${h}: unexpected interrupt ${irq}`);
      } else if (v === null) {
        throw new Error(`hart ${h}: exception ${cause} while idle (pc 0x${(hart.mepc >>> 0).toString(16)})`);
      } else if (cause === Cause.ECALL_S) {
        hart.mepc = (hart.mepc + 4) | 0;
        this.stats.hypercalls++;
        hart.x[10] = dispatchHypercall(this, hart, v);
      } else if (cause === Cause.STORE_PAGE_FAULT && this.fromMode(hart) === Mode.S && emulatePtWrite(this, hart, v)) {
        this.stats.ptWrites++;
      } else {
        this.bounce(hart, v, cause, hart.mtval);
      }
      this.drainDom0Events();
      this.exit(hart);
    } finally {
      this.activeHart = -1;
    }
    this.runDeferred();
  }

  private fromMode(hart: Hart): Mode {
    return ((hart.mstatus & Mstatus.MPP) >>> Mstatus.MPP_SHIFT) as Mode;
  }

  /**
   * Delivers a trap to the guest's own S-mode handler exactly as a delegated trap would
   * arrive (sepc, scause, stval, sstatus.SPP/SPIE/SIE, pc = stvec). A guest with no
   * handler installed has crashed.
   */
  bounce(hart: Hart, v: Vcpu, cause: number, tval: number): void {
    this.stats.bounces++;
    hart.charge(XEN_COST.BOUNCE);
    if ((hart.stvec & -4) === 0) {
      this.log.write(`d${v.domain.id}v${v.id}: unhandled trap ${cause} at 0x${(hart.mepc >>> 0).toString(16)} ` +
        `(tval 0x${(tval >>> 0).toString(16)}) with no trap handler: crashing the domain`);
      this.shutdownDomain(v.domain, ShutdownReason.crash);
      return;
    }
    const from = this.fromMode(hart);
    hart.sepc = hart.mepc;
    hart.scause = cause;
    hart.stval = tval;
    let s = hart.mstatus & ~(Mstatus.SPIE | Mstatus.SIE | Mstatus.SPP | Mstatus.MPP);
    if ((hart.mstatus & Mstatus.SIE) !== 0) s |= Mstatus.SPIE;
    if (from === Mode.S) s |= Mstatus.SPP;
    s |= Mode.S << Mstatus.MPP_SHIFT;
    hart.mstatus = s;
    hart.mepc = hart.stvec & -4;
  }

  // ---------------------------------------------------------------------------------
  // Timers

  private timerInterrupt(hart: Hart): void {
    const h = hart.id;
    this.machine.clint.setTimecmp(h, Number.MAX_SAFE_INTEGER);
    const now = this.systemTimeNs(hart);
    for (const d of this.domains.values()) {
      for (const v of d.vcpus) if (v.processor === h) this.fireTimers(v, now);
    }
    if (hart.now() >= this.sliceEnd[h]!) this.resched[h] = true;
  }

  /** Fires whatever of `v`'s timers are due at `now` ns. */
  fireTimers(v: Vcpu, now: number): void {
    if (v.timerDeadline <= now) {
      v.timerDeadline = Infinity;
      v.domain.evtchn.raiseVirq(Virq.TIMER, v.id);
    }
    if (v.periodicNext <= now) {
      while (v.periodicNext <= now) v.periodicNext += v.periodNs;
      v.domain.evtchn.raiseVirq(Virq.TIMER, v.id);
    }
    if (v.pollDeadline <= now && v.state === VcpuState.BLOCKED) {
      v.pollDeadline = Infinity;
      this.wake(v);
    }
  }

  /** Programs hart h's mtimecmp for the earliest of its slice end and its vCPUs' timers. */
  private programTimer(hart: Hart): void {
    const h = hart.id;
    const clint = this.machine.clint;
    let ticks = this.sliceEnd[h]! === Infinity ? Infinity : Math.ceil(this.sliceEnd[h]! / clint.cyclesPerTick);
    for (const d of this.domains.values()) {
      if (d.state !== DomainState.ACTIVE) continue;
      for (const v of d.vcpus) {
        if (v.processor !== h || v.state === VcpuState.OFFLINE) continue;
        const ns = Math.min(v.timerDeadline, v.periodicNext, v.pollDeadline);
        if (ns !== Infinity) ticks = Math.min(ticks, Math.ceil(ns / NS_PER_TICK));
      }
    }
    clint.setTimecmp(h, ticks === Infinity ? Number.MAX_SAFE_INTEGER : ticks);
    this.machine.afterDeviceWrite(hart);
  }

  // ---------------------------------------------------------------------------------
  // Scheduling and world switches

  /** Leaves the hypervisor on hart `hart`: maybe switch vCPU, then return to a guest or idle. */
  private exit(hart: Hart): void {
    const h = hart.id;
    let v: Vcpu | null = this.current[h] ?? null;
    if (this.resched[h] || v === null || !v.runnable || hart.now() >= this.sliceEnd[h]!) {
      this.resched[h] = false;
      this.stats.schedules++;
      hart.charge(XEN_COST.SCHEDULE);
      const d = this.sched.pick(h, hart.now(), v !== null && v.runnable ? v : null);
      const prev = v;
      if (d.vcpu !== v) this.switchTo(hart, v, d.vcpu);
      v = d.vcpu;
      // A vCPU pinned away from this hart while it ran goes to a hart it may use.
      if (prev !== null && prev !== v && prev.runnable && ((prev.affinity >>> h) & 1) === 0) this.wake(prev);
      this.sliceEnd[h] = hart.now() + d.slice;
    }
    if (v === null) {
      this.park(hart, true);
      this.programTimer(hart);
      return;
    }
    if (this.upcallDeliverable(v)) hart.mipSoft |= MIP_SSIP;
    this.programTimer(hart);
    hart.mret();
  }

  private switchTo(hart: Hart, prev: Vcpu | null, next: Vcpu | null): void {
    const now = hart.now();
    if (prev !== null) {
      this.saveContext(hart, prev);
      prev.cpuCycles += now - prev.runStart;
      if (prev.state === VcpuState.RUNNING) prev.state = VcpuState.RUNNABLE;
    }
    this.current[hart.id] = next;
    if (next !== null) {
      this.loadContext(hart, next);
      next.state = VcpuState.RUNNING;
      next.runStart = hart.now();
      this.updateTimeInfo(next, hart);
    }
    if (prev !== null) this.noteRunstate(prev);
    if (next !== null) this.noteRunstate(next);
    this.stats.switches++;
    hart.charge(XEN_COST.WORLD_SWITCH + XEN_COST.TLB_FLUSH);
  }

  private saveContext(hart: Hart, v: Vcpu): void {
    const c = v.ctx;
    c.x.set(hart.x.subarray(0, 32));
    c.pc = hart.mepc;
    c.mode = this.fromMode(hart);
    c.sstatus = hart.mstatus & S_STATUS_BITS;
    c.stvec = hart.stvec;
    c.sscratch = hart.sscratch;
    c.sepc = hart.sepc;
    c.scause = hart.scause;
    c.stval = hart.stval;
    c.sie = hart.mie & PV_MIDELEG;
    c.ssip = (hart.mipSoft & MIP_SSIP) !== 0;
    c.scounteren = hart.scounteren;
  }

  private loadContext(hart: Hart, v: Vcpu): void {
    const c = v.ctx;
    hart.x.set(c.x, 0);
    hart.x[0] = 0;
    hart.mepc = c.pc;
    let m = hart.mstatus & ~(S_STATUS_BITS | Mstatus.MPP | Mstatus.MPRV | Mstatus.TW | Mstatus.TSR);
    m |= (c.sstatus & S_STATUS_BITS) | (c.mode << Mstatus.MPP_SHIFT) | Mstatus.TVM;
    hart.mstatus = m;
    hart.stvec = c.stvec;
    hart.sscratch = c.sscratch;
    hart.sepc = c.sepc;
    hart.scause = c.scause;
    hart.stval = c.stval;
    hart.medeleg = PV_MEDELEG;
    hart.mideleg = PV_MIDELEG;
    hart.mie = HV_INTERRUPTS | (c.sie & PV_MIDELEG);
    hart.mipSoft = c.ssip ? MIP_SSIP : 0;
    hart.mcounteren = 7;
    hart.scounteren = c.scounteren;
    hart.reservation = -1;
    hart.csrWrite(Csr.SATP, v.baseMfn >= 0 ? (SATP_MODE_SV32 | v.baseMfn) : 0);
  }

  /** Parks a hart with nothing to run: WFI in a context only MTI/MSI can wake. */
  private park(hart: Hart, fromTrap: boolean): void {
    this.current[hart.id] = null;
    hart.medeleg = 0;
    hart.mideleg = 0;
    hart.mie = HV_INTERRUPTS;
    hart.mipSoft = 0;
    hart.csrWrite(Csr.SATP, 0);
    if (fromTrap) {
      hart.mstatus = (hart.mstatus & ~(Mstatus.MPP | Mstatus.MPRV)) | (Mode.U << Mstatus.MPP_SHIFT);
      hart.mepc = 0;
      hart.mret();
    } else {
      hart.setMode(Mode.U);
      hart.pc = 0;
    }
    hart.state = HartState.WFI;
  }

  /** Asks hart h to reconsider what it runs (an IPI unless it is the hart in the hypervisor now). */
  kickHart(h: number): void {
    this.resched[h] = true;
    if (h !== this.activeHart) this.machine.clint.write(4 * h, 4, 1);
  }

  /** Cycles `v` has run, including the stint in progress if it is on a hart now. */
  cpuCycles(v: Vcpu): number {
    const hart = this.hartOf(v);
    return v.cpuCycles + (hart !== null ? Math.max(0, hart.now() - v.runStart) : 0);
  }

  /** The hart a vCPU is live on, or null. */
  hartOf(v: Vcpu): Hart | null {
    return this.current[v.processor] === v ? this.machine.harts[v.processor]! : null;
  }

  // ---------------------------------------------------------------------------------
  // vCPU state changes

  /** Records v's runstate as of now (after any change to its state). */
  noteRunstate(v: Vcpu): void {
    const cycles = this.activeHart >= 0 ? this.machine.harts[this.activeHart]!.now() : this.machine.now;
    this.runstate.note(v, this.current[v.processor] === v, cycles * 1e9 / this.machine.cpuHz);
  }

  wake(v: Vcpu): void {
    if (v.state === VcpuState.BLOCKED) {
      v.state = VcpuState.RUNNABLE;
      v.pollPorts = null;
      v.pollDeadline = Infinity;
    }
    this.noteRunstate(v);
    if (v.runnable && this.current[v.processor] !== v) {
      const now = this.activeHart >= 0 ? this.machine.harts[this.activeHart]!.now() : this.machine.now;
      const kick = this.sched.wake(v, now);
      if (kick >= 0) this.kickHart(kick);
      else if (this.current[v.processor] === null) this.kickHart(v.processor);
    }
  }

  block(v: Vcpu): void {
    v.state = VcpuState.BLOCKED;
    this.noteRunstate(v);
    this.sched.sleep(v);
    const hart = this.hartOf(v);
    if (hart !== null) this.kickHart(hart.id);
  }

  /** Makes a vCPU stop running wherever it is (pause, shutdown, down). */
  deschedule(v: Vcpu): void {
    this.noteRunstate(v);
    this.sched.sleep(v);
    if (this.current[v.processor] === v) this.kickHart(v.processor);
  }

  /** A domain's vCPUs may run again (unpause): queue the runnable ones. */
  requeue(d: Domain): void {
    for (const v of d.vcpus) if (v.state === VcpuState.RUNNABLE) this.wake(v);
  }

  // ---------------------------------------------------------------------------------
  // Events (EventHost): the 2-level algorithm of fact sheet §4.3

  lookup(domid: number): Domain | undefined {
    const d = this.domains.get(domid);
    return d !== undefined && d.state !== DomainState.DYING && d.state !== DomainState.DEAD ? d : undefined;
  }

  setPending(dom: Domain, port: number): void {
    const si = dom.sharedInfoMfn;
    if (si < 0) {
      if (dom === this.dom0) this.dom0Pending.push(port);
      return;
    }
    const sh = this.sharedInfo;
    if (sh.testAndSetPending(si, port)) return; // no new edge
    const v = dom.vcpus[dom.evtchn.ports[port]?.notifyVcpu ?? 0];
    if (v !== undefined && !sh.isMasked(si, port)) this.notifyVcpu(v, port);
    this.checkPollers(dom, port);
  }

  unmask(dom: Domain, port: number): void {
    const si = dom.sharedInfoMfn;
    if (si < 0 || !this.sharedInfo.testAndClearMask(si, port) || !this.sharedInfo.isPending(si, port)) return;
    const v = dom.vcpus[dom.evtchn.ports[port]?.notifyVcpu ?? 0];
    if (v !== undefined) this.notifyVcpu(v, port);
  }

  /** The selector and upcall stages: each acts only on a 0→1 edge. */
  private notifyVcpu(v: Vcpu, port: number): void {
    const sh = this.sharedInfo, si = v.domain.sharedInfoMfn;
    if (!sh.hasSlot(v.id) || sh.testAndSetSelector(si, v.id, port)) return;
    if (sh.testAndSetUpcallPending(si, v.id)) return;
    this.kickVcpu(v);
  }

  /** An event needs v's attention: wake it if blocked, raise its upcall if unmasked. */
  kickVcpu(v: Vcpu): void {
    if (v.state === VcpuState.BLOCKED && v.pollPorts === null) this.wake(v);
    if (!this.upcallDeliverable(v)) return;
    const hart = this.hartOf(v);
    if (hart !== null) hart.mipSoft |= MIP_SSIP;
    else v.ctx.ssip = true;
  }

  upcallDeliverable(v: Vcpu): boolean {
    const si = v.domain.sharedInfoMfn;
    if (si < 0 || !this.sharedInfo.hasSlot(v.id)) return false;
    return this.sharedInfo.upcallPending(si, v.id) && !this.sharedInfo.upcallMasked(si, v.id);
  }

  isPending(dom: Domain, port: number): boolean {
    const si = dom.sharedInfoMfn;
    if (si < 0 || port <= 0 || port >= 4096) return false;
    return this.sharedInfo.isPending(si, port);
  }

  private checkPollers(dom: Domain, port: number): void {
    for (const v of dom.vcpus) {
      if (v.state === VcpuState.BLOCKED && v.pollPorts !== null && v.pollPorts.includes(port)) this.wake(v);
    }
  }

  /** Domain 0 (TypeScript) wants `handler` called when its local `port` fires. */
  onDom0Event(port: number, handler: (port: number) => void): void {
    this.dom0Handlers.set(port, handler);
  }

  /** Delivers queued Domain 0 events (after a trap, and between rounds). */
  drainDom0Events(): void {
    while (this.dom0Pending.length > 0) {
      const port = this.dom0Pending.shift()!;
      this.dom0Handlers.get(port)?.(port);
    }
  }

  /** Runs Domain 0 work that must not happen inside a trap (toolstack reactions). */
  runDeferred(): void {
    while (this.deferred.length > 0) this.deferred.shift()!();
  }

  // ---------------------------------------------------------------------------------
  // shared_info upkeep

  /** Refreshes v's vcpu_time_info (at switch-in: time is linear, so once is enough). */
  updateTimeInfo(v: Vcpu, hart: Hart | null): void {
    const si = v.domain.sharedInfoMfn;
    if (si < 0 || !this.sharedInfo.hasSlot(v.id)) return;
    const mtime = this.machine.clint.mtimeAt(hart !== null ? hart.now() : this.machine.now);
    this.sharedInfo.writeTimeInfo(si, v.id, mtime, NS_PER_TICK);
  }

  writeWallclock(d: Domain): void {
    this.sharedInfo.writeWallclock(d.sharedInfoMfn, this.wallclockSec);
  }

  // ---------------------------------------------------------------------------------
  // Domain lifecycle primitives (the toolstack's entry points are in control.ts)

  allocDomid(): number {
    for (let tries = 0; tries < 0x7fef; tries++) {
      const id = this.nextDomid;
      this.nextDomid = this.nextDomid >= 0x7fef ? 1 : this.nextDomid + 1;
      if (!this.domains.has(id)) return id;
    }
    throw new Error('no free domain id');
  }

  /** A guest (or Domain 0) shut the domain down: stop its vCPUs and tell the toolstack. */
  shutdownDomain(d: Domain, reason: ShutdownReason): void {
    if (d.state !== DomainState.ACTIVE) return;
    // A code latched with SCHEDOP_shutdown_code is the one reported (as in Xen).
    if (d.latchedShutdownCode !== null) reason = d.latchedShutdownCode;
    d.state = DomainState.SHUTDOWN;
    d.shutdownReason = reason;
    for (const v of d.vcpus) this.deschedule(v);
    this.log.write(`d${d.id} (${d.name}): shutdown, reason ${SHUTDOWN_NAMES[reason] ?? reason}`);
    this.dom0.evtchn.raiseVirq(Virq.DOM_EXC);
    this.deferred.push(() => this.onDomainShutdown?.(d));
  }

  /**
   * Gives vCPU `v` its initial context (VCPUOP_initialise, the domain builder): registers,
   * S-mode state and a root table, which takes a root-type reference like NEW_BASEPTR.
   */
  installContext(v: Vcpu, ctx: GuestContext, owner: Domain): void {
    if (!this.frames.getPageAndType(ctx.rootMfn, owner.id, PageType.L2)) {
      throw new XenError(Errno.EINVAL, `0x${ctx.rootMfn.toString(16)} cannot be a root table`);
    }
    if (v.baseMfn >= 0) this.frames.putPageAndType(v.baseMfn);
    v.baseMfn = ctx.rootMfn;
    const c = v.ctx;
    for (let i = 0; i < 32; i++) c.x[i] = ctx.x[i] ?? 0;
    c.x[0] = 0;
    c.pc = ctx.pc;
    c.mode = Mode.S;
    c.sstatus = (ctx.sstatus & S_STATUS_BITS) | Mstatus.SPP;
    c.stvec = ctx.stvec;
    c.sscratch = ctx.sscratch;
    c.sie = ctx.sie & PV_MIDELEG;
    v.initialised = true;
  }

  /** Appends console_io output of `d`, line-buffered into the hypervisor log. */
  guestConsoleWrite(d: Domain, text: string): void {
    this.onGuestConsole?.(d, text);
    let line = d.consoleLine + text;
    let nl: number;
    while ((nl = line.indexOf('\n')) >= 0) {
      this.log.write(`(d${d.id}) ${line.slice(0, nl).replace(/\r$/, '')}`);
      line = line.slice(nl + 1);
    }
    d.consoleLine = line.length > 4096 ? line.slice(-4096) : line;
  }

  flushAllTlbs(): void {
    for (const h of this.machine.harts) h.flushTlbs();
  }

  /** Translates a guest fetch address of the vCPU live on `hart` (for emulation). */
  fetchGuestWord(hart: Hart, va: number): number | null {
    const pa = translate(this.machine.ram, va, Access.FETCH, Mode.S, hart.satp, hart.mstatus);
    if (pa < 0 || !this.machine.ram.contains(pa, 4) || (pa & 3) !== 0) return null;
    return this.machine.ram.i32[(pa - this.machine.ram.base) >>> 2]!;
  }

}
