/*
 * A small SBI firmware written in TypeScript: the machine's M-mode software when tsxen
 * runs a native S-mode kernel (the baseline every hypervisor figure is measured against).
 * It plays OpenSBI's role on QEMU virt: it starts the kernel in S-mode on hart 0 with
 * a0 = hartid, a1 = device-tree pointer (0: no device tree yet), delegates the traps a
 * kernel handles itself, and answers SBI calls (ecall from S-mode) per the SBI spec 2.0:
 *
 *   Base (0x10)         spec/impl versions, probe_extension, machine ids
 *   TIME (0x54494D45)   set_timer: programs mtimecmp; the M timer interrupt becomes STIP
 *   IPI (0x735049)      send_ipi: raises SSIP on the target harts
 *   RFENCE (0x52464E43) remote fence.i / sfence.vma: flushes the targets' TLBs
 *   HSM (0x48534D)      hart_start / hart_stop / hart_get_status
 *   SRST (0x53525354)   system_reset: shutdown or reboot, reason → exit status
 *   DBCN (0x4442434E)   console write / read / write_byte
 *   legacy 0x00–0x08    set_timer, console_putchar, console_getchar, shutdown, …
 *
 * Every call is charged COST_SBI_CALL cycles of virtual time (DESIGN.md §4).
 */

import type { Hart, MachineModeHandler } from '../../machine/rv32/hart.js';
import { HartState } from '../../machine/rv32/hart.js';
import type { Machine } from '../../machine/rv32/machine.js';
import { Access, translate } from '../../machine/rv32/mmu.js';
import { Cause, INTERRUPT_BIT, Irq, MIP_MTIP, MIP_SSIP, MIP_STIP, Mode, Mstatus } from '../../machine/rv32/csr.js';

/** Virtual cycles charged for one SBI call's firmware work (trap entry is charged apart). */
export const COST_SBI_CALL = 100;

const EXT_BASE = 0x10, EXT_TIME = 0x54494d45, EXT_IPI = 0x735049, EXT_RFENCE = 0x52464e43;
const EXT_HSM = 0x48534d, EXT_SRST = 0x53525354, EXT_DBCN = 0x4442434e;
const LEGACY_SET_TIMER = 0x00, LEGACY_PUTCHAR = 0x01, LEGACY_GETCHAR = 0x02, LEGACY_CLEAR_IPI = 0x03;
const LEGACY_SEND_IPI = 0x04, LEGACY_REMOTE_FENCE_I = 0x05, LEGACY_REMOTE_SFENCE = 0x06;
const LEGACY_REMOTE_SFENCE_ASID = 0x07, LEGACY_SHUTDOWN = 0x08;

const SBI_SUCCESS = 0, SBI_ERR_NOT_SUPPORTED = -2, SBI_ERR_INVALID_PARAM = -3;
const SBI_ERR_INVALID_ADDRESS = -5, SBI_ERR_ALREADY_AVAILABLE = -6;

/** SBI implementation id: not one of the ids the SBI spec has assigned. */
export const SBI_IMPL_ID = 0x7453;
export const SBI_IMPL_VERSION = 0x00010000;
const SBI_SPEC_VERSION = (2 << 24) | 0; // 2.0

const HSM_STARTED = 0, HSM_STOPPED = 1;

/** Exceptions the kernel handles itself (what OpenSBI delegates, plus illegal instruction and access faults). */
const DELEGATED_EXCEPTIONS =
  (1 << Cause.MISALIGNED_FETCH) | (1 << Cause.FETCH_ACCESS) | (1 << Cause.ILLEGAL_INSTRUCTION) |
  (1 << Cause.BREAKPOINT) | (1 << Cause.LOAD_ACCESS) | (1 << Cause.STORE_ACCESS) | (1 << Cause.ECALL_U) |
  (1 << Cause.FETCH_PAGE_FAULT) | (1 << Cause.LOAD_PAGE_FAULT) | (1 << Cause.STORE_PAGE_FAULT);
const DELEGATED_INTERRUPTS = (1 << Irq.SSI) | (1 << Irq.STI) | (1 << Irq.SEI);

interface CallResult { error: number; value: number }
const ok = (value = 0): CallResult => ({ error: SBI_SUCCESS, value });
const err = (error: number): CallResult => ({ error, value: 0 });

export class SbiFirmware implements MachineModeHandler {
  private readonly machine: Machine;
  /** Bytes the kernel wrote through the console calls (also sent to the UART sink). */
  private readonly console: (byte: number) => void;

  constructor(machine: Machine, console: (byte: number) => void) {
    this.machine = machine;
    this.console = console;
    machine.mHandler = this;
  }

  /** Starts the S-mode kernel at `entry` on hart 0; other harts wait for HSM hart_start. */
  boot(entry: number, dtb = 0): void {
    for (const h of this.machine.harts) {
      this.setupHart(h);
      if (h.id === 0) h.start(entry, Mode.S, 0, dtb);
      else h.stop();
    }
  }

  private setupHart(h: Hart): void {
    h.medeleg = DELEGATED_EXCEPTIONS;
    h.mideleg = DELEGATED_INTERRUPTS;
    h.mcounteren = 7; // cycle, time, instret readable from S-mode
    h.mie = 0;
    h.mstatus &= ~(Mstatus.MIE | Mstatus.MPRV);
  }

  trap(h: Hart): void {
    const cause = h.mcause >>> 0;
    if (cause === ((INTERRUPT_BIT | Irq.MTI) >>> 0)) {
      // Timer: hand it to S-mode as STIP and mask MTIE until the next set_timer.
      h.mipSoft |= MIP_STIP;
      h.mie &= ~MIP_MTIP;
      h.mret();
      return;
    }
    if (cause === Cause.ECALL_S) {
      h.charge(COST_SBI_CALL);
      const r = this.call(h);
      if (h.state === HartState.STOPPED) return; // hart_stop, or a reset took the machine
      if (r !== null) {
        h.x[10] = r.error;
        h.x[11] = r.value;
      }
      h.mepc = (h.mepc + 4) | 0;
      h.mret();
      return;
    }
    this.redirectToS(h, cause);
  }

  /** Hands a trap that reached M-mode to the S-mode kernel, as if it had been delegated. */
  private redirectToS(h: Hart, cause: number): void {
    const from = ((h.mstatus & Mstatus.MPP) >>> Mstatus.MPP_SHIFT) as Mode;
    if (from === Mode.M) throw new Error(`SBI: unexpected trap from M-mode, mcause 0x${cause.toString(16)}`);
    h.sepc = h.mepc;
    h.scause = h.mcause;
    h.stval = h.mtval;
    let s = h.mstatus & ~(Mstatus.SPIE | Mstatus.SIE | Mstatus.SPP | Mstatus.MPP);
    if (h.mstatus & Mstatus.SIE) s |= Mstatus.SPIE;
    if (from === Mode.S) s |= Mstatus.SPP;
    s |= Mode.S << Mstatus.MPP_SHIFT;
    h.mstatus = s;
    h.mepc = h.stvec & -4;
    h.mret();
  }

  /** Dispatches one SBI call. Returns null for legacy calls, which set a0 themselves. */
  private call(h: Hart): CallResult | null {
    const x = h.x;
    const eid = x[17]! >>> 0, fid = x[16]! >>> 0;
    const a0 = x[10]!, a1 = x[11]!, a2 = x[12]!;
    switch (eid) {
      case LEGACY_SET_TIMER: this.setTimer(h, a0, a1); x[10] = 0; return null;
      case LEGACY_PUTCHAR: this.console(a0 & 0xff); x[10] = 0; return null;
      case LEGACY_GETCHAR: x[10] = this.getchar(); return null;
      case LEGACY_CLEAR_IPI: h.mipSoft &= ~MIP_SSIP; x[10] = 0; return null;
      case LEGACY_SEND_IPI: x[10] = this.legacyHartMask(h, a0, (t) => { t.mipSoft |= MIP_SSIP; }); return null;
      case LEGACY_REMOTE_FENCE_I: x[10] = 0; return null;
      case LEGACY_REMOTE_SFENCE: case LEGACY_REMOTE_SFENCE_ASID:
        x[10] = this.legacyHartMask(h, a0, (t) => t.flushTlbs());
        return null;
      case LEGACY_SHUTDOWN: this.reset(h, 0, 0); return null;
      case EXT_BASE: return this.base(fid, a0);
      case EXT_TIME: if (fid !== 0) return err(SBI_ERR_NOT_SUPPORTED); this.setTimer(h, a0, a1); return ok();
      case EXT_IPI:
        if (fid !== 0) return err(SBI_ERR_NOT_SUPPORTED);
        return this.forHarts(a0, a1, (t) => { t.mipSoft |= MIP_SSIP; });
      case EXT_RFENCE:
        if (fid > 6) return err(SBI_ERR_NOT_SUPPORTED);
        // fence.i needs nothing (decode cache is coherent); every sfence flavour flushes all.
        return this.forHarts(a0, a1, (t) => { if (fid !== 0) t.flushTlbs(); });
      case EXT_HSM: return this.hsm(h, fid, a0, a1, a2);
      case EXT_SRST:
        if (fid !== 0) return err(SBI_ERR_NOT_SUPPORTED);
        if ((a0 >>> 0) > 2 || (a1 >>> 0) > 1) return err(SBI_ERR_INVALID_PARAM);
        this.reset(h, a0, a1);
        return ok();
      case EXT_DBCN: return this.debugConsole(h, fid, a0, a1, a2);
      default: return err(SBI_ERR_NOT_SUPPORTED);
    }
  }

  private base(fid: number, a0: number): CallResult {
    switch (fid) {
      case 0: return ok(SBI_SPEC_VERSION);
      case 1: return ok(SBI_IMPL_ID);
      case 2: return ok(SBI_IMPL_VERSION);
      case 3: {
        const known = [EXT_BASE, EXT_TIME, EXT_IPI, EXT_RFENCE, EXT_HSM, EXT_SRST, EXT_DBCN];
        const legacy = (a0 >>> 0) <= LEGACY_SHUTDOWN;
        return ok(known.includes(a0 >>> 0) || legacy ? 1 : 0);
      }
      case 4: case 5: case 6: return ok(0); // mvendorid, marchid, mimpid
      default: return err(SBI_ERR_NOT_SUPPORTED);
    }
  }

  private setTimer(h: Hart, lo: number, hi: number): void {
    this.machine.clint.setTimecmp(h.id, (hi >>> 0) * 0x100000000 + (lo >>> 0));
    h.mipSoft &= ~MIP_STIP;
    h.mie |= MIP_MTIP;
    this.machine.afterDeviceWrite(h);
  }

  private getchar(): number {
    const uart = this.machine.uart;
    return uart.pendingInput > 0 ? uart.read(0) : -1;
  }

  /** Applies `fn` to the harts named by an SBI hart mask (base -1 means all harts). */
  private forHarts(mask: number, base: number, fn: (h: Hart) => void): CallResult {
    const harts = this.machine.harts;
    if (base === -1) {
      for (const t of harts) fn(t);
      return ok();
    }
    const targets: Hart[] = [];
    for (let i = 0; i < 32; i++) {
      if (((mask >>> i) & 1) === 0) continue;
      const t = harts[(base >>> 0) + i];
      if (t === undefined) return err(SBI_ERR_INVALID_PARAM);
      targets.push(t);
    }
    for (const t of targets) fn(t);
    return ok();
  }

  /** Legacy calls pass a pointer to a hart mask in S-mode memory (0 means all harts). */
  private legacyHartMask(h: Hart, ptr: number, fn: (t: Hart) => void): number {
    if (ptr === 0) return this.forHarts(0, -1, fn).error;
    const pa = this.sToPhys(h, ptr);
    if (pa < 0) return SBI_ERR_INVALID_ADDRESS;
    return this.forHarts(this.machine.bus.read(pa, 4), 0, fn).error;
  }

  private hsm(h: Hart, fid: number, a0: number, a1: number, a2: number): CallResult {
    const harts = this.machine.harts;
    switch (fid) {
      case 0: { // hart_start(hartid, start_addr, opaque)
        const t = harts[a0 >>> 0];
        if (t === undefined) return err(SBI_ERR_INVALID_PARAM);
        if (t.state !== HartState.STOPPED) return err(SBI_ERR_ALREADY_AVAILABLE);
        if (!this.machine.ram.contains(a1 >>> 0, 4)) return err(SBI_ERR_INVALID_ADDRESS);
        this.setupHart(t);
        t.satp = 0;
        t.flushTlbs();
        t.mstatus &= ~(Mstatus.SIE | Mstatus.SPIE | Mstatus.SPP);
        if (t.cycles < h.now()) t.cycles = h.now(); // it starts now, not in its past
        t.start(a1, Mode.S, t.id, a2);
        return ok();
      }
      case 1: // hart_stop
        h.stop();
        return ok();
      case 2: { // hart_get_status(hartid)
        const t = harts[a0 >>> 0];
        if (t === undefined) return err(SBI_ERR_INVALID_PARAM);
        return ok(t.state === HartState.STOPPED ? HSM_STOPPED : HSM_STARTED);
      }
      default:
        return err(SBI_ERR_NOT_SUPPORTED);
    }
  }

  private debugConsole(h: Hart, fid: number, a0: number, a1: number, a2: number): CallResult {
    switch (fid) {
      case 0: { // console_write(num_bytes, base_lo, base_hi)
        const len = a0 >>> 0;
        const pa = (a2 >>> 0) * 0x100000000 + (a1 >>> 0);
        if (!this.machine.ram.contains(pa, len)) return err(SBI_ERR_INVALID_PARAM);
        const off = pa - this.machine.ram.base;
        for (let i = 0; i < len; i++) this.console(this.machine.ram.u8[off + i]!);
        return ok(len);
      }
      case 1: { // console_read(num_bytes, base_lo, base_hi)
        const len = a0 >>> 0;
        const pa = (a2 >>> 0) * 0x100000000 + (a1 >>> 0);
        if (!this.machine.ram.contains(pa, len)) return err(SBI_ERR_INVALID_PARAM);
        let n = 0;
        const bytes: number[] = [];
        while (n < len && this.machine.uart.pendingInput > 0) { bytes.push(this.machine.uart.read(0)); n++; }
        this.machine.ram.load(pa, Uint8Array.from(bytes));
        return ok(n);
      }
      case 2: this.console(a0 & 0xff); return ok();
      default: return err(SBI_ERR_NOT_SUPPORTED);
    }
  }

  /** system_reset: type 0 shutdown, 1 cold reboot, 2 warm reboot; reason 1 = system failure. */
  private reset(h: Hart, type: number, reason: number): void {
    this.machine.requestStop({ kind: 'shutdown', code: reason === 0 ? 0 : 1, reset: type !== 0 });
    h.stop();
  }

  /** Translates an S-mode virtual address the way the calling kernel sees it. */
  private sToPhys(h: Hart, va: number): number {
    const pa = translate(this.machine.ram, va, Access.LOAD, Mode.S, h.satp, h.mstatus);
    return pa >= 0 && this.machine.ram.contains(pa, 4) ? pa : -1;
  }
}
