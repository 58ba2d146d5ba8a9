/*
 * A tsxen host: the rv32 machine with the hypervisor as its M-mode software and
 * Domain 0's services — the toolstack's create/destroy with xl's lifecycle actions, and
 * a console backend per guest. The CLI (`tsxen create`), the tests and the benchmarks
 * all drive guests through this one object.
 */

import { readFileSync } from 'node:fs';
import { Machine } from '../machine/rv32/machine.js';
import { Hypervisor, type HypervisorOptions } from '../hv/hypervisor.js';
import { Control } from '../hv/control.js';
import { DomainState, type Domain } from '../hv/domain.js';
import { ShutdownReason, SHUTDOWN_NAMES } from '../hv/abi/xen.js';
import { SchedControl } from '../hv/sched-control.js';
import { UserError } from '../lib/user-error.js';
import { applySchedConfig } from '../toolstack/sched.js';
import { buildPvDomain, type BuiltDomain } from '../toolstack/builder.js';
import { ConsoleBackend } from '../backends/console/console-backend.js';
import { Devices } from '../backends/devices.js';
import type { Action, DomainConfig } from '../toolstack/config.js';

export interface HostOptions extends HypervisorOptions {
  harts?: number;
  /** Machine RAM in MiB (default 256). */
  memMiB?: number;
}

export interface GuestRecord {
  domid: number;
  config: DomainConfig;
  built: BuiltDomain;
  console: ConsoleBackend;
  /** How the domain ended, once it has: 'poweroff', 'crash', 'destroyed'… */
  ended: string | null;
}

export class XenHost {
  readonly machine: Machine;
  readonly hv: Hypervisor;
  /** Domain 0's privileged interface. */
  readonly ctl: Control;
  /** xenstored and the block and network backends (Domain 0's I/O services). */
  readonly devices: Devices;
  readonly guests = new Map<number, GuestRecord>();
  private readonly pendingShutdowns = new Map<number, { reason: ShutdownReason; deadline: number }>();
  /** Every guest that has existed, by creation order (for exit summaries and tests). */
  readonly history: GuestRecord[] = [];
  /** Called with each domain's console output (console_io and the console ring). */
  onConsole: ((rec: GuestRecord, text: string) => void) | null = null;
  /** Called when a domain ends (after its on_* action ran). */
  onDomainEnd: ((rec: GuestRecord, reason: string, action: Action | 'none') => void) | null = null;

  constructor(options: HostOptions = {}) {
    this.machine = new Machine({ harts: options.harts ?? 1, ramSize: (options.memMiB ?? 256) * 1024 * 1024 });
    this.hv = new Hypervisor(this.machine, options);
    this.ctl = new Control(this.hv, this.hv.dom0);
    this.devices = new Devices(this.ctl);
    this.hv.onGuestConsole = (d, text) => {
      const rec = this.guests.get(d.id);
      if (rec !== undefined) rec.console.emit(text);
    };
    this.hv.onDomainShutdown = (d) => this.domainShutdown(d);
    this.machine.afterRound = () => {
      this.hv.drainDom0Events();
      this.hv.runDeferred();
      if (this.pendingShutdowns.size > 0) this.enforceShutdowns();
    };
  }

  /** Builds a domain from a config and starts it (unless `paused`). Returns its domid. */
  create(config: DomainConfig, options: { paused?: boolean; kernel?: Uint8Array } = {}): GuestRecord {
    for (const r of this.guests.values()) {
      if (r.config.name === config.name) throw new UserError(`a domain named '${config.name}' already exists (domid ${r.domid})`);
    }
    const kernel = options.kernel ?? readFileSync(config.kernel);
    const ramdisk = config.ramdisk !== undefined ? readFileSync(config.ramdisk) : undefined;
    const built = buildPvDomain(this.ctl, {
      name: config.name, kernel, kernelPath: config.kernel, memoryMiB: config.memory, maxMemMiB: config.maxmem,
      vcpus: config.maxvcpus, cmdline: config.cmdline, ramdisk,
    });
    const console = new ConsoleBackend(this.ctl, built.domid, built.consoleMfn, built.consolePort);
    const rec: GuestRecord = { domid: built.domid, config, built, console, ended: null };
    console.sink = (text) => this.onConsole?.(rec, text);
    try {
      this.devices.domainCreated({
        domid: built.domid, name: config.name, memKiB: config.memory * 1024, maxMemKiB: (config.maxmem ?? config.memory) * 1024,
        storeMfn: built.storeMfn, storePort: built.storePort, consoleMfn: built.consoleMfn, consolePort: built.consolePort,
      }, config.disk, config.vif);
      // cpus=, cpu_weight=, cap= while the domain is still paused.
      applySchedConfig(new SchedControl(this.hv, this.hv.dom0), this.machine.harts.length, built.domid, config);
    } catch (e) {
      this.devices.domainDestroyed(built.domid);
      console.close();
      this.ctl.destroy(built.domid);
      throw e;
    }
    this.guests.set(built.domid, rec);
    this.history.push(rec);
    if (options.paused !== true) this.ctl.unpause(built.domid);
    return rec;
  }

  /**
   * Asks a guest to shut down the Xen way — `control/shutdown` in its xenstore directory,
   * which its xenbus client watches — and, if it has not done so within the grace period
   * of virtual time (a guest without PV drivers, or a hung one), shuts it down from the
   * hypervisor (SCHEDOP_remote_shutdown), as `xl shutdown -F` would.
   */
  requestShutdown(domid: number, reason: ShutdownReason, graceCycles = 2 * this.machine.cpuHz): void {
    this.devices.xs.write(`/local/domain/${domid}/control/shutdown`, reason === ShutdownReason.reboot ? 'reboot' : 'poweroff');
    this.pendingShutdowns.set(domid, { reason, deadline: this.machine.now + graceCycles });
  }

  private enforceShutdowns(): void {
    for (const [domid, p] of this.pendingShutdowns) {
      const d = this.hv.domains.get(domid);
      if (d === undefined || d.state !== DomainState.ACTIVE) { this.pendingShutdowns.delete(domid); continue; }
      if (this.machine.now < p.deadline) continue;
      this.pendingShutdowns.delete(domid);
      this.hv.log.write(`d${domid} (${d.name}): did not answer control/shutdown; shutting it down`);
      this.ctl.shutdown(domid, p.reason);
    }
  }

  destroy(domid: number): void {
    const rec = this.guests.get(domid);
    rec?.console.close();
    this.devices.domainDestroyed(domid);
    this.ctl.destroy(domid);
    if (rec !== undefined) {
      this.guests.delete(domid);
      if (rec.ended === null) rec.ended = 'destroyed';
    }
  }

  private domainShutdown(d: Domain): void {
    const rec = this.guests.get(d.id);
    if (rec === undefined || d.state !== DomainState.SHUTDOWN) return;
    const reason = SHUTDOWN_NAMES[d.shutdownReason ?? 0] ?? 'unknown';
    const action: Action = d.shutdownReason === ShutdownReason.reboot ? rec.config.onReboot :
      d.shutdownReason === ShutdownReason.crash ? rec.config.onCrash : rec.config.onPoweroff;
    rec.ended = reason;
    switch (action) {
      case 'preserve':
        break;
      case 'destroy':
        this.destroy(d.id);
        break;
      case 'restart':
        this.destroy(d.id);
        this.create(rec.config);
        break;
      case 'rename-restart': {
        // Keep the old domain for inspection under a new name; start a fresh one.
        const original = rec.config;
        rec.config = { ...original, name: `${original.name}-${d.id}` };
        this.ctl.rename(d.id, rec.config.name);
        this.create(original);
        break;
      }
    }
    this.onDomainEnd?.(rec, reason, action);
  }

  /** Guest domains that still exist (not destroyed). */
  get liveGuests(): number {
    return this.guests.size;
  }

  /**
   * Runs the machine until every guest domain is gone (or only preserved ones remain),
   * or `maxCycles` of virtual time pass. Returns why it stopped.
   */
  run(maxCycles = Infinity, slice = 10_000_000): 'done' | 'limit' | 'idle' {
    const end = this.machine.now + maxCycles;
    while (this.machine.now < end) {
      if (!this.anyActive()) return 'done';
      const r = this.machine.runUntil(Math.min(end, this.machine.now + slice));
      if (r.kind === 'idle') return this.anyActive() ? 'idle' : 'done';
      if (r.kind !== 'limit') return 'done';
    }
    return this.anyActive() ? 'limit' : 'done';
  }

  /** Runs until `done()` holds (checked between slices) or `maxCycles` pass; true if it held. */
  runUntil(done: () => boolean, maxCycles: number, slice = 1_000_000): boolean {
    const end = this.machine.now + maxCycles;
    while (!done()) {
      if (this.machine.now >= end) return false;
      const r = this.machine.runUntil(Math.min(end, this.machine.now + slice));
      if (r.kind === 'idle' && !done()) return false;
    }
    return true;
  }

  private anyActive(): boolean {
    for (const rec of this.guests.values()) {
      const d = this.hv.domains.get(rec.domid);
      if (d !== undefined && d.state === DomainState.ACTIVE) return true;
    }
    return false;
  }
}
