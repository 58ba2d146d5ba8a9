/* xenstore-ls, xenstore-read, xenstore-write, xenstore-rm: the store of the running daemon's host. */

import type { Command } from './command.js';
import { UsageError } from './command.js';
import { remote } from './remote.js';
import { formatXenstoreLs, type XsRow } from '../toolstack/io.js';

const q = encodeURIComponent;

function paths(args: string[], min: number, what: string): string[] {
  const pos = args.filter((a) => !a.startsWith('-'));
  if (pos.length < min) throw new UsageError(`expected ${what}`);
  return pos;
}

export const xenstoreCommands: Command[] = [
  {
    name: 'xenstore-ls', summary: 'list a xenstore subtree', usage: 'tsxen xenstore-ls [-p] [PATH]',
    run: (args) => remote('xenstore-ls', async (c) => {
      const path = paths(args, 0, 'a path')[0] ?? '/';
      const rows = await c.call('GET', `/v1/xenstore?path=${q(path)}&recursive=1`) as XsRow[];
      process.stdout.write(formatXenstoreLs(rows, path, args.includes('-p')));
      return 0;
    }),
  },
  {
    name: 'xenstore-read', summary: 'read xenstore values', usage: 'tsxen xenstore-read PATH...',
    run: (args) => remote('xenstore-read', async (c) => {
      for (const p of paths(args, 1, 'a path')) {
        const rows = await c.call('GET', `/v1/xenstore?path=${q(p)}`) as XsRow[];
        process.stdout.write(`${rows[0]?.value ?? ''}\n`);
      }
      return 0;
    }),
  },
  {
    name: 'xenstore-write', summary: 'write xenstore values', usage: 'tsxen xenstore-write PATH VALUE [PATH VALUE]...',
    run: (args) => remote('xenstore-write', async (c) => {
      const pos = paths(args, 2, 'a path and a value');
      if (pos.length % 2 !== 0) throw new UsageError('expected PATH VALUE pairs');
      for (let i = 0; i < pos.length; i += 2) await c.call('PUT', '/v1/xenstore', { path: pos[i], value: pos[i + 1] });
      return 0;
    }),
  },
  {
    name: 'xenstore-rm', summary: 'remove xenstore nodes', usage: 'tsxen xenstore-rm PATH...',
    run: (args) => remote('xenstore-rm', async (c) => {
      for (const p of paths(args, 1, 'a path')) await c.call('DELETE', `/v1/xenstore?path=${q(p)}`);
      return 0;
    }),
  },
];
