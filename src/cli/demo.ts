/*
 * `tsxen demo` (what `npm start` runs): a daemon in this process, three guests doing
 * visible work (examples/demo/*.cfg), `tsxen list`, and the first guest's console on
 * this terminal. While it runs, every other tsxen command works from a second terminal.
 * Ctrl-] leaves the console and ends the demo; without a terminal (CI, a pipe) it shows a
 * few seconds of console output and ends by itself.
 */

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Command } from './command.js';
import { UsageError } from './command.js';
import { Daemon } from '../daemon/daemon.js';
import { parseConfig } from '../toolstack/config.js';
import { formatList } from './domain.js';
import { attachTerminalInput } from './terminal.js';
import type { DomainSummary } from '../toolstack/actions.js';
import { ApiClient } from '../api/client.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const GUESTS = ['alpha', 'beta', 'gamma'];

export const demoCommand: Command = {
  name: 'demo',
  summary: 'start a daemon with three guests and attach to one (what npm start runs)',
  usage: 'tsxen demo [--seconds S]   (without a terminal it runs S seconds, default 5)',
  async run(args) {
    let p;
    try {
      p = parseArgs({ args, options: { seconds: { type: 'string', default: '5' } } });
    } catch (e) { throw new UsageError((e as Error).message); }
    const seconds = Number(p.values.seconds);
    if (!(seconds > 0)) throw new UsageError('--seconds must be positive');
    const existing = ApiClient.find();
    if (existing !== null && await existing.alive()) {
      process.stderr.write(`tsxen demo: a daemon is already running at ${existing.url}; stop it first (or use it: tsxen list)\n`);
      return 1;
    }
    const bold = process.stdout.isTTY === true;
    const say = (s: string): void => { process.stdout.write(bold ? `\x1b[1m${s}\x1b[0m\n` : `${s}\n`); };
    const daemon = new Daemon({ port: 8780, memMiB: 256, wallclockSec: Math.floor(Date.now() / 1000),
      openApiPath: path.join(ROOT, 'docs', 'api', 'openapi.json') });
    try {
      await daemon.start();
    } catch (e) {
      process.stderr.write(`tsxen demo: cannot start the daemon: ${(e as Error).message}\n`);
      return 1;
    }
    const ts = daemon.toolstack;
    say(`tsxen demo: the hypervisor is up (daemon at ${daemon.url}); creating ${GUESTS.join(', ')}`);
    for (const name of GUESTS) {
      const file = path.join(ROOT, 'examples', 'demo', `${name}.cfg`);
      const config = parseConfig(readFileSync(file, 'utf8'), path.relative(process.cwd(), file));
      config.kernel = path.resolve(ROOT, config.kernel);
      ts.dispatch({ kind: 'create', config });
    }
    await new Promise((r) => setTimeout(r, 1500));
    say('$ tsxen list');
    process.stdout.write(formatList(ts.dispatch({ kind: 'list' }) as DomainSummary[]));
    const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
    say(interactive
      ? "\nAttached to alpha's console: type a line and it echoes it, 'poweroff' stops alpha. Ctrl-] ends the demo.\n" +
        'Meanwhile, in another terminal: npx tsxen list | top | console beta | mem-set beta 5 | shutdown gamma | dmesg'
      : `\nalpha's console for ${seconds} seconds (no terminal, so no typing):`);
    const alpha = daemon.host.history.find((r) => r.config.name === 'alpha')!;
    process.stdout.write(alpha.console.recent());
    const streams = daemon.host.onConsole;
    daemon.host.onConsole = (rec, text) => {
      streams?.(rec, text);
      if (rec === alpha) process.stdout.write(text);
    };
    await new Promise<void>((resolve) => {
      if (!interactive) { setTimeout(resolve, seconds * 1000); return; }
      const input = attachTerminalInput(process.stdin, {
        onData: (data) => { if (daemon.host.guests.has(alpha.domid)) alpha.console.input(data); },
        onQuit: () => { input.detach(); resolve(); },
      });
    });
    daemon.host.onConsole = streams;
    say('\n$ tsxen list');
    process.stdout.write(formatList(ts.dispatch({ kind: 'list' }) as DomainSummary[]));
    say('Shutting the guests down and stopping the daemon.');
    for (const r of [...daemon.host.guests.values()]) daemon.host.destroy(r.domid);
    await daemon.stop();
    return 0;
  },
};
