/*
 * One RV32IMA hart: registers, CSRs, privilege modes, traps, and the interpreter loop.
 *
 * // HOT PATH: execute() runs every guest instruction. It keeps the program counter and
 * the retired-instruction count in locals, reads decoded instructions from the shared
 * CodeCache, and reaches RAM through the TLB with one compare and one XOR. Everything
 * unusual (TLB misses, devices, CSRs, traps, privileged instructions) is a method call
 * that leaves the loop or returns to it; traps are values (`trapCause`), never throws.
 *
 * Control flow of a run:
 *   Machine.round → hart.run() → [take interrupt] → execute(budget) → [take exception] → …
 * run() returns when the hart's virtual clock reaches `sliceEnd` (set by the machine),
 * when it waits in WFI with nothing pending, or when the machine asks to stop.
 *
 * Who owns M-mode: with no handler (`machine.mHandler === null`, QEMU's `-bios none`) a
 * trap into M-mode jumps to mtvec like real hardware. With a handler (the SBI firmware,
 * later the hypervisor), the hart performs the architectural trap entry and then calls
 * `handler.trap(hart)`, which must return the hart to a lower mode (`mret()`) or stop it.
 *
 * Virtual time: every retired instruction costs one cycle; trap entries cost
 * COST.TRAP_ENTRY more, and an M-mode handler charges its own work with `charge()`.
 * `cycles` therefore runs ahead of `instret` exactly by idle and charged time.
 */

import { Op, DECODED_SHIFT, DECODED_STRIDE, X_SINK } from './decode.js';
import {
  Cause, Csr, INTERRUPT_BIT, IRQ_PRIORITY, MEDELEG_WRITABLE, MIP_M_WRITABLE, MIP_SSIP, MISA_VALUE,
  Mode, Mstatus, MSTATUS_WRITABLE, S_INTERRUPTS, ALL_INTERRUPTS, SSTATUS_MASK,
} from './csr.js';
import { Access, TLB_BYTES, TLB_MASK, Tlb, translate, faultCause } from './mmu.js';
import type { MemoryArena } from './memory.js';
import type { PhysicalBus, Ram } from './bus.js';
import type { CodeCache } from './code-cache.js';
import { COST } from './costs.js';

/** What a hart needs from the machine around it. */
export interface HartHost {
  readonly bus: PhysicalBus;
  readonly code: CodeCache;
  readonly mHandler: MachineModeHandler | null;
  /** mtime as the given hart sees it now. */
  mtime(hart: Hart): number;
  /** True once the machine wants every hart to return (finisher, reset, shutdown). */
  readonly stopRequested: boolean;
  /** Called after a store to a device, so time-related state can be refreshed. */
  afterDeviceWrite(hart: Hart): void;
}

/** The software that owns M-mode when it is not the guest image itself. */
export interface MachineModeHandler {
  /**
   * A trap reached M-mode. The hart is already in M-mode with mepc, mcause, mtval and
   * mstatus.MPP/MPIE set as the hardware does. Return it to a lower mode with
   * `hart.mret()` (after adjusting mepc or registers as needed), or stop it.
   */
  trap(hart: Hart): void;
}

/**
 * An execution engine that can stand in for Hart.execute: same contract (run up to
 * `budget` instructions; return early on a trap with trapCause set and pc at the
 * faulting instruction, or after an instruction that set contextChanged or stored to
 * a device), same retired instructions and virtual time.
 */
export interface HartEngine {
  execute(budget: number): void;
}

/** Bytes of a hart's register block in its state (see Hart.stateOffset). */
export const HART_REGS_BYTES = 256;
/** Bytes of one hart's state: registers, then a Tlb per mode (index 2 unused). */
export const HART_STATE_BYTES = HART_REGS_BYTES + 4 * TLB_BYTES;

export const enum HartState { RUNNING = 0, WFI = 1, STOPPED = 2 }

if (DECODED_STRIDE !== 4 || TLB_MASK !== 0xff) {
  throw new Error('Hart.execute hard-codes DECODED_STRIDE = 4 and TLB_MASK = 0xff: update it');
}

/** Results of the slow store path. */
const STORE_RAM = 0, STORE_DEVICE = 1, STORE_TRAP = -1;

export class Hart {
  readonly id: number;
  /** x0..x31, plus slot 32 that absorbs writes to x0. */
  readonly x: Int32Array;
  /**
   * Byte offset of this hart's state in `stateBuffer`: `x` at 0 (words 33..63 are
   * scratch for translated code), then the Tlb of each mode (HART_STATE_BYTES in all).
   */
  readonly stateOffset: number;
  readonly stateBuffer: ArrayBuffer;
  pc = 0;
  mode: Mode = Mode.M;
  state: HartState = HartState.RUNNING;

  // Virtual time (see header). `inflight` is the count retired so far inside the
  // current execute() call, so slow paths can read the exact current time.
  cycles = 0;
  instret = 0;
  /** Also set by translated blocks (jit/) around their slow paths. */
  inflight = 0;
  private cycleOffset = 0;
  private instretOffset = 0;
  /** The machine sets this before run(): the virtual cycle at which to return. */
  sliceEnd = 0;

  // CSRs
  mstatus = 0;
  medeleg = 0;
  mideleg = 0;
  mie = 0;
  /** Software-writable mip bits (SSIP, STIP, SEIP); device lines are in `mipLines`. */
  mipSoft = 0;
  /** Interrupt lines driven by devices (MTIP, MSIP, MEIP, and SEIP from a PLIC). */
  mipLines = 0;
  mtvec = 0;
  stvec = 0;
  mepc = 0;
  sepc = 0;
  mcause = 0;
  scause = 0;
  mtval = 0;
  stval = 0;
  mscratch = 0;
  sscratch = 0;
  satp = 0;
  mcounteren = 0;
  scounteren = 0;
  menvcfg = 0;
  senvcfg = 0;

  /** Physical address reserved by LR, or -1. */
  reservation = -1;
  /** Pending exception raised inside execute(), or -1. */
  trapCause = -1;
  trapTval = 0;
  /** Set by slow paths that change the execution context: execute() must return. */
  contextChanged = false;
  /** RAM offset of the page execute() is fetching from (used only to decode). */
  private pageHost = 0;

  /** Per-privilege TLBs, indexed by Mode (index 2 unused). */
  readonly tlbs: Tlb[];

  /** When set, every retired instruction is reported here (slow: --trace). */
  tracer: ((hart: Hart, pc: number, raw: number) => void) | null = null;

  /** Another engine for execute() (the block translator, jit/), or null for the interpreter. */
  engine: HartEngine | null = null;

  private readonly host: HartHost;
  private readonly ram: Ram;

  /** With `memory`, the hart's state lives in the machine's shared memory (memory.ts). */
  constructor(id: number, host: HartHost, memory?: MemoryArena) {
    this.id = id;
    this.host = host;
    this.ram = host.bus.ram;
    this.stateBuffer = memory?.buffer ?? new ArrayBuffer(HART_STATE_BYTES);
    this.stateOffset = memory?.alloc(HART_STATE_BYTES) ?? 0;
    this.x = new Int32Array(this.stateBuffer, this.stateOffset, 33);
    this.tlbs = [0, 1, 2, 3].map((m) => new Tlb(this.stateBuffer, this.stateOffset + HART_REGS_BYTES + m * TLB_BYTES));
  }

  get mip(): number {
    return (this.mipSoft | this.mipLines) & ALL_INTERRUPTS;
  }

  /** The privilege used for loads and stores (mstatus.MPRV applies MPP in M-mode). */
  get dataMode(): Mode {
    if (this.mode === Mode.M && (this.mstatus & Mstatus.MPRV) !== 0) {
      return ((this.mstatus & Mstatus.MPP) >>> Mstatus.MPP_SHIFT) as Mode;
    }
    return this.mode;
  }

  /** Current virtual time of this hart in cycles, exact even inside execute(). */
  now(): number {
    return this.cycles + this.inflight;
  }

  /** Charges extra virtual cycles for work done on this hart's behalf (M-mode handlers). */
  charge(cycles: number): void {
    this.cycles += cycles;
  }

  /** Puts the hart at `pc` in `mode`, running, with a0/a1 set (boot, HSM start). */
  start(pc: number, mode: Mode, a0: number, a1: number): void {
    this.pc = pc | 0;
    this.setMode(mode);
    this.x[10] = a0;
    this.x[11] = a1;
    this.state = HartState.RUNNING;
  }

  stop(): void {
    this.state = HartState.STOPPED;
  }

  reset(): void {
    this.x.fill(0);
    this.pc = 0;
    this.mode = Mode.M;
    this.state = HartState.RUNNING;
    this.mstatus = this.medeleg = this.mideleg = this.mie = this.mipSoft = this.mipLines = 0;
    this.mtvec = this.stvec = this.mepc = this.sepc = this.mcause = this.scause = 0;
    this.mtval = this.stval = this.mscratch = this.sscratch = this.satp = 0;
    this.mcounteren = this.scounteren = this.menvcfg = this.senvcfg = 0;
    this.reservation = -1;
    this.trapCause = -1;
    this.flushTlbs();
  }

  flushTlbs(): void {
    for (const t of this.tlbs) t.flush();
  }

  // ---------------------------------------------------------------------------------
  // The run loop

  /** Runs until `sliceEnd`, WFI with nothing pending, a stopped state, or a machine stop. */
  run(): void {
    const host = this.host;
    while (this.cycles < this.sliceEnd && !host.stopRequested) {
      if (this.state !== HartState.RUNNING) {
        if (this.state === HartState.WFI && (this.mip & this.mie) !== 0) {
          this.state = HartState.RUNNING;
        } else {
          this.cycles = this.sliceEnd; // idle until the slice ends
          return;
        }
      }
      if ((this.mip & this.mie) !== 0 && this.takeInterrupt()) continue;
      const budget = this.sliceEnd - this.cycles;
      if (this.tracer !== null) this.traceOne();
      // An int32 budget keeps V8 counting in integer registers (a double here costs 2x).
      else if (this.engine !== null) this.engine.execute((budget > 0x3fffffff ? 0x3fffffff : budget) | 0);
      else this.execute((budget > 0x3fffffff ? 0x3fffffff : budget) | 0);
      if (this.trapCause >= 0) {
        const cause = this.trapCause;
        this.trapCause = -1;
        this.trap(cause, this.trapTval, false);
      }
    }
  }

  private traceOne(): void {
    const pc = this.pc;
    const pa = translate(this.ram, pc, Access.FETCH, this.mode, this.satp, this.mstatus);
    const raw = pa >= 0 && this.ram.contains(pa, 4) ? this.ram.i32[(pa - this.ram.base) >>> 2]! : 0;
    this.execute(1);
    if (this.trapCause < 0) this.tracer!(this, pc, raw);
  }

  /**
   * // HOT PATH
   * Executes up to `budget` instructions in the current privilege context. Returns early
   * on a trap (pc left at the faulting instruction, trapCause set) or after an
   * instruction that changed the context (CSR write, xRET, device store, WFI…).
   */
  execute(budget: number): void {
    // Layout constants as locals: V8 folds local constants but loads (and TDZ-checks)
    // imported module bindings on every use — measured at 1.6x on an ALU loop.
    const STRIDE = 4; // DECODED_STRIDE: slots per decoded instruction, so di = pc's page offset
    const TLBM = 0xff; // TLB_MASK
    const x = this.x;
    const ram = this.ram;
    // Few locals on purpose: whatever does not fit in registers is reloaded from the
    // stack on every use. Rarely used state (fetch TLB, page host offset) stays in fields.
    const u8 = ram.u8, u16 = ram.u16, i32 = ram.i32;
    const codePages = ram.codePages;
    const code = this.host.code;
    const dt = this.tlbs[this.dataMode]!;
    const rTag = dt.rTag, rXor = dt.rXor, wTag = dt.wTag, wXor = dt.wXor;

    // The fetch position is (fetchPage, di): pc = fetchPage + di. Falling off the end
    // of a page reaches the sentinel slot (Op.PAGE_END), and a jump to another page
    // points `page` at code.missPage, whose every slot is PAGE_END: either way the next
    // dispatch translates the new pc. Straight-line code needs no per-instruction check.
    let fetchPage = this.pc & -4096;
    let di = this.pc & 0xffc;
    let page: Int32Array = code.missPage;
    let n = 0;
    this.contextChanged = false;

    loop: while (n < budget) {
      // Slot 0 packs op | rd << 8 | rs1 << 16 | rs2 << 24: one load per dispatch.
      const r = page[di]!;
      const op = r & 0xff;

      switch (op) {
        case Op.ADDI: x[(r >>> 8) & 63] = (x[(r >>> 16) & 63]! + page[di + 1]!) | 0; di += STRIDE; break;
        case Op.LUI: x[(r >>> 8) & 63] = page[di + 1]!; di += STRIDE; break;
        case Op.AUIPC: x[(r >>> 8) & 63] = (fetchPage + di + page[di + 1]!) | 0; di += STRIDE; break;
        case Op.ADD: x[(r >>> 8) & 63] = (x[(r >>> 16) & 63]! + x[r >>> 24]!) | 0; di += STRIDE; break;
        case Op.SUB: x[(r >>> 8) & 63] = (x[(r >>> 16) & 63]! - x[r >>> 24]!) | 0; di += STRIDE; break;
        case Op.ANDI: x[(r >>> 8) & 63] = x[(r >>> 16) & 63]! & page[di + 1]!; di += STRIDE; break;
        case Op.ORI: x[(r >>> 8) & 63] = x[(r >>> 16) & 63]! | page[di + 1]!; di += STRIDE; break;
        case Op.XORI: x[(r >>> 8) & 63] = x[(r >>> 16) & 63]! ^ page[di + 1]!; di += STRIDE; break;
        case Op.SLTI: x[(r >>> 8) & 63] = x[(r >>> 16) & 63]! < page[di + 1]! ? 1 : 0; di += STRIDE; break;
        case Op.SLTIU: x[(r >>> 8) & 63] = (x[(r >>> 16) & 63]! >>> 0) < (page[di + 1]! >>> 0) ? 1 : 0; di += STRIDE; break;
        case Op.SLLI: x[(r >>> 8) & 63] = x[(r >>> 16) & 63]! << page[di + 1]!; di += STRIDE; break;
        case Op.SRLI: x[(r >>> 8) & 63] = x[(r >>> 16) & 63]! >>> page[di + 1]!; di += STRIDE; break;
        case Op.SRAI: x[(r >>> 8) & 63] = x[(r >>> 16) & 63]! >> page[di + 1]!; di += STRIDE; break;
        case Op.AND: x[(r >>> 8) & 63] = x[(r >>> 16) & 63]! & x[r >>> 24]!; di += STRIDE; break;
        case Op.OR: x[(r >>> 8) & 63] = x[(r >>> 16) & 63]! | x[r >>> 24]!; di += STRIDE; break;
        case Op.XOR: x[(r >>> 8) & 63] = x[(r >>> 16) & 63]! ^ x[r >>> 24]!; di += STRIDE; break;
        case Op.SLL: x[(r >>> 8) & 63] = x[(r >>> 16) & 63]! << (x[r >>> 24]! & 31); di += STRIDE; break;
        case Op.SRL: x[(r >>> 8) & 63] = x[(r >>> 16) & 63]! >>> (x[r >>> 24]! & 31); di += STRIDE; break;
        case Op.SRA: x[(r >>> 8) & 63] = x[(r >>> 16) & 63]! >> (x[r >>> 24]! & 31); di += STRIDE; break;
        case Op.SLT: x[(r >>> 8) & 63] = x[(r >>> 16) & 63]! < x[r >>> 24]! ? 1 : 0; di += STRIDE; break;
        case Op.SLTU: x[(r >>> 8) & 63] = (x[(r >>> 16) & 63]! >>> 0) < (x[r >>> 24]! >>> 0) ? 1 : 0; di += STRIDE; break;

        case Op.JAL: {
          const pc = (fetchPage + di) | 0;
          const t = (pc + page[di + 1]!) | 0;
          x[(r >>> 8) & 63] = (pc + 4) | 0;
          if ((t & -4096) !== fetchPage) { fetchPage = t & -4096; page = code.missPage; }
          di = t & 0xffc;
          break;
        }
        case Op.JALR: {
          const t = (x[(r >>> 16) & 63]! + page[di + 1]!) & -2;
          if ((t & 2) !== 0) { this.raise(Cause.MISALIGNED_FETCH, t); break loop; }
          x[(r >>> 8) & 63] = (fetchPage + di + 4) | 0;
          if ((t & -4096) !== fetchPage) { fetchPage = t & -4096; page = code.missPage; }
          di = t & 0xffc;
          break;
        }
        case Op.BEQ:
          if (x[(r >>> 16) & 63] === x[r >>> 24]) {
            const t = (fetchPage + di + page[di + 1]!) | 0;
            if ((t & -4096) !== fetchPage) { fetchPage = t & -4096; page = code.missPage; }
            di = t & 0xffc;
          } else di += STRIDE;
          break;
        case Op.BNE:
          if (x[(r >>> 16) & 63] !== x[r >>> 24]) {
            const t = (fetchPage + di + page[di + 1]!) | 0;
            if ((t & -4096) !== fetchPage) { fetchPage = t & -4096; page = code.missPage; }
            di = t & 0xffc;
          } else di += STRIDE;
          break;
        case Op.BLT:
          if (x[(r >>> 16) & 63]! < x[r >>> 24]!) {
            const t = (fetchPage + di + page[di + 1]!) | 0;
            if ((t & -4096) !== fetchPage) { fetchPage = t & -4096; page = code.missPage; }
            di = t & 0xffc;
          } else di += STRIDE;
          break;
        case Op.BGE:
          if (x[(r >>> 16) & 63]! >= x[r >>> 24]!) {
            const t = (fetchPage + di + page[di + 1]!) | 0;
            if ((t & -4096) !== fetchPage) { fetchPage = t & -4096; page = code.missPage; }
            di = t & 0xffc;
          } else di += STRIDE;
          break;
        case Op.BLTU:
          if ((x[(r >>> 16) & 63]! >>> 0) < (x[r >>> 24]! >>> 0)) {
            const t = (fetchPage + di + page[di + 1]!) | 0;
            if ((t & -4096) !== fetchPage) { fetchPage = t & -4096; page = code.missPage; }
            di = t & 0xffc;
          } else di += STRIDE;
          break;
        case Op.BGEU:
          if ((x[(r >>> 16) & 63]! >>> 0) >= (x[r >>> 24]! >>> 0)) {
            const t = (fetchPage + di + page[di + 1]!) | 0;
            if ((t & -4096) !== fetchPage) { fetchPage = t & -4096; page = code.missPage; }
            di = t & 0xffc;
          } else di += STRIDE;
          break;

        case Op.LW: {
          const va = (x[(r >>> 16) & 63]! + page[di + 1]!) | 0;
          const vpn = va >>> 12, ti = vpn & TLBM;
          if (rTag[ti] === vpn && (va & 3) === 0) x[(r >>> 8) & 63] = i32[((va ^ rXor[ti]!) >>> 2)]!;
          else {
            this.inflight = n;
            const v = this.loadSlow(va, 4);
            if (this.trapCause >= 0) break loop;
            x[(r >>> 8) & 63] = v;
          }
          di += STRIDE;
          break;
        }
        case Op.LBU: {
          const va = (x[(r >>> 16) & 63]! + page[di + 1]!) | 0;
          const vpn = va >>> 12, ti = vpn & TLBM;
          if (rTag[ti] === vpn) x[(r >>> 8) & 63] = u8[(va ^ rXor[ti]!) >>> 0]!;
          else {
            this.inflight = n;
            const v = this.loadSlow(va, 1);
            if (this.trapCause >= 0) break loop;
            x[(r >>> 8) & 63] = v & TLBM;
          }
          di += STRIDE;
          break;
        }
        case Op.LB: {
          const va = (x[(r >>> 16) & 63]! + page[di + 1]!) | 0;
          const vpn = va >>> 12, ti = vpn & TLBM;
          if (rTag[ti] === vpn) x[(r >>> 8) & 63] = (u8[(va ^ rXor[ti]!) >>> 0]! << 24) >> 24;
          else {
            this.inflight = n;
            const v = this.loadSlow(va, 1);
            if (this.trapCause >= 0) break loop;
            x[(r >>> 8) & 63] = (v << 24) >> 24;
          }
          di += STRIDE;
          break;
        }
        case Op.LHU: {
          const va = (x[(r >>> 16) & 63]! + page[di + 1]!) | 0;
          const vpn = va >>> 12, ti = vpn & TLBM;
          if (rTag[ti] === vpn && (va & 1) === 0) x[(r >>> 8) & 63] = u16[(va ^ rXor[ti]!) >>> 1]!;
          else {
            this.inflight = n;
            const v = this.loadSlow(va, 2);
            if (this.trapCause >= 0) break loop;
            x[(r >>> 8) & 63] = v & 0xffff;
          }
          di += STRIDE;
          break;
        }
        case Op.LH: {
          const va = (x[(r >>> 16) & 63]! + page[di + 1]!) | 0;
          const vpn = va >>> 12, ti = vpn & TLBM;
          if (rTag[ti] === vpn && (va & 1) === 0) x[(r >>> 8) & 63] = (u16[(va ^ rXor[ti]!) >>> 1]! << 16) >> 16;
          else {
            this.inflight = n;
            const v = this.loadSlow(va, 2);
            if (this.trapCause >= 0) break loop;
            x[(r >>> 8) & 63] = (v << 16) >> 16;
          }
          di += STRIDE;
          break;
        }
        case Op.SW: {
          const va = (x[(r >>> 16) & 63]! + page[di + 1]!) | 0;
          const vpn = va >>> 12, ti = vpn & TLBM;
          if (wTag[ti] === vpn && (va & 3) === 0) {
            const h = (va ^ wXor[ti]!) >>> 0;
            i32[h >>> 2] = x[r >>> 24]!;
            if (codePages[h >>> 12] !== 0) code.invalidate(h, 4);
          } else {
            this.inflight = n;
            const st = this.storeSlow(va, 4, x[r >>> 24]!);
            if (st < 0) break loop; // STORE_TRAP
            if (st > 0) { di += STRIDE; n++; break loop; } // STORE_DEVICE
          }
          di += STRIDE;
          break;
        }
        case Op.SB: {
          const va = (x[(r >>> 16) & 63]! + page[di + 1]!) | 0;
          const vpn = va >>> 12, ti = vpn & TLBM;
          if (wTag[ti] === vpn) {
            const h = (va ^ wXor[ti]!) >>> 0;
            u8[h] = x[r >>> 24]!;
            if (codePages[h >>> 12] !== 0) code.invalidate(h, 1);
          } else {
            this.inflight = n;
            const st = this.storeSlow(va, 1, x[r >>> 24]!);
            if (st < 0) break loop; // STORE_TRAP
            if (st > 0) { di += STRIDE; n++; break loop; } // STORE_DEVICE
          }
          di += STRIDE;
          break;
        }
        case Op.SH: {
          const va = (x[(r >>> 16) & 63]! + page[di + 1]!) | 0;
          const vpn = va >>> 12, ti = vpn & TLBM;
          if (wTag[ti] === vpn && (va & 1) === 0) {
            const h = (va ^ wXor[ti]!) >>> 0;
            u16[h >>> 1] = x[r >>> 24]!;
            if (codePages[h >>> 12] !== 0) code.invalidate(h, 2);
          } else {
            this.inflight = n;
            const st = this.storeSlow(va, 2, x[r >>> 24]!);
            if (st < 0) break loop; // STORE_TRAP
            if (st > 0) { di += STRIDE; n++; break loop; } // STORE_DEVICE
          }
          di += STRIDE;
          break;
        }

        case Op.MUL: x[(r >>> 8) & 63] = Math.imul(x[(r >>> 16) & 63]!, x[r >>> 24]!); di += STRIDE; break;
        case Op.MULH: x[(r >>> 8) & 63] = mulh(x[(r >>> 16) & 63]!, x[r >>> 24]!); di += STRIDE; break;
        case Op.MULHSU: x[(r >>> 8) & 63] = mulhsu(x[(r >>> 16) & 63]!, x[r >>> 24]!); di += STRIDE; break;
        case Op.MULHU: x[(r >>> 8) & 63] = mulhu(x[(r >>> 16) & 63]!, x[r >>> 24]!); di += STRIDE; break;
        case Op.DIV: {
          const a = x[(r >>> 16) & 63]!, b = x[r >>> 24]!;
          x[(r >>> 8) & 63] = b === 0 ? -1 : a === -0x80000000 && b === -1 ? a : (a / b) | 0;
          di += STRIDE;
          break;
        }
        case Op.DIVU: {
          const a = x[(r >>> 16) & 63]! >>> 0, b = x[r >>> 24]! >>> 0;
          x[(r >>> 8) & 63] = b === 0 ? -1 : (a / b) >>> 0;
          di += STRIDE;
          break;
        }
        case Op.REM: {
          const a = x[(r >>> 16) & 63]!, b = x[r >>> 24]!;
          x[(r >>> 8) & 63] = b === 0 ? a : b === -1 ? 0 : (a % b) | 0;
          di += STRIDE;
          break;
        }
        case Op.REMU: {
          const a = x[(r >>> 16) & 63]! >>> 0, b = x[r >>> 24]! >>> 0;
          x[(r >>> 8) & 63] = b === 0 ? a : (a % b) | 0;
          di += STRIDE;
          break;
        }

        case Op.FENCE:
        case Op.FENCE_I:
          // Memory is sequentially consistent here, and the decode cache is kept
          // coherent with every store, so both fences have nothing left to do.
          di += STRIDE;
          break;

        case Op.BRANCH_MISALIGNED:
        case Op.JAL_MISALIGNED: {
          const target = (fetchPage + di + page[di + 1]!) | 0;
          if (op === Op.JAL_MISALIGNED || branchTaken(page[di + 3]!, x[(r >>> 16) & 63]!, x[r >>> 24]!)) {
            this.raise(Cause.MISALIGNED_FETCH, target);
            break loop;
          }
          di += STRIDE;
          break;
        }

        case Op.ILLEGAL:
          this.raise(Cause.ILLEGAL_INSTRUCTION, page[di + 2]!);
          break loop;

        case Op.UNDECODED:
          // First execution of this word since it was written: decode, then dispatch.
          code.decode(page, di, this.pageHost + di);
          continue loop;

        case Op.PAGE_END: {
          // Fetch from a new page: translate pc, then dispatch from its decoded page.
          const pc = (fetchPage + di) | 0;
          fetchPage = pc & -4096;
          di = pc & 0xffc;
          const vpn = pc >>> 12, ti = vpn & TLBM;
          const ft = this.tlbs[this.mode]!;
          let host: number;
          if (ft.xTag[ti] === vpn) {
            host = (fetchPage ^ ft.xXor[ti]!) >>> 0;
          } else {
            this.inflight = n;
            host = this.fetchMiss(pc);
            if (host < 0) break loop;
          }
          this.pageHost = host;
          page = code.page(host >>> 12);
          continue loop; // nothing retired
        }

        default: {
          // Everything below is rare: system instructions, CSRs and atomics.
          this.pc = (fetchPage + di) | 0;
          this.inflight = n;
          this.executeSlow(op, page, di);
          if (this.trapCause >= 0) break loop;
          n++;
          const t = this.pc;
          if ((t & -4096) !== fetchPage) { fetchPage = t & -4096; page = code.missPage; }
          di = t & 0xffc;
          if (this.contextChanged) break loop;
          continue loop;
        }
      }
      n++;
    }
    this.pc = (fetchPage + di) | 0;
    this.cycles += n;
    this.instret += n;
    this.inflight = 0;
  }

  /** System, CSR and atomic instructions. Advances this.pc unless it traps. */
  private executeSlow(op: Op, page: Int32Array, di: number): void {
    const x = this.x;
    const w = page[di]!;
    const rd = (w >>> 8) & 63, rs1 = (w >>> 16) & 63, rs2 = w >>> 24, imm = page[di + 1]!;
    switch (op) {
      case Op.CSRRW: case Op.CSRRS: case Op.CSRRC:
      case Op.CSRRWI: case Op.CSRRSI: case Op.CSRRCI: {
        const immForm = op === Op.CSRRWI || op === Op.CSRRSI || op === Op.CSRRCI;
        const src = immForm ? rs1 : x[rs1]!;
        const isWrite = op === Op.CSRRW || op === Op.CSRRWI;
        // csrrw with rd = x0 does not read; csrrs/csrrc with a zero source do not write.
        const writes = isWrite || rs1 !== 0;
        const reads = !isWrite || rd !== X_SINK;
        if (!this.csrAccessible(imm, writes)) {
          this.raise(Cause.ILLEGAL_INSTRUCTION, page[di + 2]!);
          return;
        }
        const old = reads ? this.csrRead(imm) : 0;
        if (writes) {
          const value = isWrite ? src : op === Op.CSRRS || op === Op.CSRRSI ? old | src : old & ~src;
          this.csrWrite(imm, value);
          this.contextChanged = true;
        }
        x[rd] = old;
        this.pc = (this.pc + 4) | 0;
        return;
      }
      case Op.ECALL:
        this.raise(this.mode === Mode.U ? Cause.ECALL_U : this.mode === Mode.S ? Cause.ECALL_S : Cause.ECALL_M, 0);
        return;
      case Op.EBREAK:
        // mtval 0: the spec allows 0 or the pc; QEMU 7.2 writes 0.
        this.raise(Cause.BREAKPOINT, 0);
        return;
      case Op.MRET:
        if (this.mode !== Mode.M) { this.raise(Cause.ILLEGAL_INSTRUCTION, page[di + 2]!); return; }
        this.mret();
        return;
      case Op.SRET:
        if (this.mode === Mode.U || (this.mode === Mode.S && (this.mstatus & Mstatus.TSR) !== 0)) {
          this.raise(Cause.ILLEGAL_INSTRUCTION, page[di + 2]!);
          return;
        }
        this.sret();
        return;
      case Op.WFI:
        if (this.mode === Mode.U || (this.mode === Mode.S && (this.mstatus & Mstatus.TW) !== 0)) {
          this.raise(Cause.ILLEGAL_INSTRUCTION, page[di + 2]!);
          return;
        }
        this.pc = (this.pc + 4) | 0;
        if ((this.mip & this.mie) === 0) this.state = HartState.WFI;
        this.contextChanged = true;
        return;
      case Op.SFENCE_VMA:
        if (this.mode === Mode.U || (this.mode === Mode.S && (this.mstatus & Mstatus.TVM) !== 0)) {
          this.raise(Cause.ILLEGAL_INSTRUCTION, page[di + 2]!);
          return;
        }
        if (rs1 === 0) { this.tlbs[Mode.S]!.flush(); this.tlbs[Mode.U]!.flush(); }
        else { this.tlbs[Mode.S]!.flushPage(x[rs1]!); this.tlbs[Mode.U]!.flushPage(x[rs1]!); }
        this.pc = (this.pc + 4) | 0;
        this.contextChanged = true;
        return;
      case Op.LR_W: {
        const va = x[rs1]!;
        if ((va & 3) !== 0) { this.raise(Cause.MISALIGNED_LOAD, va >>> 0); return; }
        const pa = this.translateData(va, Access.LOAD);
        if (pa < 0) return;
        if (!this.ram.contains(pa, 4)) { this.raise(Cause.LOAD_ACCESS, va >>> 0); return; }
        x[rd] = this.ram.i32[(pa - this.ram.base) >>> 2]!;
        this.reservation = pa;
        this.pc = (this.pc + 4) | 0;
        return;
      }
      case Op.SC_W: {
        const va = x[rs1]!;
        if ((va & 3) !== 0) { this.raise(Cause.MISALIGNED_STORE, va >>> 0); return; }
        const pa = this.translateData(va, Access.STORE);
        if (pa < 0) return;
        if (!this.ram.contains(pa, 4)) { this.raise(Cause.STORE_ACCESS, va >>> 0); return; }
        if (this.reservation === pa) {
          const off = pa - this.ram.base;
          this.ram.i32[off >>> 2] = x[rs2]!;
          if (this.ram.codePages[off >>> 12] !== 0) this.host.code.invalidate(off, 4);
          x[rd] = 0;
        } else {
          x[rd] = 1;
        }
        this.reservation = -1;
        this.pc = (this.pc + 4) | 0;
        return;
      }
      default: {
        // AMOs: read-modify-write of an aligned word, translated with store permission.
        const va = x[rs1]!;
        if ((va & 3) !== 0) { this.raise(Cause.MISALIGNED_STORE, va >>> 0); return; }
        const pa = this.translateData(va, Access.STORE);
        if (pa < 0) return;
        if (!this.ram.contains(pa, 4)) { this.raise(Cause.STORE_ACCESS, va >>> 0); return; }
        const off = pa - this.ram.base;
        const i32 = this.ram.i32;
        const old = i32[off >>> 2]!;
        const src = x[rs2]!;
        i32[off >>> 2] = amo(op, old, src);
        if (this.ram.codePages[off >>> 12] !== 0) this.host.code.invalidate(off, 4);
        x[rd] = old;
        this.pc = (this.pc + 4) | 0;
        return;
      }
    }
  }

  // ---------------------------------------------------------------------------------
  // Memory slow paths

  /** Records an exception for the instruction at this.pc; execute() leaves its loop. */
  raise(cause: number, tval: number): void {
    this.trapCause = cause;
    this.trapTval = tval | 0;
  }

  /** Translates a data address in the current data context; raises and returns -1 on fault. */
  private translateData(va: number, access: Access): number {
    const pa = translate(this.ram, va, access, this.dataMode, this.satp, this.mstatus);
    if (pa < 0) { this.raise(faultCause(pa), va >>> 0); return -1; }
    return pa;
  }

  /** Instruction fetch TLB miss: returns the RAM offset of the page, or -1 after raising. */
  private fetchMiss(pc: number): number {
    const pa = translate(this.ram, pc, Access.FETCH, this.mode, this.satp, this.mstatus);
    if (pa < 0) { this.raise(faultCause(pa), pc >>> 0); return -1; }
    if (!this.ram.contains(pa, 4)) { this.raise(Cause.FETCH_ACCESS, pc >>> 0); return -1; }
    const hostPage = (pa - this.ram.base) & -4096;
    this.tlbs[this.mode]!.fill(Access.FETCH, pc, hostPage);
    return hostPage >>> 0;
  }

  /**
   * Loads that missed the TLB, touch a device, or are misaligned. Misaligned loads are
   * performed (as QEMU does for RAM), byte by byte, after checking every byte's page.
   * Returns the value zero-extended; the caller sign-extends.
   */
  loadSlow(va: number, size: number): number {
    const mode = this.dataMode;
    if ((va & (size - 1)) !== 0) return this.misaligned(va, size, Access.LOAD, 0);
    const pa = translate(this.ram, va, Access.LOAD, mode, this.satp, this.mstatus);
    if (pa < 0) { this.raise(faultCause(pa), va >>> 0); return 0; }
    const ram = this.ram;
    if (ram.contains(pa, size)) {
      const off = pa - ram.base;
      this.tlbs[mode]!.fill(Access.LOAD, va, off & -4096);
      return size === 4 ? ram.i32[off >>> 2]! : size === 2 ? ram.u16[off >>> 1]! : ram.u8[off]!;
    }
    const v = this.host.bus.read(pa, size);
    if (this.host.bus.faulted) { this.raise(Cause.LOAD_ACCESS, va >>> 0); return 0; }
    return v | 0;
  }

  /** Stores that missed the TLB, touch a device, or are misaligned. */
  storeSlow(va: number, size: number, value: number): number {
    const mode = this.dataMode;
    if ((va & (size - 1)) !== 0) {
      this.misaligned(va, size, Access.STORE, value);
      return this.trapCause >= 0 ? STORE_TRAP : STORE_RAM;
    }
    const pa = translate(this.ram, va, Access.STORE, mode, this.satp, this.mstatus);
    if (pa < 0) { this.raise(faultCause(pa), va >>> 0); return STORE_TRAP; }
    const ram = this.ram;
    if (ram.contains(pa, size)) {
      const off = pa - ram.base;
      this.tlbs[mode]!.fill(Access.STORE, va, off & -4096);
      if (size === 4) ram.i32[off >>> 2] = value;
      else if (size === 2) ram.u16[off >>> 1] = value;
      else ram.u8[off] = value;
      if (ram.codePages[off >>> 12] !== 0) this.host.code.invalidate(off, size);
      return STORE_RAM;
    }
    this.host.bus.write(pa, size, value);
    if (this.host.bus.faulted) { this.raise(Cause.STORE_ACCESS, va >>> 0); return STORE_TRAP; }
    this.host.afterDeviceWrite(this);
    return STORE_DEVICE;
  }

  /**
   * A misaligned access, done byte by byte once every byte is known to be reachable.
   * A fault reports the address of the first byte that faulted (the part of the access
   * that caused it, as the privileged spec asks and QEMU does), not the access's start.
   */
  private misaligned(va: number, size: number, access: Access, value: number): number {
    const pas: number[] = [];
    for (let i = 0; i < size; i++) {
      const a = (va + i) | 0;
      const pa = translate(this.ram, a, access, this.dataMode, this.satp, this.mstatus);
      if (pa < 0) { this.raise(faultCause(pa), a >>> 0); return 0; }
      if (!this.ram.contains(pa)) {
        this.raise(access === Access.LOAD ? Cause.LOAD_ACCESS : Cause.STORE_ACCESS, a >>> 0);
        return 0;
      }
      pas.push(pa);
    }
    const ram = this.ram;
    let v = 0;
    for (let i = 0; i < size; i++) {
      const off = pas[i]! - ram.base;
      if (access === Access.LOAD) v |= ram.u8[off]! << (8 * i);
      else {
        ram.u8[off] = value >>> (8 * i);
        if (ram.codePages[off >>> 12] !== 0) this.host.code.invalidate(off, 1);
      }
    }
    return v;
  }

  // ---------------------------------------------------------------------------------
  // Traps

  /** Takes the highest-priority pending and enabled interrupt, if any. */
  private takeInterrupt(): boolean {
    const pending = this.mip & this.mie;
    const mEnabled = this.mode < Mode.M || (this.mstatus & Mstatus.MIE) !== 0;
    const sEnabled = this.mode < Mode.S || (this.mode === Mode.S && (this.mstatus & Mstatus.SIE) !== 0);
    const mPending = mEnabled ? pending & ~this.mideleg : 0;
    const sPending = sEnabled ? pending & this.mideleg : 0;
    const candidates = mPending !== 0 ? mPending : sPending;
    if (candidates === 0) return false;
    for (const irq of IRQ_PRIORITY) {
      if ((candidates & (1 << irq)) !== 0) {
        this.trap(irq, 0, true);
        return true;
      }
    }
    return false;
  }

  /** Architectural trap entry, then the M-mode handler if one owns M-mode. */
  trap(cause: number, tval: number, interrupt: boolean): void {
    const delegated = interrupt ? this.mideleg : this.medeleg;
    const causeValue = interrupt ? (cause | INTERRUPT_BIT) >>> 0 : cause;
    this.cycles += COST.TRAP_ENTRY;
    this.reservation = -1;
    this.state = HartState.RUNNING;
    if (this.mode <= Mode.S && (delegated & (1 << cause)) !== 0) {
      this.sepc = this.pc;
      this.scause = causeValue | 0;
      this.stval = tval;
      let s = this.mstatus & ~(Mstatus.SPIE | Mstatus.SIE | Mstatus.SPP);
      if (this.mstatus & Mstatus.SIE) s |= Mstatus.SPIE;
      if (this.mode === Mode.S) s |= Mstatus.SPP;
      this.mstatus = s;
      this.setMode(Mode.S);
      this.pc = vectorTarget(this.stvec, cause, interrupt);
      return;
    }
    this.mepc = this.pc;
    this.mcause = causeValue | 0;
    this.mtval = tval;
    let m = this.mstatus & ~(Mstatus.MPIE | Mstatus.MIE | Mstatus.MPP);
    if (this.mstatus & Mstatus.MIE) m |= Mstatus.MPIE;
    m |= this.mode << Mstatus.MPP_SHIFT;
    this.mstatus = m;
    this.setMode(Mode.M);
    this.pc = vectorTarget(this.mtvec, cause, interrupt);
    const handler = this.host.mHandler;
    if (handler !== null) {
      handler.trap(this);
      if (this.mode === Mode.M && this.state === HartState.RUNNING) {
        throw new Error(`M-mode handler left hart ${this.id} running in M-mode (cause 0x${causeValue.toString(16)})`);
      }
    }
  }

  /** MRET: return to mstatus.MPP, restoring MIE from MPIE. */
  mret(): void {
    const mpp = ((this.mstatus & Mstatus.MPP) >>> Mstatus.MPP_SHIFT) as Mode;
    let m = this.mstatus & ~(Mstatus.MIE | Mstatus.MPP);
    if (this.mstatus & Mstatus.MPIE) m |= Mstatus.MIE;
    m |= Mstatus.MPIE;
    if (mpp !== Mode.M) m &= ~Mstatus.MPRV;
    this.mstatus = m;
    this.pc = this.mepc;
    this.setMode(mpp);
    this.contextChanged = true;
  }

  /** SRET: return to sstatus.SPP, restoring SIE from SPIE. */
  sret(): void {
    const spp = (this.mstatus & Mstatus.SPP) !== 0 ? Mode.S : Mode.U;
    let m = this.mstatus & ~(Mstatus.SIE | Mstatus.SPP | Mstatus.MPRV);
    if (this.mstatus & Mstatus.SPIE) m |= Mstatus.SIE;
    m |= Mstatus.SPIE;
    this.mstatus = m;
    this.pc = this.sepc;
    this.setMode(spp);
    this.contextChanged = true;
  }

  setMode(mode: Mode): void {
    this.mode = mode;
  }

  // ---------------------------------------------------------------------------------
  // CSRs

  /** Privilege, read-only and trap-virtualisation checks of a CSR access. */
  private csrAccessible(csr: number, writes: boolean): boolean {
    const minMode = (csr >>> 8) & 3;
    if (this.mode < minMode) return false;
    if (writes && (csr >>> 10) === 3) return false;
    if (csr === Csr.SATP && this.mode === Mode.S && (this.mstatus & Mstatus.TVM) !== 0) return false;
    if ((csr >= 0xc00 && csr <= 0xc1f) || (csr >= 0xc80 && csr <= 0xc9f)) {
      const bit = 1 << (csr & 0x1f);
      if (this.mode < Mode.M && (this.mcounteren & bit) === 0) return false;
      if (this.mode === Mode.U && (this.scounteren & bit) === 0) return false;
    }
    return this.csrExists(csr);
  }

  private csrExists(csr: number): boolean {
    if ((csr >= 0xc03 && csr <= 0xc1f) || (csr >= 0xc83 && csr <= 0xc9f)) return true; // hpmcounterN(h)
    if ((csr >= 0xb03 && csr <= 0xb1f) || (csr >= 0xb83 && csr <= 0xb9f)) return true; // mhpmcounterN(h)
    if (csr >= 0x323 && csr <= 0x33f) return true; // mhpmevent3..31
    if (csr >= 0x3a0 && csr <= 0x3ef) return true; // pmpcfg / pmpaddr: no PMP entries
    switch (csr) {
      case Csr.CYCLE: case Csr.TIME: case Csr.INSTRET: case Csr.CYCLEH: case Csr.TIMEH: case Csr.INSTRETH:
      case Csr.SSTATUS: case Csr.SIE: case Csr.STVEC: case Csr.SCOUNTEREN: case Csr.SENVCFG:
      case Csr.SSCRATCH: case Csr.SEPC: case Csr.SCAUSE: case Csr.STVAL: case Csr.SIP: case Csr.SATP:
      case Csr.MVENDORID: case Csr.MARCHID: case Csr.MIMPID: case Csr.MHARTID: case Csr.MCONFIGPTR:
      case Csr.MSTATUS: case Csr.MISA: case Csr.MEDELEG: case Csr.MIDELEG: case Csr.MIE: case Csr.MTVEC:
      case Csr.MCOUNTEREN: case Csr.MENVCFG: case Csr.MSTATUSH: case Csr.MENVCFGH: case Csr.MCOUNTINHIBIT:
      case Csr.MSCRATCH: case Csr.MEPC: case Csr.MCAUSE: case Csr.MTVAL: case Csr.MIP:
      case Csr.MCYCLE: case Csr.MINSTRET: case Csr.MCYCLEH: case Csr.MINSTRETH:
        return true;
      default:
        return false;
    }
  }

  private cycleCount(): number { return this.now() + this.cycleOffset; }
  private instretCount(): number { return this.instret + this.inflight + this.instretOffset; }

  csrRead(csr: number): number {
    switch (csr) {
      case Csr.CYCLE: case Csr.MCYCLE: return lo32(this.cycleCount());
      case Csr.CYCLEH: case Csr.MCYCLEH: return hi32(this.cycleCount());
      case Csr.INSTRET: case Csr.MINSTRET: return lo32(this.instretCount());
      case Csr.INSTRETH: case Csr.MINSTRETH: return hi32(this.instretCount());
      case Csr.TIME: return lo32(this.host.mtime(this));
      case Csr.TIMEH: return hi32(this.host.mtime(this));
      case Csr.SSTATUS: return this.mstatus & SSTATUS_MASK;
      case Csr.SIE: return this.mie & this.mideleg;
      case Csr.STVEC: return this.stvec;
      case Csr.SCOUNTEREN: return this.scounteren;
      case Csr.SENVCFG: return this.senvcfg;
      case Csr.SSCRATCH: return this.sscratch;
      case Csr.SEPC: return this.sepc;
      case Csr.SCAUSE: return this.scause;
      case Csr.STVAL: return this.stval;
      case Csr.SIP: return this.mip & this.mideleg;
      case Csr.SATP: return this.satp;
      case Csr.MHARTID: return this.id;
      case Csr.MSTATUS: return this.mstatus;
      case Csr.MISA: return MISA_VALUE;
      case Csr.MEDELEG: return this.medeleg;
      case Csr.MIDELEG: return this.mideleg;
      case Csr.MIE: return this.mie;
      case Csr.MTVEC: return this.mtvec;
      case Csr.MCOUNTEREN: return this.mcounteren;
      case Csr.MENVCFG: return this.menvcfg;
      case Csr.MSCRATCH: return this.mscratch;
      case Csr.MEPC: return this.mepc;
      case Csr.MCAUSE: return this.mcause;
      case Csr.MTVAL: return this.mtval;
      case Csr.MIP: return this.mip;
      default: return 0; // read-only zero: ids, hpm counters, PMP, mstatush, envcfgh…
    }
  }

  csrWrite(csr: number, value: number): void {
    value |= 0;
    switch (csr) {
      case Csr.SSTATUS: this.writeMstatus((this.mstatus & ~SSTATUS_MASK) | (value & SSTATUS_MASK)); return;
      case Csr.SIE: this.mie = (this.mie & ~this.mideleg) | (value & this.mideleg); return;
      case Csr.STVEC: this.stvec = legalTvec(value, this.stvec); return;
      case Csr.SCOUNTEREN: this.scounteren = value & 7; return;
      case Csr.SENVCFG: this.senvcfg = 0; return;
      case Csr.SSCRATCH: this.sscratch = value; return;
      case Csr.SEPC: this.sepc = value & -4; return;
      case Csr.SCAUSE: this.scause = value; return;
      case Csr.STVAL: this.stval = value; return;
      case Csr.SIP: {
        // Only SSIP is writable from S-mode, and only when delegated.
        const mask = this.mideleg & MIP_SSIP;
        this.mipSoft = (this.mipSoft & ~mask) | (value & mask);
        return;
      }
      case Csr.SATP:
        // Only Sv32 or Bare; 9 ASID bits are kept (ASIDs are not used to tag the TLB).
        this.satp = value;
        this.tlbs[Mode.S]!.flush();
        this.tlbs[Mode.U]!.flush();
        return;
      case Csr.MSTATUS: this.writeMstatus(value); return;
      case Csr.MEDELEG: this.medeleg = value & MEDELEG_WRITABLE; return;
      case Csr.MIDELEG: this.mideleg = value & S_INTERRUPTS; return;
      case Csr.MIE: this.mie = value & ALL_INTERRUPTS; return;
      case Csr.MTVEC: this.mtvec = legalTvec(value, this.mtvec); return;
      case Csr.MCOUNTEREN: this.mcounteren = value & 7; return;
      case Csr.MSCRATCH: this.mscratch = value; return;
      case Csr.MEPC: this.mepc = value & -4; return;
      case Csr.MCAUSE: this.mcause = value; return;
      case Csr.MTVAL: this.mtval = value; return;
      case Csr.MIP: this.mipSoft = (this.mipSoft & ~MIP_M_WRITABLE) | (value & MIP_M_WRITABLE); return;
      // The writing instruction has not retired yet: its own increment is replaced by
      // the write (Zicsr), so the next instruction reads exactly `value`.
      case Csr.MCYCLE: this.cycleOffset += (value >>> 0) - lo32u(this.cycleCount() + 1); return;
      case Csr.MCYCLEH: this.cycleOffset += ((value >>> 0) - hi32u(this.cycleCount())) * 0x100000000; return;
      case Csr.MINSTRET: this.instretOffset += (value >>> 0) - lo32u(this.instretCount() + 1); return;
      case Csr.MINSTRETH: this.instretOffset += ((value >>> 0) - hi32u(this.instretCount())) * 0x100000000; return;
      default: return; // WARL fields fixed at zero
    }
  }

  private writeMstatus(value: number): void {
    let v = (this.mstatus & ~MSTATUS_WRITABLE) | (value & MSTATUS_WRITABLE);
    // MPP is WARL over {U, S, M}: the reserved value 2 leaves the field unchanged.
    if (((v & Mstatus.MPP) >>> Mstatus.MPP_SHIFT) === 2) v = (v & ~Mstatus.MPP) | (this.mstatus & Mstatus.MPP);
    const changed = v ^ this.mstatus;
    this.mstatus = v;
    // SUM and MXR change what S (and U, for MXR) may touch; MPRV/MPP change M's data view.
    if ((changed & (Mstatus.SUM | Mstatus.MXR)) !== 0) {
      this.tlbs[Mode.S]!.flush();
      this.tlbs[Mode.U]!.flush();
    }
  }
}

// -------------------------------------------------------------------------------------
// Helpers (pure functions of int32 values)

function vectorTarget(tvec: number, cause: number, interrupt: boolean): number {
  const base = tvec & -4;
  return (tvec & 3) === 1 && interrupt ? (base + 4 * cause) | 0 : base;
}

/** xtvec: mode 0 (direct) or 1 (vectored); a reserved mode keeps the old value. */
function legalTvec(value: number, old: number): number {
  return (value & 3) >= 2 ? old : value;
}

function branchTaken(funct3: number, a: number, b: number): boolean {
  switch (funct3) {
    case 0: return a === b;
    case 1: return a !== b;
    case 4: return a < b;
    case 5: return a >= b;
    case 6: return (a >>> 0) < (b >>> 0);
    default: return (a >>> 0) >= (b >>> 0);
  }
}

/** High 32 bits of the unsigned 64-bit product, in 16-bit limbs (exact in doubles). */
export function mulhu(a: number, b: number): number {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
}

export function mulh(a: number, b: number): number {
  return (mulhu(a, b) - (a < 0 ? b : 0) - (b < 0 ? a : 0)) | 0;
}

export function mulhsu(a: number, b: number): number {
  return (mulhu(a, b) - (a < 0 ? b : 0)) | 0;
}

function amo(op: Op, old: number, src: number): number {
  switch (op) {
    case Op.AMOSWAP_W: return src;
    case Op.AMOADD_W: return (old + src) | 0;
    case Op.AMOXOR_W: return old ^ src;
    case Op.AMOAND_W: return old & src;
    case Op.AMOOR_W: return old | src;
    case Op.AMOMIN_W: return old < src ? old : src;
    case Op.AMOMAX_W: return old > src ? old : src;
    case Op.AMOMINU_W: return (old >>> 0) < (src >>> 0) ? old : src;
    case Op.AMOMAXU_W: return (old >>> 0) > (src >>> 0) ? old : src;
    default: throw new Error(`not an AMO: ${op}`);
  }
}

const lo32 = (v: number): number => (v % 0x100000000) | 0;
const hi32 = (v: number): number => Math.floor(v / 0x100000000) | 0;
const lo32u = (v: number): number => v % 0x100000000;
const hi32u = (v: number): number => Math.floor(v / 0x100000000) % 0x100000000;
