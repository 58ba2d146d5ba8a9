/*
 * The rv32 machine: harts, RAM, devices and virtual time, laid out like QEMU's `virt`
 * board for everything it implements:
 *
 *   0x0010_0000  SiFive test finisher        0x0200_0000  CLINT
 *   0x1000_0000  ns16550a UART               0x8000_0000  RAM (configurable size)
 *
 * Anything else is an access fault.
 *
 * Time. The machine keeps one virtual clock in cycles. Harts run interleaved in rounds:
 * in each round every hart runs from the round's start to its end (at most `quantum`
 * cycles), one after another, in hart order, so a run is reproducible to the instruction.
 * A hart's slice also ends exactly when its timer interrupt falls due, so interrupts
 * arrive at the same instruction every run. When every hart waits (WFI or stopped) the
 * clock jumps to the next timer deadline; with none, the machine is idle until host input.
 *
 * Host events (console input) enter only between rounds, through `post()`, at the virtual
 * time the round ended; `realtime` mode additionally keeps virtual time from running
 * ahead of the wall clock.
 */

import { PhysicalBus, Ram } from './bus.js';
import { CodeCache } from './code-cache.js';
import { HART_STATE_BYTES, Hart, HartState, type HartHost, type MachineModeHandler } from './hart.js';
import { MemoryArena } from './memory.js';
import { Clint } from './devices/clint.js';
import { Uart16550 } from './devices/uart.js';
import { Finisher, type FinisherEvent } from './devices/finisher.js';
import { DEFAULT_CPU_HZ, TIMEBASE_HZ } from './costs.js';
import { Mode } from './csr.js';
import { Translator } from './jit/block-cache.js';
import { JitEngine } from './jit/engine.js';
import { JsBackend } from './jit/js-backend.js';
import type { BlockFn } from './jit/codegen.js';
import { WasmBackend, wasmBackendStateBytes, type WasmBlockFn } from './jit/wasm/backend.js';
import { WasmEngine } from './jit/wasm/engine.js';

export const RAM_BASE = 0x80000000;
export const UART_BASE = 0x10000000;
export const CLINT_BASE = 0x02000000;
export const FINISHER_BASE = 0x00100000;
export const MAX_HARTS = 8;
export const MAX_RAM = 2 * 1024 * 1024 * 1024;

export interface MachineConfig {
  harts?: number;
  /** RAM size in bytes (multiple of 4 KiB, at most 2 GiB). */
  ramSize?: number;
  /** Virtual hart clock; mtime runs at 10 MHz. */
  cpuHz?: number;
  /** Longest slice of one hart before the next runs, in cycles. */
  quantum?: number;
  /** Console output sink (UART transmit). */
  consoleOut?: (byte: number) => void;
  /**
   * How guest instructions run: `wasm` (the default), the block translator to
   * WebAssembly (jit/wasm/); `jit`, the block translator to JavaScript (jit/); `interp`,
   * the interpreter (Hart.execute). All retire the same instructions in the same virtual time.
   */
  engine?: Engine;
}

export type Engine = 'interp' | 'jit' | 'wasm';
export const DEFAULT_ENGINE: Engine = 'wasm';

/** Why the machine stopped running. */
export type StopReason =
  | { kind: 'finisher'; event: FinisherEvent }
  | { kind: 'htif'; code: number }
  | { kind: 'shutdown'; code: number; reset: boolean }
  | { kind: 'limit' }
  | { kind: 'idle' };

export class Machine implements HartHost {
  /** One WebAssembly.Memory for RAM and the state translated code touches (memory.ts). */
  readonly memory: MemoryArena;
  readonly ram: Ram;
  readonly bus: PhysicalBus;
  readonly code: CodeCache;
  readonly harts: Hart[];
  readonly clint: Clint;
  readonly uart: Uart16550;
  readonly cpuHz: number;
  readonly quantum: number;
  mHandler: MachineModeHandler | null = null;
  readonly engine: Engine;
  /** The block translator, shared by the harts, when engine is `jit` or `wasm`. */
  readonly translator: Translator | null = null;

  /** Called after every round (between hart slices): cheap polling of guest memory. */
  afterRound: (() => void) | null = null;

  /** Virtual time at the start of the current round, in cycles. */
  now = 0;
  stopReason: StopReason | null = null;

  constructor(config: MachineConfig = {}) {
    const nharts = config.harts ?? 1;
    if (!Number.isInteger(nharts) || nharts < 1 || nharts > MAX_HARTS) {
      throw new RangeError(`harts must be 1..${MAX_HARTS}, got ${nharts}`);
    }
    const ramSize = config.ramSize ?? 128 * 1024 * 1024;
    if (ramSize <= 0 || ramSize % 4096 !== 0 || ramSize > MAX_RAM) {
      throw new RangeError(`RAM size must be a positive multiple of 4 KiB up to 2 GiB, got ${ramSize}`);
    }
    this.cpuHz = config.cpuHz ?? DEFAULT_CPU_HZ;
    this.quantum = config.quantum ?? (nharts > 1 ? 10_000 : 1_000_000);
    const pages = ramSize / 4096;
    // State: each hart's registers and TLBs, the code-page and code-word maps, the
    // translator's page directory.
    this.memory = new MemoryArena(ramSize, nharts * HART_STATE_BYTES + pages + ramSize / 32 + wasmBackendStateBytes(ramSize) + 4096);
    this.ram = new Ram(RAM_BASE, ramSize, this.memory);
    this.bus = new PhysicalBus(this.ram);
    this.code = new CodeCache(this.ram);
    this.harts = [];
    for (let i = 0; i < nharts; i++) this.harts.push(new Hart(i, this, this.memory));
    this.engine = config.engine ?? DEFAULT_ENGINE;
    if (this.engine === 'jit') {
      const translator = new Translator<BlockFn>(this.ram, this.code);
      translator.backend = new JsBackend(translator, this.ram, this.code);
      this.translator = translator;
      for (const h of this.harts) h.engine = new JitEngine(h, translator);
    } else if (this.engine === 'wasm') {
      const translator = new Translator<WasmBlockFn>(this.ram, this.code);
      const backend = new WasmBackend(this.memory, this.ram);
      translator.backend = backend;
      this.translator = translator;
      for (const h of this.harts) h.engine = new WasmEngine(h, translator, backend);
    } else if (this.engine !== 'interp') {
      throw new RangeError(`engine must be 'interp', 'jit' or 'wasm', got '${String(this.engine)}'`);
    }
    this.clint = new Clint(this.harts, Math.max(1, Math.round(this.cpuHz / TIMEBASE_HZ)));
    this.uart = new Uart16550(config.consoleOut ?? (() => {}));
    this.bus.attach(FINISHER_BASE, new Finisher((event) => this.requestStop({ kind: 'finisher', event })));
    this.bus.attach(CLINT_BASE, this.clint);
    this.bus.attach(UART_BASE, this.uart);
  }

  // HartHost
  get stopRequested(): boolean {
    return this.stopReason !== null;
  }

  mtime(hart: Hart): number {
    return this.clint.mtimeAt(hart.now());
  }

  afterDeviceWrite(hart: Hart): void {
    // A timer write may move this hart's deadline inside its slice.
    const dl = this.clint.deadline(hart.id);
    if (dl > hart.now() && dl < hart.sliceEnd) hart.sliceEnd = dl;
  }

  requestStop(reason: StopReason): void {
    if (this.stopReason === null) this.stopReason = reason;
  }

  /** Boots every hart at `entry` in M-mode with a0 = hartid, a1 = `a1` (QEMU -bios none). */
  bootBare(entry: number, a1 = 0): void {
    for (const h of this.harts) h.start(entry, Mode.M, h.id, a1);
  }

  /** Total instructions retired by all harts. */
  get instret(): number {
    let n = 0;
    for (const h of this.harts) n += h.instret;
    return n;
  }

  /**
   * Runs rounds until `until` (virtual cycles), a stop, or idleness. Returns the stop
   * reason, `limit` when `until` was reached, or `idle` when nothing can happen before
   * host input arrives.
   */
  runUntil(until: number): StopReason {
    until = Math.floor(until); // slices end on whole cycles (a fractional end would never be reached)
    while (this.stopReason === null && this.now < until) {
      if (!this.anyHartCanRun()) {
        const next = this.nextDeadline();
        if (next === Infinity) return { kind: 'idle' };
        // Fast-forward: nothing happens before the next timer interrupt.
        this.advanceIdle(Math.min(next, until));
        continue;
      }
      this.round(Math.min(this.now + this.quantum, until));
    }
    return this.stopReason ?? { kind: 'limit' };
  }

  /** One round: every hart runs from `now` to `end` in hart order. */
  private round(end: number): void {
    const multi = this.harts.length > 1;
    for (const h of this.harts) {
      this.clint.current = h;
      while (h.cycles < end && this.stopReason === null) {
        this.clint.refresh(h);
        const dl = this.clint.deadline(h.id);
        h.sliceEnd = dl > h.cycles && dl < end ? dl : end;
        h.run();
      }
      // Charged work may carry a hart past the round end; it then sits out until the
      // others catch up, which keeps the interleaving deterministic.
      if (multi) h.reservation = -1; // another hart runs next: LR/SC must not span it
      if (this.stopReason !== null) return;
    }
    this.now = end;
    if (this.afterRound !== null) this.afterRound();
  }

  private anyHartCanRun(): boolean {
    for (const h of this.harts) {
      if (h.state === HartState.RUNNING) return true;
      this.clint.refresh(h);
      if (h.state === HartState.WFI && (h.mip & h.mie) !== 0) return true;
    }
    return false;
  }

  /** The earliest cycle at which a waiting hart's timer interrupt falls due. */
  nextDeadline(): number {
    let next = Infinity;
    for (const h of this.harts) {
      if (h.state !== HartState.WFI) continue;
      const dl = this.clint.deadline(h.id);
      if (dl < next) next = dl;
    }
    return next > this.now ? next : this.now + 1;
  }

  /**
   * Lets virtual time pass up to `to` while no hart can run and no timer falls due before
   * it (a host whose guests all wait for outside events keeps pace with the wall clock).
   * Returns false, doing nothing, if some hart could run or a deadline comes first.
   */
  idleUntil(to: number): boolean {
    to = Math.floor(to);
    if (to <= this.now || this.anyHartCanRun()) return false;
    for (const h of this.harts) if (h.state === HartState.WFI && this.clint.deadline(h.id) < to) return false;
    this.advanceIdle(to);
    return true;
  }

  private advanceIdle(to: number): void {
    for (const h of this.harts) if (h.cycles < to) h.cycles = to;
    this.now = to;
  }

  /** Host input for the console, delivered at the current virtual time. */
  consoleInput(bytes: Uint8Array | number[]): void {
    this.uart.receive(bytes);
  }
}
