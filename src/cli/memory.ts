/* mem-set and mem-max, as xl has them. Sizes: a number of MiB, or with a suffix (k, m, g). */

import type { Command } from './command.js';
import { UsageError } from './command.js';
import { enc, positionals, remote } from './remote.js';

/** xl's memory argument: plain numbers are MiB; k/m/g/t suffixes scale. */
export function parseMemMiB(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([kmgt]?)b?$/i.exec(text.trim());
  if (m === null) throw new UsageError(`bad memory size '${text}'`);
  const n = Number(m[1]);
  const unit = m[2]!.toLowerCase();
  const mib = unit === 'k' ? n / 1024 : unit === 'g' ? n * 1024 : unit === 't' ? n * 1024 * 1024 : n;
  if (!(mib > 0)) throw new UsageError(`bad memory size '${text}'`);
  return mib;
}

export const memoryCommands: Command[] = [
  {
    name: 'mem-set', summary: "set a domain's memory target (the balloon)", usage: 'tsxen mem-set DOMAIN SIZE',
    run: (args) => remote('mem-set', async (c) => {
      const [d, size] = positionals(args, 2, 'a domain and a size');
      await c.call('PUT', `/v1/domains/${enc(d!)}/memory`, { targetMiB: parseMemMiB(size!) });
      return 0;
    }),
  },
  {
    name: 'mem-max', summary: "set a domain's maximum memory", usage: 'tsxen mem-max DOMAIN SIZE',
    run: (args) => remote('mem-max', async (c) => {
      const [d, size] = positionals(args, 2, 'a domain and a size');
      await c.call('PUT', `/v1/domains/${enc(d!)}/max-memory`, { maxMiB: parseMemMiB(size!) });
      return 0;
    }),
  },
];
