/*
 * The whole management surface as one union (cf. Firecracker's VmmAction): the CLI and
 * the HTTP API both parse their input into a ToolstackAction and hand it to
 * Toolstack.dispatch; neither transport holds any logic of its own. A domain is named
 * by its name or its numeric id, as xl accepts either.
 */

import type { DomainConfig } from './config.js';
import { UserError } from '../lib/user-error.js';
import type { SchedAction, SchedInfo } from './sched.js';
import type { IoAction, XsRow } from './io.js';
import type { BlockInfo, NetInfo } from '../backends/devices.js';

export type DomainRef = string;

export type ToolstackAction =
  | CoreAction
  /** Scheduling: sched-credit/-bvt/-rr, vcpu-pin, vcpu-set (src/toolstack/sched.ts). */
  | SchedAction
  /** xenstore access and device hot-plug (src/toolstack/io.ts). */
  | IoAction;

/** Domain lifecycle and host queries. */
export type CoreAction =
  | { kind: 'create'; config: DomainConfig; paused?: boolean }
  | { kind: 'list'; domain?: DomainRef }
  | { kind: 'destroy'; domain: DomainRef }
  | { kind: 'shutdown'; domain: DomainRef; reboot?: boolean }
  | { kind: 'pause'; domain: DomainRef }
  | { kind: 'unpause'; domain: DomainRef }
  | { kind: 'rename'; domain: DomainRef; name: string }
  | { kind: 'domid'; name: string }
  | { kind: 'domname'; domid: number }
  | { kind: 'mem-set'; domain: DomainRef; mib: number }
  | { kind: 'mem-max'; domain: DomainRef; mib: number }
  | { kind: 'vcpu-list'; domain?: DomainRef }
  | { kind: 'info' }
  | { kind: 'dmesg'; clear?: boolean }
  | { kind: 'uptime'; domain?: DomainRef }
  | { kind: 'console-history'; domain: DomainRef }
  | { kind: 'console-input'; domain: DomainRef; data: string };

export type ActionKind = ToolstackAction['kind'];

export interface DomainSummary {
  name: string;
  domid: number;
  /** MiB currently allocated. */
  memMiB: number;
  maxMemMiB: number;
  vcpus: number;
  /** xl's six state letters, e.g. "-b----". */
  state: string;
  cpuTimeSec: number;
  shutdownReason: string;
  uptimeSec: number;
  config?: DomainConfig;
}

export interface VcpuSummary {
  name: string;
  domid: number;
  vcpu: number;
  cpu: number;
  state: string;
  cpuTimeSec: number;
  affinity: string;
}

export interface HostInfo {
  host: string;
  release: string;
  version: string;
  machine: string;
  nrCpus: number;
  cpuMhz: number;
  totalMemoryMiB: number;
  freeMemoryMiB: number;
  hypervisorMemoryMiB: number;
  xenMajor: number;
  xenMinor: number;
  xenExtra: string;
  xenCaps: string;
  xenScheduler: string;
  virtualTimeSec: number;
  uptimeSec: number;
  instructions: number;
}

/** What each action returns (the JSON body of a successful API call). */
export interface ActionResults {
  create: { domid: number; name: string };
  list: DomainSummary[];
  destroy: { domid: number };
  shutdown: { domid: number };
  pause: { domid: number };
  unpause: { domid: number };
  rename: { domid: number; name: string };
  domid: { domid: number };
  domname: { name: string };
  'mem-set': { domid: number; targetMiB: number };
  'mem-max': { domid: number; maxMemMiB: number };
  'vcpu-list': VcpuSummary[];
  info: HostInfo;
  dmesg: { lines: string[] };
  uptime: DomainSummary[];
  'console-history': { domid: number; text: string };
  'console-input': { domid: number; accepted: number };
  'sched-get': SchedInfo;
  'sched-set': null;
  'vcpu-pin': null;
  'vcpu-set': null;
  'xenstore-ls': XsRow[];
  'xenstore-read': XsRow[];
  'xenstore-write': null;
  'xenstore-rm': null;
  'block-attach': BlockInfo;
  'block-detach': null;
  'block-list': BlockInfo[];
  'network-attach': NetInfo;
  'network-detach': null;
  'network-list': NetInfo[];
}

/** Actions that change state: the API requires the token for these. */
export const MUTATING: ReadonlySet<ActionKind> = new Set<ActionKind>([
  'create', 'destroy', 'shutdown', 'pause', 'unpause', 'rename', 'mem-set', 'mem-max', 'console-input',
  'sched-set', 'vcpu-pin', 'vcpu-set', 'xenstore-write', 'xenstore-rm',
  'block-attach', 'block-detach', 'network-attach', 'network-detach',
]);

/** A failure a client caused: the message is for the user; `status` is the HTTP status. */
export class ToolstackError extends UserError {
  constructor(message: string, readonly status: 400 | 404 | 409 | 401 | 403 = 400) {
    super(message);
  }
}
