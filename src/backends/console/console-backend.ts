/*
 * The console backend (xenconsoled's job): serves a guest's console ring
 * (struct xencons_interface, fact sheet §12.1) over its event channel. Output bytes go
 * to a bounded history (so `tsxen console` can show recent output when it attaches)
 * and to whoever is attached; input bytes go into the ring's `in` half.
 *
 * The ring lives in guest memory, so its indices are untrusted: a producer index more
 * than a ring ahead is clamped and counted, never followed.
 */

import type { Control, ForeignFrame } from '../../hv/control.js';

const IN = 0, IN_SIZE = 1024, OUT = 1024, OUT_SIZE = 2048;
const IN_CONS = 3072, IN_PROD = 3076, OUT_CONS = 3080, OUT_PROD = 3084;
const HISTORY = 64 * 1024;

export class ConsoleBackend {
  private readonly ring: ForeignFrame;
  readonly port: number;
  private history = '';
  /** Ring-index violations seen (a hostile or broken guest). */
  violations = 0;
  sink: ((text: string) => void) | null = null;

  constructor(private readonly ctl: Control, readonly domid: number, ringMfn: number, guestPort: number) {
    this.ring = ctl.mapForeign(domid, ringMfn);
    this.port = ctl.bindInterdomain(domid, guestPort, () => this.service());
  }

  /** Drains the guest's output. */
  service(): void {
    const bytes = this.ring.bytes();
    let cons = this.ring.read32(OUT_CONS) >>> 0;
    const prod = this.ring.read32(OUT_PROD) >>> 0;
    let avail = (prod - cons) >>> 0;
    if (avail > OUT_SIZE) { this.violations++; cons = (prod - OUT_SIZE) >>> 0; avail = OUT_SIZE; }
    if (avail === 0) return;
    let text = '';
    for (let i = 0; i < avail; i++) text += String.fromCharCode(bytes[OUT + ((cons + i) & (OUT_SIZE - 1))]!);
    this.ring.write32(OUT_CONS, (cons + avail) | 0);
    this.ctl.send(this.port);
    this.emit(text);
  }

  /** Console input from the attached user. Returns how many bytes fitted. */
  input(data: Uint8Array): number {
    const cons = this.ring.read32(IN_CONS) >>> 0;
    let prod = this.ring.read32(IN_PROD) >>> 0;
    const space = IN_SIZE - Math.min(IN_SIZE, (prod - cons) >>> 0);
    const n = Math.min(space, data.length);
    for (let i = 0; i < n; i++) {
      const b = new Uint8Array([data[i]!]);
      this.ring.write(IN + ((prod + i) & (IN_SIZE - 1)), b);
    }
    prod = (prod + n) | 0;
    this.ring.write32(IN_PROD, prod);
    if (n > 0) this.ctl.send(this.port);
    return n;
  }

  emit(text: string): void {
    this.history += text;
    if (this.history.length > HISTORY) this.history = this.history.slice(-HISTORY);
    this.sink?.(text);
  }

  /** Recent output, oldest first (bounded). */
  recent(): string {
    return this.history;
  }

  close(): void {
    try { this.ctl.close(this.port); } catch { /* the domain is gone */ }
  }
}
