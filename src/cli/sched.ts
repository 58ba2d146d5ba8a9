/*
 * Scheduling commands: sched-credit (xl's), sched-bvt (xm's, the paper's scheduler),
 * sched-rr, vcpu-pin and vcpu-set (xl's). Each is a pure parser (arguments → SchedAction,
 * src/toolstack/sched.ts) and a pure formatter (result → xl's text), plus a thin `run`
 * that sends the action to the daemon.
 *
 * Daemon routes these commands use (the API serves them by dispatching the action):
 *   GET  /v1/sched/{policy}[?domain=D]        sched-get  → SchedInfo
 *   PUT  /v1/sched/{policy}                   sched-set  (body: { domain?, params, global })
 *   PUT  /v1/domains/{d}/vcpus/{v|all}/affinity   vcpu-pin (body: { cpus })
 *   PUT  /v1/domains/{d}/vcpus                vcpu-set   (body: { count })
 */

import { parseArgs } from 'node:util';
import type { Command } from './command.js';
import { UsageError } from './command.js';
import { enc, remote } from './remote.js';
import type { SchedAction, SchedInfo } from '../toolstack/sched.js';
import type { SchedParams, SchedulerName } from '../hv/sched/scheduler.js';

type Opts = Record<string, { type: 'boolean' | 'string'; short?: string }>;

function parse(args: string[], options: Opts) {
  try {
    return parseArgs({ args, options, allowPositionals: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function int(text: unknown, what: string): number | undefined {
  if (text === undefined) return undefined;
  if (typeof text !== 'string' || !/^-?\d+$/.test(text)) throw new UsageError(`${what} must be an integer, got '${String(text)}'`);
  return Number(text);
}

function put(p: SchedParams, key: string, v: number | undefined): void {
  if (v !== undefined) p[key] = v;
}

/** Builds a get or set action from the parsed options: any setting makes it a set. */
function action(policy: SchedulerName, domain: string | undefined, params: SchedParams, global: SchedParams): SchedAction {
  if (Object.keys(params).length > 0 && domain === undefined) throw new UsageError('per-domain settings need -d DOMAIN');
  if (Object.keys(params).length === 0 && Object.keys(global).length === 0) {
    return domain === undefined ? { kind: 'sched-get', policy } : { kind: 'sched-get', policy, domain };
  }
  return domain === undefined ? { kind: 'sched-set', policy, params, global } : { kind: 'sched-set', policy, domain, params, global };
}

// -------------------------------------------------------------------------------------
// Parsers

/** `sched-credit [-d DOMAIN [-w WEIGHT] [-c CAP]] [-s [-t TSLICE_MS]]` (xl's options). */
export function parseSchedCredit(args: string[]): SchedAction {
  const p = parse(args, {
    domain: { type: 'string', short: 'd' }, weight: { type: 'string', short: 'w' }, cap: { type: 'string', short: 'c' },
    schedparam: { type: 'boolean', short: 's' }, tslice_ms: { type: 'string', short: 't' },
  });
  if (p.positionals.length > 0) throw new UsageError(`unexpected argument '${p.positionals[0]}'`);
  if (p.values.tslice_ms !== undefined && p.values.schedparam !== true) throw new UsageError('-t needs -s');
  const params: SchedParams = {}, global: SchedParams = {};
  put(params, 'weight', int(p.values.weight, 'weight'));
  put(params, 'cap', int(p.values.cap, 'cap'));
  put(global, 'tsliceMs', int(p.values.tslice_ms, 'tslice'));
  return action('credit', p.values.domain as string | undefined, params, global);
}

/** `sched-bvt [-d DOMAIN [-m MCUADV] [-b WARPBACK] [-w WARPVALUE] [-l WARPL_US] [-u WARPU_US]] [-c CTX_ALLOW_US]`. */
export function parseSchedBvt(args: string[]): SchedAction {
  const p = parse(args, {
    domain: { type: 'string', short: 'd' }, mcuadv: { type: 'string', short: 'm' }, warpback: { type: 'string', short: 'b' },
    warpvalue: { type: 'string', short: 'w' }, warpl: { type: 'string', short: 'l' }, warpu: { type: 'string', short: 'u' },
    ctx_allow: { type: 'string', short: 'c' },
  });
  if (p.positionals.length > 0) throw new UsageError(`unexpected argument '${p.positionals[0]}'`);
  const params: SchedParams = {}, global: SchedParams = {};
  put(params, 'mcuAdvance', int(p.values.mcuadv, 'mcuadv'));
  put(params, 'warpBack', int(p.values.warpback, 'warpback'));
  put(params, 'warpValue', int(p.values.warpvalue, 'warpvalue'));
  put(params, 'warpLimitUs', int(p.values.warpl, 'warpl'));
  put(params, 'unwarpUs', int(p.values.warpu, 'warpu'));
  put(global, 'ctxAllowUs', int(p.values.ctx_allow, 'ctx_allow'));
  return action('bvt', p.values.domain as string | undefined, params, global);
}

/** `sched-rr [-s SLICE_MS]`: round-robin has one global parameter. */
export function parseSchedRr(args: string[]): SchedAction {
  const p = parse(args, { slice: { type: 'string', short: 's' } });
  if (p.positionals.length > 0) throw new UsageError(`unexpected argument '${p.positionals[0]}'`);
  const global: SchedParams = {};
  put(global, 'sliceMs', int(p.values.slice, 'slice'));
  return action('rr', undefined, {}, global);
}

/** `vcpu-pin DOMAIN VCPU|all CPUS [SOFT]` (xl; soft affinity must be '-' or 'all'). */
export function parseVcpuPin(args: string[]): SchedAction {
  const p = parse(args, { force: { type: 'boolean', short: 'f' } });
  const [domain, vcpu, cpus, soft] = p.positionals;
  if (domain === undefined || vcpu === undefined || cpus === undefined || p.positionals.length > 4) {
    throw new UsageError('expected DOMAIN, VCPU (or all) and a cpu list');
  }
  if (soft !== undefined && soft !== '-' && soft !== 'all') throw new UsageError('soft affinity is not supported (use - or all)');
  const v = vcpu === 'all' ? 'all' : int(vcpu, 'VCPU')!;
  if (v !== 'all' && v < 0) throw new UsageError('VCPU must be >= 0');
  return { kind: 'vcpu-pin', domain, vcpu: v, cpus };
}

/** `vcpu-set DOMAIN COUNT`. */
export function parseVcpuSet(args: string[]): SchedAction {
  const p = parse(args, {});
  const [domain, count] = p.positionals;
  if (domain === undefined || count === undefined || p.positionals.length > 2) throw new UsageError('expected DOMAIN and a vCPU count');
  const n = int(count, 'the vCPU count')!;
  if (n < 1) throw new UsageError('the vCPU count must be at least 1');
  return { kind: 'vcpu-set', domain, count: n };
}

// -------------------------------------------------------------------------------------
// Formatters

/** xl sched-credit: the pool line, then Name/ID/Weight/Cap ("%-33s %4d %6d %4d"). */
export function formatSchedCredit(info: SchedInfo, onlyParams = false): string {
  const g = info.global;
  const lines = [`Cpupool Pool-0: tslice=${g['tsliceMs']}ms ratelimit=0us migrate_resist=0us`];
  if (!onlyParams) {
    lines.push(`${'Name'.padEnd(33)} ${'ID'.padStart(4)} ${'Weight'.padStart(6)} ${'Cap'.padStart(4)}`);
    for (const d of info.domains) {
      lines.push(`${d.name.padEnd(33)} ${String(d.domid).padStart(4)} ${String(d.params['weight']).padStart(6)} ${String(d.params['cap']).padStart(4)}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** sched-bvt (after xm sched-bvt's fields): the global allowance, then one row per domain. */
export function formatSchedBvt(info: SchedInfo): string {
  const g = info.global;
  const lines = [`BVT: ctx_allow=${g['ctxAllowUs']}us mcu=${g['mcuUs']}us`,
    `${'Name'.padEnd(33)} ${'ID'.padStart(4)} ${'MCUadv'.padStart(6)} ${'Warpback'.padStart(8)} ${'Warpvalue'.padStart(10)} ${'Warpl(us)'.padStart(10)} ${'Warpu(us)'.padStart(10)}`];
  for (const d of info.domains) {
    const p = d.params;
    lines.push(`${d.name.padEnd(33)} ${String(d.domid).padStart(4)} ${String(p['mcuAdvance']).padStart(6)} ` +
      `${String(p['warpBack']).padStart(8)} ${String(p['warpValue']).padStart(10)} ${String(p['warpLimitUs']).padStart(10)} ${String(p['unwarpUs']).padStart(10)}`);
  }
  return lines.join('\n') + '\n';
}

export function formatSchedRr(info: SchedInfo): string {
  return `Round-robin: slice=${info.global['sliceMs']}ms\n`;
}

// -------------------------------------------------------------------------------------
// Commands (talk to the daemon)

/** Sends a scheduling action to the daemon; prints the result of a get with `format`. */
async function send(command: string, a: SchedAction, format: (i: SchedInfo) => string): Promise<number> {
  return remote(command, async (c) => {
    switch (a.kind) {
      case 'sched-get': {
        const q = a.domain === undefined ? '' : `?domain=${enc(a.domain)}`;
        process.stdout.write(format(await c.call<SchedInfo>('GET', `/v1/sched/${a.policy}${q}`)));
        return 0;
      }
      case 'sched-set':
        await c.call('PUT', `/v1/sched/${a.policy}`, { domain: a.domain, params: a.params, global: a.global });
        return 0;
      case 'vcpu-pin':
        await c.call('PUT', `/v1/domains/${enc(a.domain)}/vcpus/${a.vcpu}/affinity`, { cpus: a.cpus });
        return 0;
      case 'vcpu-set':
        await c.call('PUT', `/v1/domains/${enc(a.domain)}/vcpus`, { count: a.count });
        return 0;
    }
  });
}

export const schedCommands: Command[] = [
  {
    name: 'sched-credit', summary: 'get or set Credit scheduler parameters (weight, cap, tslice)',
    usage: 'tsxen sched-credit [-d DOMAIN [-w WEIGHT] [-c CAP]] [-s [-t TSLICE_MS]]',
    run: (args) => send('sched-credit', parseSchedCredit(args), (i) => formatSchedCredit(i, args.includes('-s'))),
  },
  {
    name: 'sched-bvt', summary: 'get or set BVT parameters (mcuadv, warp, warp limit, unwarp, ctx_allow)',
    usage: 'tsxen sched-bvt [-d DOMAIN [-m MCUADV] [-b 0|1] [-w WARPVALUE] [-l WARPL_US] [-u WARPU_US]] [-c CTX_ALLOW_US]',
    run: (args) => send('sched-bvt', parseSchedBvt(args), formatSchedBvt),
  },
  {
    name: 'sched-rr', summary: 'get or set the round-robin slice',
    usage: 'tsxen sched-rr [-s SLICE_MS]',
    run: (args) => send('sched-rr', parseSchedRr(args), formatSchedRr),
  },
  {
    name: 'vcpu-pin', summary: 'set the harts a vCPU may run on',
    usage: 'tsxen vcpu-pin DOMAIN VCPU|all CPUS|all [-|all]',
    run: (args) => send('vcpu-pin', parseVcpuPin(args), () => ''),
  },
  {
    name: 'vcpu-set', summary: 'set how many vCPUs a domain may use',
    usage: 'tsxen vcpu-set DOMAIN COUNT',
    run: (args) => send('vcpu-set', parseVcpuSet(args), () => ''),
  },
];
