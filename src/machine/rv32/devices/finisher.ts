/*
 * SiFive test finisher at 0x0010_0000 (QEMU virt's "sifive,test0"): a guest ends the
 * machine by writing 0x5555 (pass), (code << 16) | 0x3333 (fail with code) or 0x7777
 * (reset). Other values are ignored, as on QEMU.
 */

import type { MmioDevice } from '../bus.js';

export type FinisherEvent = { kind: 'pass' } | { kind: 'fail'; code: number } | { kind: 'reset' };

export class Finisher implements MmioDevice {
  readonly name = 'sifive-test';
  readonly size = 0x1000;

  constructor(private readonly onFinish: (event: FinisherEvent) => void) {}

  read(): number {
    return 0;
  }

  write(offset: number, _size: number, value: number): void {
    if (offset !== 0) return;
    const status = value & 0xffff;
    if (status === 0x5555) this.onFinish({ kind: 'pass' });
    else if (status === 0x3333) this.onFinish({ kind: 'fail', code: (value >>> 16) & 0xffff });
    else if (status === 0x7777) this.onFinish({ kind: 'reset' });
  }
}
