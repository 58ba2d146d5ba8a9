/*
 * `tsxen top`: a live, xentop-like view of the domains — CPU seconds and the share of a
 * CPU each used since the last refresh (virtual time), memory, vCPUs. `-b` prints plain
 * frames (batch mode, for scripts), `-i N` stops after N frames, `-d S` sets the delay.
 */

import { parseArgs } from 'node:util';
import type { Command } from './command.js';
import { UsageError } from './command.js';
import { remote } from './remote.js';
import type { DomainSummary, HostInfo } from '../toolstack/actions.js';

interface Sample { info: HostInfo; domains: DomainSummary[] }

export function formatTop(prev: Sample | null, cur: Sample): string {
  const dt = prev === null ? 0 : cur.info.virtualTimeSec - prev.info.virtualTimeSec;
  const total = cur.info.totalMemoryMiB * 1024;
  const lines = [
    `tsxen top - virtual time ${cur.info.virtualTimeSec.toFixed(2)} s, ${cur.info.nrCpus} hart(s), ` +
    `${cur.domains.length} domains, free memory ${Math.round(cur.info.freeMemoryMiB)} MiB`,
    `${'NAME'.padStart(12)}  STATE   CPU(sec) CPU(%)     MEM(k) MEM(%)  MAXMEM(k) VCPUS`,
  ];
  for (const d of cur.domains) {
    const before = prev?.domains.find((p) => p.domid === d.domid);
    const pct = before !== undefined && dt > 0 ? (d.cpuTimeSec - before.cpuTimeSec) / dt * 100 : 0;
    const memK = Math.round(d.memMiB * 1024);
    lines.push(`${d.name.slice(0, 12).padStart(12)}  ${d.state} ${d.cpuTimeSec.toFixed(1).padStart(10)} ` +
      `${pct.toFixed(1).padStart(6)} ${String(memK).padStart(10)} ${(memK / total * 100).toFixed(1).padStart(6)} ` +
      `${String(Math.round(d.maxMemMiB * 1024)).padStart(10)} ${String(d.vcpus).padStart(5)}`);
  }
  return lines.join('\n') + '\n';
}

export const topCommand: Command = {
  name: 'top',
  summary: 'live view of domains and their CPU use (q or Ctrl-C quits)',
  usage: 'tsxen top [-b] [-i ITERATIONS] [-d DELAY]',
  run: (args) => remote('top', async (c) => {
    let p;
    try {
      p = parseArgs({ args, options: { batch: { type: 'boolean', short: 'b' }, iterations: { type: 'string', short: 'i' }, delay: { type: 'string', short: 'd' } } });
    } catch (e) { throw new UsageError((e as Error).message); }
    const iterations = p.values.iterations !== undefined ? Number(p.values.iterations) : Infinity;
    const delay = p.values.delay !== undefined ? Number(p.values.delay) : 1;
    if (!(iterations > 0) || !(delay > 0)) throw new UsageError('-i and -d take positive numbers');
    const batch = p.values.batch === true || process.stdout.isTTY !== true;
    let prev: Sample | null = null;
    let quit = false;
    const stdin = process.stdin as typeof process.stdin & { setRawMode?: (r: boolean) => void };
    const tty = !batch && stdin.isTTY === true && typeof stdin.setRawMode === 'function';
    if (tty) {
      stdin.setRawMode!(true);
      stdin.on('data', (b: Buffer) => { if (b.includes(0x71) || b.includes(3)) quit = true; });
    }
    try {
      for (let n = 0; n < iterations && !quit; n++) {
        const cur: Sample = { info: await c.call('GET', '/v1/info'), domains: await c.call('GET', '/v1/domains') };
        const frame = formatTop(prev, cur);
        process.stdout.write(batch ? frame + '\n' : `\x1b[H\x1b[2J${frame}`);
        prev = cur;
        if (n + 1 < iterations) await new Promise((r) => setTimeout(r, delay * 1000));
      }
    } finally {
      if (tty) { stdin.setRawMode!(false); stdin.pause(); }
    }
    return 0;
  }),
};
