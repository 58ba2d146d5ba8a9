/*
 * The toolstack (libxl's role): carries out ToolstackActions on a running host. Every
 * transport — the daemon's HTTP API, the CLI through it, tests — goes through
 * `dispatch`, so behaviour and error messages are the same everywhere.
 */

import os from 'node:os';
import type { XenHost, GuestRecord } from '../daemon/host.js';
import {
  ToolstackError, type ActionResults, type DomainSummary, type HostInfo, type ToolstackAction, type VcpuSummary,
} from './actions.js';
import { ShutdownReason, XenError, XEN_CAPABILITIES, XEN_EXTRAVERSION, XEN_MAJOR, XEN_MINOR } from '../hv/abi/xen.js';
import type { DomainInfo } from '../hv/control.js';
import { SchedControl } from '../hv/sched-control.js';
import { dispatchSched, type SchedAction } from './sched.js';
import { dispatchIo, type IoAction } from './io.js';
import { UserError } from '../lib/user-error.js';

const SCHED_KINDS = new Set(['sched-get', 'sched-set', 'vcpu-pin', 'vcpu-set']);
const IO_KINDS = new Set(['xenstore-ls', 'xenstore-read', 'xenstore-write', 'xenstore-rm', 'block-attach', 'block-detach',
  'block-list', 'network-attach', 'network-detach', 'network-list']);

export class Toolstack {
  private readonly startedAt = Date.now();

  constructor(readonly host: XenHost) {}

  dispatch<K extends ToolstackAction['kind']>(action: Extract<ToolstackAction, { kind: K }>): ActionResults[K];
  dispatch(action: ToolstackAction): ActionResults[keyof ActionResults] {
    try {
      if (SCHED_KINDS.has(action.kind)) {
        const sc = new SchedControl(this.host.hv, this.host.hv.dom0);
        return dispatchSched(sc, this.host.machine.harts.length, action as SchedAction, (d) => this.resolve(d),
          () => this.host.ctl.listDomains().filter((i) => i.domid !== 0).map((i) => ({ domid: i.domid, name: i.name }))) as never;
      }
      if (IO_KINDS.has(action.kind)) return dispatchIo(this.host.devices, action as IoAction) as never;
      return this.run(action as Exclude<ToolstackAction, SchedAction | IoAction>);
    } catch (e) {
      if (e instanceof ToolstackError) throw e;
      if (e instanceof XenError) throw new ToolstackError(e.message, e.message.startsWith('ESRCH') ? 404 : 400);
      if (e instanceof UserError) throw new ToolstackError(e.message, /no such|ENOENT/.test(e.message) ? 404 : 400);
      throw e;
    }
  }

  private run(a: Exclude<ToolstackAction, SchedAction | IoAction>): ActionResults[keyof ActionResults] {
    const ctl = this.host.ctl;
    switch (a.kind) {
      case 'create': {
        for (const r of this.host.guests.values()) {
          if (r.config.name === a.config.name) {
            throw new ToolstackError(`a domain named '${a.config.name}' already exists (domid ${r.domid})`, 409);
          }
        }
        let rec: GuestRecord;
        try {
          rec = this.host.create(a.config, { paused: a.paused === true });
        } catch (e) {
          if (e instanceof XenError || e instanceof UserError) throw new ToolstackError(e.message);
          if (e instanceof Error && 'code' in e && (e as NodeJS.ErrnoException).code === 'ENOENT') {
            throw new ToolstackError(`${(e as NodeJS.ErrnoException).path}: no such file`);
          }
          throw e;
        }
        return { domid: rec.domid, name: rec.config.name };
      }
      case 'list':
        return a.domain === undefined ? this.summaries() : [this.summary(this.resolve(a.domain))];
      case 'uptime':
        return a.domain === undefined ? this.summaries() : [this.summary(this.resolve(a.domain))];
      case 'destroy': {
        const id = this.resolveGuest(a.domain);
        this.host.destroy(id);
        return { domid: id };
      }
      case 'shutdown': {
        const id = this.resolveGuest(a.domain);
        this.host.requestShutdown(id, a.reboot === true ? ShutdownReason.reboot : ShutdownReason.poweroff);
        return { domid: id };
      }
      case 'pause': { const id = this.resolveGuest(a.domain); ctl.pause(id); return { domid: id }; }
      case 'unpause': { const id = this.resolveGuest(a.domain); ctl.unpause(id); return { domid: id }; }
      case 'rename': {
        const id = this.resolveGuest(a.domain);
        if (!/^[A-Za-z0-9_.-]{1,64}$/.test(a.name)) throw new ToolstackError(`bad domain name '${a.name}'`);
        for (const r of this.host.guests.values()) {
          if (r.config.name === a.name && r.domid !== id) throw new ToolstackError(`a domain named '${a.name}' already exists`, 409);
        }
        ctl.rename(id, a.name);
        const rec = this.host.guests.get(id)!;
        rec.config = { ...rec.config, name: a.name };
        return { domid: id, name: a.name };
      }
      case 'domid':
        return { domid: this.resolve(a.name, true) };
      case 'domname': {
        const d = this.host.hv.domains.get(a.domid);
        if (d === undefined) throw new ToolstackError(`no domain with id ${a.domid}`, 404);
        return { name: d.name };
      }
      case 'mem-max': {
        const id = this.resolveGuest(a.domain);
        if (!(a.mib > 0)) throw new ToolstackError('memory must be a positive number of MiB');
        ctl.setMaxMem(id, a.mib * 1024);
        return { domid: id, maxMemMiB: a.mib };
      }
      case 'mem-set': {
        const id = this.resolveGuest(a.domain);
        const info = ctl.domainInfo(id);
        if (!(a.mib > 0)) throw new ToolstackError('memory must be a positive number of MiB');
        if (a.mib * 256 > info.maxPages) {
          throw new ToolstackError(`target ${a.mib} MiB is above the domain's maximum ${info.maxPages / 256} MiB (use mem-max)`);
        }
        // The balloon driver in the guest watches this key (KiB, as in Xen).
        this.host.devices.xs.write(`/local/domain/${id}/memory/target`, String(Math.round(a.mib * 1024)));
        return { domid: id, targetMiB: a.mib };
      }
      case 'vcpu-list':
        return ctl.vcpuList(a.domain === undefined ? undefined : this.resolve(a.domain)).map((v): VcpuSummary => ({
          name: v.name, domid: v.domid, vcpu: v.vcpu, cpu: v.cpu, state: v.state,
          cpuTimeSec: v.cpuTimeNs / 1e9, affinity: v.affinity,
        }));
      case 'info':
        return this.info();
      case 'dmesg': {
        const lines = ctl.readConsole();
        if (a.clear === true) this.host.hv.log.clear();
        return { lines };
      }
      case 'console-history': {
        const rec = this.host.guests.get(this.resolveGuest(a.domain))!;
        return { domid: rec.domid, text: rec.console.recent() };
      }
      case 'console-input': {
        const rec = this.host.guests.get(this.resolveGuest(a.domain))!;
        return { domid: rec.domid, accepted: rec.console.input(new TextEncoder().encode(a.data)) };
      }
    }
  }

  /** A domain by name or id (Domain 0 included). */
  resolve(ref: string, byNameOnly = false): number {
    const hv = this.host.hv;
    if (!byNameOnly && /^\d+$/.test(ref)) {
      const id = Number(ref);
      if (hv.domains.has(id)) return id;
      throw new ToolstackError(`no domain with id ${id}`, 404);
    }
    for (const d of hv.domains.values()) if (d.name === ref) return d.id;
    throw new ToolstackError(`no domain named '${ref}'`, 404);
  }

  /** A guest domain (not Domain 0) by name or id. */
  resolveGuest(ref: string): number {
    const id = this.resolve(ref);
    if (id === 0) throw new ToolstackError('Domain 0 cannot be the target of this operation');
    return id;
  }

  private summaries(): DomainSummary[] {
    return this.host.ctl.listDomains().map((i) => this.fromInfo(i));
  }

  private summary(domid: number): DomainSummary {
    return this.fromInfo(this.host.ctl.domainInfo(domid));
  }

  private fromInfo(i: DomainInfo): DomainSummary {
    const rec = this.host.guests.get(i.domid);
    const d = this.host.hv.domains.get(i.domid)!;
    return {
      name: i.name, domid: i.domid, memMiB: i.totPages / 256, maxMemMiB: i.maxPages / 256,
      vcpus: i.onlineVcpus, state: i.state, cpuTimeSec: i.cpuTimeNs / 1e9, shutdownReason: i.shutdownReason,
      uptimeSec: Math.max(0, this.host.hv.nowNs - d.createdAt) / 1e9,
      config: rec?.config,
    };
  }

  private info(): HostInfo {
    const p = this.host.ctl.physinfo();
    const m = this.host.machine;
    return {
      host: os.hostname(), release: 'tsxen', version: process.version, machine: 'rv32',
      nrCpus: p.nrCpus, cpuMhz: p.cpuMhz,
      totalMemoryMiB: p.totalPages / 256, freeMemoryMiB: p.freePages / 256, hypervisorMemoryMiB: p.hypervisorPages / 256,
      xenMajor: XEN_MAJOR, xenMinor: XEN_MINOR, xenExtra: XEN_EXTRAVERSION, xenCaps: XEN_CAPABILITIES,
      xenScheduler: this.host.hv.sched.name,
      virtualTimeSec: m.now / m.cpuHz, uptimeSec: (Date.now() - this.startedAt) / 1000, instructions: m.instret,
    };
  }
}
