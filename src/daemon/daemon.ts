/*
 * `tsxen daemon`: the long-running process that owns the machine, the hypervisor and
 * Domain 0 — the composition root. Its boot story:
 *
 *   1. build the host (rv32 machine + hypervisor + Domain 0's services),
 *   2. put the toolstack on it and the HTTP API in front of the toolstack,
 *   3. write the token and the address where clients find them (TSXEN_HOME),
 *   4. run the machine: in slices, paced to the wall clock, yielding to the event loop
 *      between slices so API requests and console streams are served.
 *
 * Shutdown reverses it: stop the loop, close the API, remove the address file.
 */

import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { XenHost, type HostOptions } from './host.js';
import { Toolstack } from '../toolstack/toolstack.js';
import { createApiServer, type ApiServer } from '../api/server.js';
import { daemonPaths } from '../api/client.js';

export interface DaemonOptions extends HostOptions {
  listenHost?: string;
  port?: number;
  /** Pace virtual time to the wall clock (default true). */
  realtime?: boolean;
  /** Directory for the token and address files (default: TSXEN_HOME or ~/.tsxen). */
  home?: string;
  openApiPath?: string;
}

/** Virtual cycles per run step (1 ms of guest time at 100 MHz), and the longest burst of steps. */
const STEP = 100_000;
const BURST_MS = 20;

export class Daemon {
  readonly host: XenHost;
  readonly toolstack: Toolstack;
  readonly token: string;
  url = '';
  private readonly api: ApiServer;
  private stopping = false;
  private wake: (() => void) | null = null;
  private loopDone: Promise<void> = Promise.resolve();
  private readonly realtime: boolean;
  private readonly paths: ReturnType<typeof daemonPaths>;

  constructor(private readonly opts: DaemonOptions = {}) {
    this.host = new XenHost(opts);
    this.toolstack = new Toolstack(this.host);
    this.token = randomBytes(24).toString('hex');
    this.realtime = opts.realtime ?? true;
    this.paths = daemonPaths(opts.home);
    this.api = createApiServer({
      toolstack: this.toolstack, token: this.token, openApiPath: opts.openApiPath,
      afterAction: () => this.kick(),
    });
    this.host.onConsole = (rec, text) => this.api.consoleOutput(rec, text);
    this.host.onDomainEnd = (rec) => {
      if (!this.host.guests.has(rec.domid)) this.api.domainGone(rec.domid);
    };
  }

  async start(): Promise<void> {
    const server = this.api.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port ?? 8780, this.opts.listenHost ?? '127.0.0.1', () => resolve());
    });
    const addr = server.address() as AddressInfo;
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    this.url = `http://${host}:${addr.port}`;
    mkdirSync(this.paths.home, { recursive: true, mode: 0o700 });
    writeFileSync(this.paths.token, this.token + '\n', { mode: 0o600 });
    chmodSync(this.paths.token, 0o600);
    writeFileSync(this.paths.address, JSON.stringify({ url: this.url, pid: process.pid }) + '\n');
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.kick();
    await this.loopDone;
    await new Promise<void>((resolve) => {
      this.api.server.close(() => resolve());
      this.api.server.closeAllConnections();
    });
    rmSync(this.paths.address, { force: true });
  }

  /** Something happened (an API action, console input): run the machine soon. */
  private kick(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private async loop(): Promise<void> {
    const m = this.host.machine;
    const wallStart = performance.now();
    const virtStart = m.now;
    const virtualNow = (): number => Math.floor(virtStart + (performance.now() - wallStart) * m.cpuHz / 1000);
    while (!this.stopping) {
      const target = this.realtime ? virtualNow() : Infinity;
      // Run in small steps and give the event loop back after BURST_MS of wall time at
      // most, however slow the guests' current work is, so requests are answered promptly.
      const burstEnd = performance.now() + BURST_MS;
      let idle = false;
      while (m.now < target && performance.now() < burstEnd && !idle) {
        const r = m.runUntil(Math.min(m.now + STEP, target));
        this.host.hv.drainDom0Events();
        this.host.hv.runDeferred();
        if (r.kind === 'idle') {
          // Nothing will happen until an outside event: the guests' clock keeps pace anyway.
          if (this.realtime) m.idleUntil(target);
          idle = true;
        }
        else if (r.kind !== 'limit') {
          // A machine-level stop (finisher, reset) does not happen under the hypervisor.
          this.host.hv.log.write(`machine stopped: ${r.kind}`);
          idle = true;
        }
      }
      if (idle || m.now >= target) {
        // Nothing to do until the wall clock catches up or a request arrives.
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, idle ? 20 : 2);
        });
        this.wake = null;
      } else {
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  }
}
