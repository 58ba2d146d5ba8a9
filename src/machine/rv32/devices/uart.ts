/*
 * ns16550a UART at 0x1000_0000 (QEMU virt), the machine's console.
 *
 * Byte-wide registers with stride 1. Transmit is instant (THR empty is always set);
 * received bytes wait in a FIFO until the guest reads RBR. There is no interrupt
 * controller on this machine yet, so the UART's interrupt line goes nowhere: guests
 * poll LSR. Host input enters through `receive`, called by the machine's event queue.
 */

import type { MmioDevice } from '../bus.js';

const RBR_THR_DLL = 0, IER_DLM = 1, IIR_FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7;
const LSR_DR = 0x01, LSR_THRE = 0x20, LSR_TEMT = 0x40;
const LCR_DLAB = 0x80;

export class Uart16550 implements MmioDevice {
  readonly name = 'uart16550';
  readonly size = 0x100;
  private rx: number[] = [];
  private ier = 0;
  private lcr = 0;
  private mcr = 0;
  private scr = 0;
  private fcr = 0;
  private dll = 0;
  private dlm = 0;

  constructor(private readonly output: (byte: number) => void) {}

  /** Host input: bytes the guest will read from RBR. */
  receive(bytes: Uint8Array | number[]): void {
    for (const b of bytes) this.rx.push(b & 0xff);
  }

  get pendingInput(): number {
    return this.rx.length;
  }

  read(offset: number): number {
    const dlab = (this.lcr & LCR_DLAB) !== 0;
    switch (offset) {
      case RBR_THR_DLL: return dlab ? this.dll : (this.rx.shift() ?? 0);
      case IER_DLM: return dlab ? this.dlm : this.ier;
      case IIR_FCR: return ((this.fcr & 1) !== 0 ? 0xc0 : 0) | 0x01; // no interrupt pending
      case LCR: return this.lcr;
      case MCR: return this.mcr;
      case LSR: return LSR_THRE | LSR_TEMT | (this.rx.length > 0 ? LSR_DR : 0);
      case MSR: return 0xb0; // CTS, DSR, DCD asserted
      case SCR: return this.scr;
      default: return 0;
    }
  }

  write(offset: number, _size: number, value: number): void {
    const dlab = (this.lcr & LCR_DLAB) !== 0;
    value &= 0xff;
    switch (offset) {
      case RBR_THR_DLL: if (dlab) this.dll = value; else this.output(value); return;
      case IER_DLM: if (dlab) this.dlm = value; else this.ier = value & 0x0f; return;
      case IIR_FCR: this.fcr = value; if (value & 2) this.rx = []; return;
      case LCR: this.lcr = value; return;
      case MCR: this.mcr = value; return;
      case SCR: this.scr = value; return;
      default: return;
    }
  }
}
