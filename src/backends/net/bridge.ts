/*
 * A software Ethernet bridge in Domain 0 (Linux's bridge in the paper's Domain 0): ports
 * are virtual interfaces; it learns which port each source MAC lives behind, sends a
 * frame to its destination's port, or floods it (broadcast, multicast, unknown). Frames
 * queue per input port and are switched round-robin, one frame per port in turn, so one
 * busy interface cannot starve the others. Filter rules (first match wins, default
 * accept) are Domain 0's firewall.
 */

import { macString } from './vif-spec.js';

export interface BridgePort {
  readonly name: string;
  /** Delivers a frame out of this port (into the guest's receive ring). */
  deliver(frame: Uint8Array): void;
}

export interface FilterRule {
  action: 'accept' | 'drop';
  /** Input port name (e.g. "vif3.0"). */
  from?: string;
  src?: string;
  dst?: string;
  ethertype?: number;
}

interface PortState {
  port: BridgePort;
  queue: Uint8Array[];
  stats: { in: number; out: number; filtered: number; queueDrops: number };
}

const QUEUE_LIMIT = 256;

export class Bridge {
  private readonly ports: PortState[] = [];
  private readonly fdb = new Map<string, PortState>();
  readonly rules: FilterRule[] = [];
  private next = 0;
  private servicing = false;
  readonly stats = { switched: 0, flooded: 0, filtered: 0 };

  constructor(readonly name: string) {}

  addPort(port: BridgePort): void {
    this.ports.push({ port, queue: [], stats: { in: 0, out: 0, filtered: 0, queueDrops: 0 } });
  }

  removePort(port: BridgePort): void {
    const i = this.ports.findIndex((p) => p.port === port);
    if (i < 0) return;
    const [st] = this.ports.splice(i, 1);
    for (const [mac, p] of this.fdb) if (p === st) this.fdb.delete(mac);
  }

  portStats(port: BridgePort): PortState['stats'] | undefined {
    return this.ports.find((p) => p.port === port)?.stats;
  }

  /** A frame sent by a guest through `port`: filtered, then queued for switching. */
  input(port: BridgePort, frame: Uint8Array): void {
    const st = this.ports.find((p) => p.port === port);
    if (st === undefined || frame.length < 14) return;
    st.stats.in++;
    if (!this.accepts(port.name, frame)) { st.stats.filtered++; this.stats.filtered++; return; }
    if (st.queue.length >= QUEUE_LIMIT) { st.stats.queueDrops++; return; }
    st.queue.push(frame);
  }

  private accepts(from: string, f: Uint8Array): boolean {
    if (this.rules.length === 0) return true;
    const dst = macString(f, 0), src = macString(f, 6), type = (f[12]! << 8) | f[13]!;
    for (const r of this.rules) {
      if (r.from !== undefined && r.from !== from) continue;
      if (r.src !== undefined && r.src !== src) continue;
      if (r.dst !== undefined && r.dst !== dst) continue;
      if (r.ethertype !== undefined && r.ethertype !== type) continue;
      return r.action === 'accept';
    }
    return true;
  }

  /** Switches queued frames, one per port in turn, until every queue is empty. */
  service(): void {
    if (this.servicing) return;
    this.servicing = true;
    try {
      for (;;) {
        let moved = false;
        const n = this.ports.length;
        const start = this.next;
        for (let k = 0; k < n; k++) {
          const idx = (start + k) % n;
          const st = this.ports[idx];
          if (st === undefined) continue;
          const frame = st.queue.shift();
          if (frame === undefined) continue;
          moved = true;
          // The next round starts after the last port served.
          this.next = (idx + 1) % n;
          this.switchFrame(st, frame);
        }
        if (!moved) break;
      }
    } finally {
      this.servicing = false;
    }
  }

  private switchFrame(from: PortState, f: Uint8Array): void {
    const src = macString(f, 6);
    if ((f[6]! & 1) === 0) this.fdb.set(src, from);
    const dst = macString(f, 0);
    const to = (f[0]! & 1) === 0 ? this.fdb.get(dst) : undefined;
    if (to !== undefined) {
      if (to !== from && this.ports.includes(to)) { to.stats.out++; this.stats.switched++; to.port.deliver(f); }
      return;
    }
    this.stats.flooded++;
    for (const p of this.ports) if (p !== from) { p.stats.out++; p.port.deliver(f); }
  }
}
