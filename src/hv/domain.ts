/*
 * Domains and virtual CPUs: identity, lifecycle, reservation, and a vCPU's saved
 * machine context while it is not on a hart.
 *
 * Lifecycle (xl's letters in brackets): a domain is created paused [p] and runs [r/b]
 * once unpaused; a guest shutdown moves it to SHUTDOWN [s] (reason poweroff, reboot,
 * suspend, crash [c]), where it keeps its memory until the toolstack destroys it; destroy
 * moves it to DYING [d] while its frames are returned, then DEAD (gone from the list).
 */

import type { EventChannels } from './event-channel.js';
import { SHUTDOWN_NAMES, ShutdownReason } from './abi/xen.js';

export const enum DomainState { ACTIVE = 0, SHUTDOWN = 1, DYING = 2, DEAD = 3 }

export const enum VcpuState {
  /** Not brought up (VCPUOP_down, or never initialised). */
  OFFLINE = 0,
  RUNNABLE = 1,
  RUNNING = 2,
  BLOCKED = 3,
}

/** What a vCPU had in the hart when it was switched out. */
export class VcpuContext {
  readonly x = new Int32Array(32);
  pc = 0;
  /** Mode.S or Mode.U. */
  mode = 1;
  /** The S-level mstatus bits (SIE, SPIE, SPP, SUM, MXR). */
  sstatus = 0;
  stvec = 0;
  sscratch = 0;
  sepc = 0;
  scause = 0;
  stval = 0;
  /** sie as the guest set it (S-level bits of mie). */
  sie = 0;
  /** Pending S-level software interrupt (the event upcall). */
  ssip = false;
  scounteren = 0;
}

export class Vcpu {
  readonly id: number;
  readonly domain: Domain;
  state = VcpuState.OFFLINE;
  /** The hart this vCPU runs on (its run queue). */
  processor: number;
  /** Harts this vCPU may use (bit mask; all by default). */
  affinity = 0xff;
  readonly ctx = new VcpuContext();
  /** Has a context been set (builder, VCPUOP_initialise)? */
  initialised = false;
  /** Root page table (validated L2, holding a type reference), or -1. */
  baseMfn = -1;

  /** Single-shot timer deadline in system-time ns, or Infinity. */
  timerDeadline = Infinity;
  /** Periodic timer period in ns (0 = off) and its next expiry. */
  periodNs = 0;
  periodicNext = Infinity;
  /** Ports this vCPU is blocked on in SCHEDOP_poll, or null. */
  pollPorts: number[] | null = null;
  pollDeadline = Infinity;
  /** Ports bound to per-vCPU VIRQs (0 = unbound). */
  readonly virqPort = new Int32Array(24);

  /** Virtual cycles this vCPU has run, and when its current run began. */
  cpuCycles = 0;
  runStart = 0;
  /** Scheduler-private state (each policy keeps what it needs). */
  sched: unknown = null;

  constructor(domain: Domain, id: number, processor: number) {
    this.domain = domain;
    this.id = id;
    this.processor = processor;
  }

  get isUp(): boolean {
    return this.state !== VcpuState.OFFLINE;
  }

  get runnable(): boolean {
    return (this.state === VcpuState.RUNNABLE || this.state === VcpuState.RUNNING) &&
      this.domain.canRun;
  }

  toString(): string {
    return `d${this.domain.id}v${this.id}`;
  }
}

export interface DomainConfig {
  name: string;
  privileged?: boolean;
  maxVcpus?: number;
  /** Maximum reservation in pages. */
  maxPages?: number;
}

export class Domain {
  readonly id: number;
  name: string;
  readonly privileged: boolean;
  state = DomainState.ACTIVE;
  shutdownReason: ShutdownReason | null = null;
  /** Pause requests outstanding (toolstack pause, creation); runs only at 0. */
  pauseCount = 1;
  maxVcpus: number;
  readonly vcpus: Vcpu[] = [];

  /** Frames owned (current reservation) and the ceiling. */
  totPages = 0;
  maxPages: number;
  /** Pages the builder populated: the guest's pseudo-physical size. */
  nrPages = 0;

  /** Machine frame of shared_info (a hypervisor page shared with the domain), or -1. */
  sharedInfoMfn = -1;
  /** VM assists enabled (bit per VMASST_TYPE). */
  vmAssist = 0;
  evtchn!: EventChannels;

  /** Hypervisor-console output of this domain, waiting for a newline. */
  consoleLine = '';
  /** When the domain was created (virtual ns). */
  readonly createdAt: number;
  /** Last shutdown code latched with SCHEDOP_shutdown_code. */
  latchedShutdownCode: ShutdownReason | null = null;

  constructor(id: number, config: DomainConfig, now: number) {
    this.id = id;
    this.name = config.name;
    this.privileged = config.privileged ?? false;
    this.maxVcpus = config.maxVcpus ?? 1;
    this.maxPages = config.maxPages ?? 0;
    this.createdAt = now;
  }

  /** Whether the domain's vCPUs may be scheduled at all. */
  get canRun(): boolean {
    return this.state === DomainState.ACTIVE && this.pauseCount === 0;
  }

  /** xl's state letters: r running, b blocked, p paused, s shutdown, c crashed, d dying. */
  get stateLetters(): string {
    // Domain 0 runs in the host process, always: xl shows it running.
    const running = this.vcpus.some((v) => v.state === VcpuState.RUNNING) || (this.id === 0 && this.vcpus.length === 0);
    const blocked = !running && this.vcpus.some((v) => v.state === VcpuState.BLOCKED);
    const crashed = this.state === DomainState.SHUTDOWN && this.shutdownReason === ShutdownReason.crash;
    return [
      running ? 'r' : '-',
      blocked ? 'b' : '-',
      this.pauseCount > 0 && this.state === DomainState.ACTIVE ? 'p' : '-',
      this.state === DomainState.SHUTDOWN && !crashed ? 's' : '-',
      crashed ? 'c' : '-',
      this.state === DomainState.DYING ? 'd' : '-',
    ].join('');
  }

  describeShutdown(): string {
    return this.shutdownReason === null ? '' : SHUTDOWN_NAMES[this.shutdownReason] ?? String(this.shutdownReason);
  }
}
