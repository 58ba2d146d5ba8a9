/*
 * Running an image natively on the rv32 machine — no hypervisor: either the image owns
 * M-mode itself (`bios: 'none'`, like QEMU's -bios none) or tsxen's SBI firmware starts
 * it in S-mode (`bios: 'sbi'`). This is the baseline every virtualization overhead is
 * measured against, and what `tsxen run-native`, the conformance tests and the CPU
 * benchmark use.
 *
 * Two drivers share one boot: runToCompletion() (synchronous, for tests and benchmarks)
 * and NativeSession.runInteractive() (async, yields to the host between bursts so console
 * input and signals are served; optionally paced to the wall clock).
 */

import { parseElf, type ElfImage } from '../lib/elf.js';
import { Machine, type Engine, type StopReason } from '../machine/rv32/machine.js';
import { loadImage } from '../machine/rv32/loader.js';
import { SbiFirmware } from '../firmware/sbi/sbi.js';
import type { Hart } from '../machine/rv32/hart.js';

export type Bios = 'none' | 'sbi';

export interface NativeOptions {
  bios?: Bios;
  harts?: number;
  ramSize?: number;
  /** Stop after this many retired instructions (all harts together). */
  maxInsns?: number;
  /** Console bytes from the guest. */
  consoleOut?: (byte: number) => void;
  /** Called for every retired instruction (slow). */
  trace?: (hart: Hart, pc: number, raw: number) => void;
  /** Longest hart slice in cycles. */
  quantum?: number;
  /** Restart the image when it asks for a reset, instead of stopping. */
  reboot?: boolean;
  /** The interpreter or the block translator (default: the machine's default). */
  engine?: Engine;
}

export interface NativeResult {
  /** finisher pass/fail/reset, SBI shutdown, the instruction limit, or idle forever. */
  reason: StopReason;
  /** The status this run maps to: 0 pass, the finisher's failure code (may exceed 255), 124 limit, … */
  exitCode: number;
  instructions: number;
  cycles: number;
  wallSeconds: number;
  mips: number;
}

export const EXIT_LIMIT = 124;
export const EXIT_IDLE = 125;

export class NativeSession {
  readonly machine: Machine;
  readonly image: ElfImage;
  private readonly options: NativeOptions;
  private executed = 0;
  private wallNs = 0n;

  constructor(imageBytes: Uint8Array, name: string, options: NativeOptions = {}) {
    this.options = options;
    this.image = parseElf(imageBytes, name);
    this.machine = new Machine({
      harts: options.harts ?? 1,
      ramSize: options.ramSize ?? 128 * 1024 * 1024,
      consoleOut: options.consoleOut ?? (() => {}),
      ...(options.quantum !== undefined ? { quantum: options.quantum } : {}),
      ...(options.engine !== undefined ? { engine: options.engine } : {}),
    });
    loadImage(this.machine, this.image, name);
    this.watchTohost();
    if (options.trace) for (const h of this.machine.harts) h.tracer = options.trace;
    this.boot();
  }

  /**
   * Images built for riscv-tests-style environments report through an HTIF `tohost`
   * word instead of the finisher: 1 is a pass, (n << 1) | 1 a failure of test n. When
   * the image has that symbol, the word is polled between rounds (such tests spin after
   * writing it, so polling loses nothing).
   */
  private watchTohost(): void {
    const tohost = this.image.symbols.get('tohost');
    const ram = this.machine.ram;
    if (tohost === undefined || !ram.contains(tohost, 4)) return;
    const index = (tohost - ram.base) >>> 2;
    this.machine.afterRound = () => {
      const v = ram.i32[index]!;
      if (v !== 0) this.machine.requestStop({ kind: 'htif', code: v === 1 ? 0 : v >>> 1 });
    };
  }

  /**
   * The memory between the image's `begin_signature` and `end_signature` symbols as
   * hex words, one per line (the format compliance suites compare), or null.
   */
  signature(): string | null {
    const begin = this.image.symbols.get('begin_signature');
    const end = this.image.symbols.get('end_signature');
    const ram = this.machine.ram;
    if (begin === undefined || end === undefined || end < begin || !ram.contains(begin, end - begin)) return null;
    const lines: string[] = [];
    for (let a = begin; a < end; a += 4) lines.push((ram.i32[(a - ram.base) >>> 2]! >>> 0).toString(16).padStart(8, '0'));
    return lines.join('\n') + '\n';
  }

  private boot(): void {
    if ((this.options.bios ?? 'none') === 'sbi') {
      new SbiFirmware(this.machine, this.options.consoleOut ?? (() => {})).boot(this.image.entry);
    } else {
      this.machine.bootBare(this.image.entry);
    }
  }

  /** Runs until the guest finishes, the instruction limit, or idleness with no input source. */
  runToCompletion(): NativeResult {
    const start = process.hrtime.bigint();
    const max = this.options.maxInsns ?? Infinity;
    let reason: StopReason;
    do reason = this.step(Infinity);
    while (reason.kind === 'limit' && this.machine.instret < max);
    this.wallNs += process.hrtime.bigint() - start;
    return this.result(reason);
  }

  /**
   * Runs up to `cycles` more virtual cycles (bounded by the instruction limit). Returns
   * the stop reason; `limit` when the slice ended with the guest still running, unless
   * the instruction limit was hit, which is reported as a stop of its own.
   */
  step(cycles: number): StopReason {
    const m = this.machine;
    const max = this.options.maxInsns ?? Infinity;
    const remaining = max - m.instret;
    if (remaining <= 0) return { kind: 'limit' };
    // A hart retires at most one instruction per cycle, so a slice of remaining/harts
    // cycles overshoots the limit by fewer than `harts` instructions.
    const until = m.now + Math.min(cycles, Math.ceil(remaining / m.harts.length), 2 ** 52);
    const reason = m.runUntil(until);
    if (reason.kind === 'finisher' && reason.event.kind === 'reset' && this.options.reboot) {
      this.restart();
      return { kind: 'limit' };
    }
    if (reason.kind === 'limit' && m.instret >= max) return { kind: 'limit' };
    return reason;
  }

  /** Async driver for interactive use: bursts of ~20 ms, yielding to Node in between. */
  async runInteractive(opts: { realtime?: boolean; shouldStop?: () => boolean } = {}): Promise<NativeResult> {
    const m = this.machine;
    const max = this.options.maxInsns ?? Infinity;
    const wallStart = process.hrtime.bigint();
    const virtStart = m.now;
    let burst = 2_000_000;
    for (;;) {
      if (opts.shouldStop?.()) return this.finish(wallStart, { kind: 'limit' });
      let slice = burst;
      if (opts.realtime) {
        // Do not let virtual time run ahead of the wall clock.
        const wallCycles = Number(process.hrtime.bigint() - wallStart) * (m.cpuHz / 1e9);
        const ahead = m.now - virtStart - wallCycles;
        if (ahead > 0) { await sleep(Math.min(20, (ahead / m.cpuHz) * 1000)); continue; }
        slice = Math.min(burst, m.cpuHz / 50);
      }
      const t0 = process.hrtime.bigint();
      const reason = this.step(slice);
      const dt = Number(process.hrtime.bigint() - t0) / 1e6;
      if (reason.kind === 'idle') {
        // Waiting for input that only the host can deliver: let it arrive.
        await sleep(5);
        continue;
      }
      if (reason.kind !== 'limit') return this.finish(wallStart, reason);
      if (m.instret >= max) return this.finish(wallStart, reason);
      // Aim for bursts of about 20 ms of wall time.
      burst = Math.max(100_000, Math.min(50_000_000, Math.round(burst * (20 / Math.max(dt, 0.5)))));
      await new Promise<void>((r) => setImmediate(r));
    }
  }

  private finish(wallStart: bigint, reason: StopReason): NativeResult {
    this.wallNs += process.hrtime.bigint() - wallStart;
    return this.result(reason);
  }

  private restart(): void {
    const m = this.machine;
    m.stopReason = null;
    m.code.clear();
    for (const h of m.harts) h.reset();
    loadImage(m, this.image);
    this.boot();
  }

  private result(reason: StopReason): NativeResult {
    const m = this.machine;
    const wallSeconds = Number(this.wallNs) / 1e9;
    const instructions = m.instret;
    return {
      reason,
      exitCode: exitCodeOf(reason),
      instructions,
      cycles: Math.max(m.now, ...m.harts.map((h) => h.cycles)),
      wallSeconds,
      mips: wallSeconds > 0 ? instructions / wallSeconds / 1e6 : 0,
    };
  }
}

/** Maps a stop to a process exit status, as QEMU does for the finisher. */
export function exitCodeOf(reason: StopReason): number {
  switch (reason.kind) {
    case 'finisher':
      if (reason.event.kind === 'pass' || reason.event.kind === 'reset') return 0;
      return reason.event.code === 0 ? 1 : reason.event.code;
    case 'shutdown': return reason.code;
    case 'htif': return reason.code;
    case 'limit': return EXIT_LIMIT;
    case 'idle': return EXIT_IDLE;
  }
}

export function describeStop(reason: StopReason): string {
  switch (reason.kind) {
    case 'finisher':
      if (reason.event.kind === 'pass') return 'finisher: pass';
      if (reason.event.kind === 'fail') return `finisher: fail, code ${reason.event.code}`;
      return 'finisher: reset';
    case 'shutdown': return reason.reset ? 'SBI system reset' : `SBI shutdown${reason.code ? ' (system failure)' : ''}`;
    case 'htif': return reason.code === 0 ? 'tohost: pass' : `tohost: fail, test ${reason.code}`;
    case 'limit': return 'instruction limit reached';
    case 'idle': return 'every hart is waiting and no timer or input can wake one';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
