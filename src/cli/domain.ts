/*
 * Domain commands, xl-compatible: list, destroy, shutdown, reboot, pause, unpause,
 * rename, domid, domname, vcpu-list, uptime. Each parses its arguments, makes one API
 * call to the daemon, and prints what xl prints.
 */

import { parseArgs } from 'node:util';
import type { Command } from './command.js';
import { UsageError } from './command.js';
import { enc, formatUptime, positionals, remote } from './remote.js';
import type { DomainSummary, VcpuSummary } from '../toolstack/actions.js';
import type { ApiClient } from '../api/client.js';

function parse(args: string[], options: Record<string, { type: 'boolean' | 'string'; short?: string }>) {
  try {
    return parseArgs({ args, options, allowPositionals: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** xl list's table. */
export function formatList(domains: DomainSummary[], verbose = false): string {
  const head = `${'Name'.padEnd(40)}${'ID'.padStart(6)}${'Mem'.padStart(6)}${'VCPUs'.padStart(6)}\tState\tTime(s)` +
    (verbose ? '\tReason' : '');
  const rows = domains.map((d) =>
    `${d.name.padEnd(40)}${String(d.domid).padStart(6)}${String(Math.round(d.memMiB)).padStart(6)}` +
    `${String(d.vcpus).padStart(6)}     ${d.state} ${d.cpuTimeSec.toFixed(1).padStart(10)}` +
    (verbose ? `\t${d.shutdownReason || '-'}` : ''));
  return [head, ...rows].join('\n') + '\n';
}

export function formatVcpuList(vcpus: VcpuSummary[]): string {
  const head = `${'Name'.padEnd(32)}${'ID'.padStart(5)}${'VCPU'.padStart(6)}${'CPU'.padStart(6)} State ${'Time(s)'.padStart(9)} Affinity (Hard / Soft)`;
  const rows = vcpus.map((v) =>
    `${v.name.padEnd(32)}${String(v.domid).padStart(5)}${String(v.vcpu).padStart(6)}${String(v.cpu).padStart(6)} ` +
    `${v.state.padEnd(5)} ${v.cpuTimeSec.toFixed(1).padStart(9)} ${v.affinity} / all`);
  return [head, ...rows].join('\n') + '\n';
}

const list: Command = {
  name: 'list',
  summary: 'list domains (-l: JSON, -v: with shutdown reasons)',
  usage: 'tsxen list [-l] [-v] [DOMAIN...]',
  run: (args) => remote('list', async (c) => {
    const p = parse(args, { long: { type: 'boolean', short: 'l' }, verbose: { type: 'boolean', short: 'v' } });
    let doms: DomainSummary[] = [];
    if (p.positionals.length === 0) doms = await c.call('GET', '/v1/domains');
    else for (const d of p.positionals) doms.push(...await c.call<DomainSummary[]>('GET', `/v1/domains/${enc(d)}`));
    process.stdout.write(p.values.long === true ? JSON.stringify(doms, null, 2) + '\n' : formatList(doms, p.values.verbose === true));
    return 0;
  }),
};

/** A command that takes one domain and posts to one endpoint. */
function simple(name: string, summary: string, method: string, route: (d: string) => string): Command {
  return {
    name, summary, usage: `tsxen ${name} DOMAIN`,
    run: (args) => remote(name, async (c) => {
      const [d] = positionals(args, 1, 'one domain (name or id)');
      await c.call(method, route(d!));
      return 0;
    }),
  };
}

async function waitGone(c: ApiClient, domid: number, timeoutSec: number): Promise<boolean> {
  const end = Date.now() + timeoutSec * 1000;
  while (Date.now() < end) {
    const doms = await c.call<DomainSummary[]>('GET', '/v1/domains');
    const d = doms.find((x) => x.domid === domid);
    if (d === undefined || d.state.includes('s') || d.state.includes('c')) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

function shutdownLike(name: 'shutdown' | 'reboot'): Command {
  return {
    name,
    summary: name === 'shutdown' ? 'ask a domain to shut down (-w: wait, -a: all domains)' : 'ask a domain to reboot',
    usage: `tsxen ${name} [-w] [-a] [DOMAIN]`,
    run: (args) => remote(name, async (c) => {
      const p = parse(args, { wait: { type: 'boolean', short: 'w' }, all: { type: 'boolean', short: 'a' } });
      let targets: { domid: number; name: string }[];
      if (p.values.all === true) {
        if (p.positionals.length > 0) throw new UsageError('-a takes no domain');
        targets = (await c.call<DomainSummary[]>('GET', '/v1/domains')).filter((d) => d.domid !== 0);
      } else {
        if (p.positionals.length !== 1) throw new UsageError('expected one domain (or -a)');
        targets = await c.call<DomainSummary[]>('GET', `/v1/domains/${enc(p.positionals[0]!)}`);
      }
      for (const t of targets) await c.call('POST', `/v1/domains/${t.domid}/${name}`);
      if (p.values.wait === true) {
        for (const t of targets) {
          process.stderr.write(`Waiting for domain ${t.name} (${t.domid}) to die\n`);
          if (!await waitGone(c, t.domid, 60)) { process.stderr.write(`tsxen ${name}: domain ${t.name} did not shut down\n`); return 1; }
          process.stderr.write(`Domain ${t.name} (${t.domid}) has been shut down.\n`);
        }
      }
      return 0;
    }),
  };
}

const rename: Command = {
  name: 'rename', summary: 'rename a domain', usage: 'tsxen rename DOMAIN NEW-NAME',
  run: (args) => remote('rename', async (c) => {
    const [d, n] = positionals(args, 2, 'a domain and a new name');
    await c.call('POST', `/v1/domains/${enc(d!)}/rename`, { name: n });
    return 0;
  }),
};

const domid: Command = {
  name: 'domid', summary: 'print the id of the domain with this name', usage: 'tsxen domid NAME',
  run: (args) => remote('domid', async (c) => {
    const [n] = positionals(args, 1, 'a domain name');
    process.stdout.write(`${(await c.call<{ domid: number }>('GET', `/v1/domid/${enc(n!)}`)).domid}\n`);
    return 0;
  }),
};

const domname: Command = {
  name: 'domname', summary: 'print the name of the domain with this id', usage: 'tsxen domname ID',
  run: (args) => remote('domname', async (c) => {
    const [n] = positionals(args, 1, 'a domain id');
    process.stdout.write(`${(await c.call<{ name: string }>('GET', `/v1/domname/${enc(n!)}`)).name}\n`);
    return 0;
  }),
};

const vcpuList: Command = {
  name: 'vcpu-list', summary: 'list virtual CPUs: where they run, their state and time', usage: 'tsxen vcpu-list [DOMAIN...]',
  run: (args) => remote('vcpu-list', async (c) => {
    const p = parse(args, {});
    let v: VcpuSummary[] = [];
    if (p.positionals.length === 0) v = await c.call('GET', '/v1/vcpus');
    else for (const d of p.positionals) v.push(...await c.call<VcpuSummary[]>('GET', `/v1/domains/${enc(d)}/vcpus`));
    process.stdout.write(formatVcpuList(v));
    return 0;
  }),
};

const uptime: Command = {
  name: 'uptime', summary: 'how long each domain has run (virtual time)', usage: 'tsxen uptime [-s] [DOMAIN...]',
  run: (args) => remote('uptime', async (c) => {
    const p = parse(args, { short: { type: 'boolean', short: 's' } });
    let doms = await c.call<DomainSummary[]>('GET', '/v1/uptime');
    if (p.positionals.length > 0) doms = doms.filter((d) => p.positionals.includes(d.name) || p.positionals.includes(String(d.domid)));
    const lines = p.values.short === true ? [] : [`${'Name'.padEnd(32)}${'ID'.padStart(5)} Uptime`];
    for (const d of doms) lines.push(`${d.name.padEnd(32)}${String(d.domid).padStart(5)} ${formatUptime(d.uptimeSec)}`);
    process.stdout.write(lines.join('\n') + '\n');
    return 0;
  }),
};

export const domainCommands: Command[] = [
  list,
  simple('destroy', 'stop a domain at once and free its resources', 'DELETE', (d) => `/v1/domains/${enc(d)}`),
  shutdownLike('shutdown'),
  shutdownLike('reboot'),
  simple('pause', 'pause a domain (its vCPUs stop being scheduled)', 'POST', (d) => `/v1/domains/${enc(d)}/pause`),
  simple('unpause', 'unpause a domain', 'POST', (d) => `/v1/domains/${enc(d)}/unpause`),
  rename, domid, domname, vcpuList, uptime,
];
