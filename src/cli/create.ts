/*
 * `tsxen create CONFIG... [-c]`: boots PV domains from xl-style configs. With a daemon
 * running (`tsxen daemon`) the domains are created there and the command returns (with
 * -c it attaches to the console). Without one — or with -F — the machine runs in this
 * process, in the foreground, for as long as the domains live.
 * With -c the console of the last domain created is attached to the terminal (Ctrl-]
 * quits); without it every domain's console lines are printed with its name in front.
 * The command ends when every domain has gone; its status is 0 when all of them powered
 * off, 1 when one crashed, 124 when --max-time ran out.
 */

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Command } from './command.js';
import { UsageError } from './command.js';
import { parseConfig, type DomainConfig } from '../toolstack/config.js';
import { XenHost, type GuestRecord } from '../daemon/host.js';
import { parseSize } from '../lib/size.js';
import { MAX_HARTS } from '../machine/rv32/machine.js';
import { attachTerminalInput } from './terminal.js';
import { XenError } from '../hv/abi/xen.js';
import { ApiClient } from '../api/client.js';
import type { SchedulerName } from '../hv/sched/scheduler.js';
import { HttpError } from '../api/websocket.js';
import { consoleCommand } from './console.js';
import { UserError } from '../lib/user-error.js';

/** Creates the domains on the running daemon; -c then attaches to the last one's console. */
async function createOnDaemon(client: ApiClient, files: string[], overrides: string[], paused: boolean, attach: boolean): Promise<number> {
  let last: { domid: number; name: string } | null = null;
  for (const f of files) {
    try {
      last = await client.call('POST', '/v1/domains', {
        config: readFileSync(f, 'utf8'), source: f, cwd: process.cwd(), overrides, paused,
      });
    } catch (e) {
      if (e instanceof HttpError) { process.stderr.write(`tsxen create: ${e.message}\n`); return 1; }
      throw e;
    }
  }
  if (attach && last !== null) return consoleCommand.run([String(last.domid)]);
  return 0;
}

const USAGE = `tsxen create CONFIG... [-c] [-n] [-p] [-F] [key=value...] [--harts N] [--mem SIZE] [--sched NAME] [--slice MS]
                  [--max-time SECONDS] [--realtime] [--dmesg]

  -c, --console    attach the console of the (last) domain created; Ctrl-] quits (detaches, with a daemon)
  -n, --dry-run    parse the config(s), print the result as JSON, create nothing
  -p, --paused     leave the domain paused (needs the daemon; 'tsxen unpause' starts it)
  -F, --foreground run the machine in this process even if a daemon is running
  key=value        override a config key, as xl create does (applies to every config)
Foreground only:
  --harts N        harts of the machine (1-${MAX_HARTS}, default 1)
  --mem SIZE       machine RAM, e.g. 256M (default 256M; a bare number means MiB)
  --sched NAME     scheduler: credit (default, as Xen 3), bvt (the paper's), rr
  --slice MS       the scheduler's time slice (default: credit 30, bvt 5, rr 10)
  --max-time S     stop after S seconds of virtual time (exit status 124)
  --realtime       pace virtual time to the wall clock
  --dmesg          print the hypervisor's log lines to stderr as they happen`;

export const createCommand: Command = {
  name: 'create',
  summary: 'boot PV domains from xl-style config files',
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv,
        allowPositionals: true,
        options: {
          console: { type: 'boolean', short: 'c', default: false },
          'dry-run': { type: 'boolean', short: 'n', default: false },
          paused: { type: 'boolean', short: 'p', default: false },
          foreground: { type: 'boolean', short: 'F', default: false },
          harts: { type: 'string', default: '1' },
          mem: { type: 'string', default: '256M' },
          slice: { type: 'string' },
          sched: { type: 'string', default: 'credit' },
          'max-time': { type: 'string' },
          realtime: { type: 'boolean', default: false },
          dmesg: { type: 'boolean', default: false },
        },
      });
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const o = parsed.values;
    const files = parsed.positionals.filter((p) => !p.includes('='));
    const overrides = parsed.positionals.filter((p) => p.includes('='));
    if (files.length === 0) throw new UsageError('no config file given');
    const harts = Number(o.harts);
    if (!Number.isInteger(harts) || harts < 1 || harts > MAX_HARTS) throw new UsageError(`--harts must be 1..${MAX_HARTS}`);
    const memBytes = parseSize(o.mem!);
    const sliceMs = o.slice === undefined ? undefined : Number(o.slice);
    if (sliceMs !== undefined && !(sliceMs > 0)) throw new UsageError('--slice must be a positive number of milliseconds');
    const scheduler = o.sched as SchedulerName;
    if (!['credit', 'bvt', 'rr'].includes(scheduler)) throw new UsageError('--sched must be credit, bvt or rr');
    const maxTime = o['max-time'] !== undefined ? Number(o['max-time']) : Infinity;
    if (!(maxTime > 0)) throw new UsageError('--max-time must be a positive number of seconds');

    const configs: DomainConfig[] = [];
    for (const f of files) {
      process.stderr.write(`Parsing config from ${f}\n`);
      configs.push(parseConfig(readFileSync(f, 'utf8'), f, overrides)); // a ConfigError is a UserError: one line
    }
    if (o['dry-run']) {
      process.stdout.write(JSON.stringify(configs.length === 1 ? configs[0] : configs, null, 2) + '\n');
      return 0;
    }
    if (!o.foreground) {
      const client = ApiClient.find();
      if (client !== null && await client.alive()) return createOnDaemon(client, files, overrides, o.paused!, o.console!);
    }
    if (o.paused) throw new UsageError('-p needs a running daemon (tsxen daemon): in the foreground nothing could unpause it');

    const host = new XenHost({
      harts, memMiB: Math.floor(memBytes / (1024 * 1024)), sliceMs, scheduler,
      wallclockSec: Math.floor(Date.now() / 1000),
      onLog: o.dmesg ? (line) => process.stderr.write(`(XEN) ${line}\n`) : undefined,
    });
    const attached = o.console;
    const lineBuf = new Map<number, string>();
    let attachedRec: GuestRecord | null = null;
    host.onConsole = (rec, text) => {
      if (attached) {
        if (rec === attachedRec) process.stdout.write(text);
        return;
      }
      const line = (lineBuf.get(rec.domid) ?? '') + text;
      const parts = line.split('\n');
      lineBuf.set(rec.domid, parts.pop()!);
      for (const p of parts) process.stdout.write(`[${rec.config.name}] ${p.replace(/\r$/, '')}\n`);
    };
    let crashed = false;
    host.onDomainEnd = (rec, reason, action) => {
      if (reason === 'crash') crashed = true;
      if (!attached || rec === attachedRec) {
        process.stderr.write(`tsxen: domain '${rec.config.name}' (${rec.domid}) ${reason}; ${action}\n`);
      }
    };
    try {
      for (const c of configs) attachedRec = host.create(c);
    } catch (e) {
      if (e instanceof XenError || e instanceof UserError) { process.stderr.write(`tsxen create: ${e.message}\n`); return 1; }
      throw e;
    }

    let quit = false;
    const input = attached
      ? attachTerminalInput(process.stdin, {
        onData: (data) => attachedRec?.console.input(data),
        onQuit: () => { quit = true; },
      })
      : null;
    const cpuHz = host.machine.cpuHz;
    const maxCycles = maxTime === Infinity ? Infinity : maxTime * cpuHz;
    const wallStart = Date.now();
    let status = 0;
    try {
      for (;;) {
        if (quit) { status = 130; break; }
        const r = host.run(Math.min(maxCycles - host.machine.now, cpuHz / 100), cpuHz / 100);
        if (r === 'done') break;
        if (host.machine.now >= maxCycles) { status = 124; process.stderr.write('tsxen: --max-time reached\n'); break; }
        if (r === 'idle') {
          if (!attached) {
            process.stderr.write('tsxen: every domain is blocked with nothing to wake it\n');
            status = 125;
            break;
          }
          await new Promise((res) => setTimeout(res, 10));
        } else if (o.realtime) {
          const ahead = host.machine.now / cpuHz * 1000 - (Date.now() - wallStart);
          if (ahead > 1) await new Promise((res) => setTimeout(res, Math.min(ahead, 50)));
          else await new Promise((res) => setImmediate(res));
        } else {
          await new Promise((res) => setImmediate(res));
        }
      }
    } finally {
      input?.detach();
    }
    for (const [domid, rest] of lineBuf) {
      const rec = host.history.find((r) => r.domid === domid);
      if (rest !== '' && rec !== undefined) process.stdout.write(`[${rec.config.name}] ${rest}\n`);
    }
    if (status === 0 && crashed) status = 1;
    return status;
  },
};
