/*
 * `tsxen daemon`: runs the machine, the hypervisor and Domain 0 in this process and
 * serves the HTTP API (docs/api/openapi.json) until SIGINT or SIGTERM.
 */

import { parseArgs } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from './command.js';
import { UsageError } from './command.js';
import { Daemon } from '../daemon/daemon.js';
import { parseSize } from '../lib/size.js';
import { MAX_HARTS } from '../machine/rv32/machine.js';
import type { SchedulerName } from '../hv/sched/scheduler.js';

const OPENAPI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'api', 'openapi.json');

const USAGE = `tsxen daemon [--port N] [--listen ADDRESS] [--harts N] [--mem SIZE] [--sched NAME] [--slice MS]
                    [--no-realtime] [--dmesg]

  --port N         TCP port of the HTTP API (default 8780; 0 picks a free one)
  --listen ADDR    address to listen on (default 127.0.0.1: this host only)
  --harts N        harts of the machine (1-${MAX_HARTS}, default 1)
  --mem SIZE       machine RAM (default 512M)
  --sched NAME     scheduler: credit (default, as Xen 3), bvt (the paper's), rr
  --slice MS       the scheduler's time slice (default: credit 30, bvt 5, rr 10)
  --no-realtime    run guests as fast as possible instead of at wall-clock pace
  --dmesg          print the hypervisor's log to stderr as it happens
The token that state-changing requests need is written to $TSXEN_HOME/token (default ~/.tsxen),
and the address to $TSXEN_HOME/daemon.json, where the tsxen commands find them.`;

export const daemonCommand: Command = {
  name: 'daemon',
  summary: 'run the hypervisor host and serve the management API',
  usage: USAGE,
  async run(args) {
    let p;
    try {
      p = parseArgs({
        args,
        options: {
          port: { type: 'string', default: '8780' }, listen: { type: 'string', default: '127.0.0.1' },
          harts: { type: 'string', default: '1' }, mem: { type: 'string', default: '512M' },
          slice: { type: 'string' }, sched: { type: 'string', default: 'credit' },
          'no-realtime': { type: 'boolean', default: false },
          dmesg: { type: 'boolean', default: false },
        },
      });
    } catch (e) { throw new UsageError((e as Error).message); }
    const o = p.values;
    const port = Number(o.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be 0..65535');
    const harts = Number(o.harts);
    if (!Number.isInteger(harts) || harts < 1 || harts > MAX_HARTS) throw new UsageError(`--harts must be 1..${MAX_HARTS}`);
    const scheduler = o.sched as SchedulerName;
    if (!['credit', 'bvt', 'rr'].includes(scheduler)) throw new UsageError('--sched must be credit, bvt or rr');
    const sliceMs = o.slice === undefined ? undefined : Number(o.slice);
    if (sliceMs !== undefined && !(sliceMs > 0)) throw new UsageError('--slice must be a positive number of milliseconds');
    const daemon = new Daemon({
      port, listenHost: o.listen, harts, memMiB: Math.floor(parseSize(o.mem!) / (1024 * 1024)),
      sliceMs, scheduler, realtime: !o['no-realtime'], openApiPath: OPENAPI,
      wallclockSec: Math.floor(Date.now() / 1000),
      onLog: o.dmesg ? (line) => process.stderr.write(`(XEN) ${line}\n`) : undefined,
    });
    try {
      await daemon.start();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
        process.stderr.write(`tsxen daemon: cannot listen on ${o.listen}:${port}: ${code}\n`);
        return 1;
      }
      throw e;
    }
    process.stdout.write(`tsxen daemon listening on ${daemon.url}\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await daemon.stop();
    process.stdout.write('tsxen daemon stopped\n');
    return 0;
  },
};
