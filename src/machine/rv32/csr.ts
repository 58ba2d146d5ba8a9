/*
 * CSR numbers, bit fields and trap causes of the RISC-V privileged spec 1.12 that the
 * rv32 machine implements. The read/write behaviour of each CSR lives in hart.ts
 * (`csrRead`/`csrWrite`); this file is the vocabulary.
 */

export const enum Mode { U = 0, S = 1, M = 3 }

export const enum Csr {
  // Unprivileged counters
  CYCLE = 0xc00, TIME = 0xc01, INSTRET = 0xc02,
  CYCLEH = 0xc80, TIMEH = 0xc81, INSTRETH = 0xc82,
  // Supervisor
  SSTATUS = 0x100, SIE = 0x104, STVEC = 0x105, SCOUNTEREN = 0x106, SENVCFG = 0x10a,
  SSCRATCH = 0x140, SEPC = 0x141, SCAUSE = 0x142, STVAL = 0x143, SIP = 0x144,
  SATP = 0x180,
  // Machine
  MVENDORID = 0xf11, MARCHID = 0xf12, MIMPID = 0xf13, MHARTID = 0xf14, MCONFIGPTR = 0xf15,
  MSTATUS = 0x300, MISA = 0x301, MEDELEG = 0x302, MIDELEG = 0x303, MIE = 0x304, MTVEC = 0x305,
  MCOUNTEREN = 0x306, MENVCFG = 0x30a, MSTATUSH = 0x310, MENVCFGH = 0x31a,
  MCOUNTINHIBIT = 0x320,
  MSCRATCH = 0x340, MEPC = 0x341, MCAUSE = 0x342, MTVAL = 0x343, MIP = 0x344,
  MCYCLE = 0xb00, MINSTRET = 0xb02, MCYCLEH = 0xb80, MINSTRETH = 0xb82,
}

/** mstatus bits (RV32). */
export const enum Mstatus {
  SIE = 1 << 1, MIE = 1 << 3, SPIE = 1 << 5, MPIE = 1 << 7, SPP = 1 << 8,
  MPP_SHIFT = 11, MPP = 3 << 11,
  MPRV = 1 << 17, SUM = 1 << 18, MXR = 1 << 19, TVM = 1 << 20, TW = 1 << 21, TSR = 1 << 22,
}

export const MSTATUS_WRITABLE =
  Mstatus.SIE | Mstatus.MIE | Mstatus.SPIE | Mstatus.MPIE | Mstatus.SPP | Mstatus.MPP |
  Mstatus.MPRV | Mstatus.SUM | Mstatus.MXR | Mstatus.TVM | Mstatus.TW | Mstatus.TSR;
export const SSTATUS_MASK = Mstatus.SIE | Mstatus.SPIE | Mstatus.SPP | Mstatus.SUM | Mstatus.MXR;

/** Interrupt bits in mip/mie, and their cause numbers. */
export const enum Irq {
  SSI = 1, MSI = 3, STI = 5, MTI = 7, SEI = 9, MEI = 11,
}
export const MIP_SSIP = 1 << Irq.SSI;
export const MIP_MSIP = 1 << Irq.MSI;
export const MIP_STIP = 1 << Irq.STI;
export const MIP_MTIP = 1 << Irq.MTI;
export const MIP_SEIP = 1 << Irq.SEI;
export const MIP_MEIP = 1 << Irq.MEI;
/** Supervisor-level interrupts: the only ones mideleg can delegate. */
export const S_INTERRUPTS = MIP_SSIP | MIP_STIP | MIP_SEIP;
export const ALL_INTERRUPTS = S_INTERRUPTS | MIP_MSIP | MIP_MTIP | MIP_MEIP;
/** mip bits M-mode software may write (the rest reflect devices). */
export const MIP_M_WRITABLE = S_INTERRUPTS;
/** Interrupt priority, highest first (privileged spec §3.1.9). */
export const IRQ_PRIORITY: readonly number[] = [Irq.MEI, Irq.MSI, Irq.MTI, Irq.SEI, Irq.SSI, Irq.STI];

export const enum Cause {
  MISALIGNED_FETCH = 0, FETCH_ACCESS = 1, ILLEGAL_INSTRUCTION = 2, BREAKPOINT = 3,
  MISALIGNED_LOAD = 4, LOAD_ACCESS = 5, MISALIGNED_STORE = 6, STORE_ACCESS = 7,
  ECALL_U = 8, ECALL_S = 9, ECALL_M = 11,
  FETCH_PAGE_FAULT = 12, LOAD_PAGE_FAULT = 13, STORE_PAGE_FAULT = 15,
}
export const INTERRUPT_BIT = 0x80000000;

/** Exceptions medeleg can delegate: every defined cause except ecall from M. */
export const MEDELEG_WRITABLE =
  (1 << 0) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) |
  (1 << 8) | (1 << 9) | (1 << 12) | (1 << 13) | (1 << 15);

/** misa: MXL=1 (RV32), extensions A, I, M, S, U. */
export const MISA_VALUE = (1 << 30) | (1 << 0) | (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20);

export const SATP_MODE_SV32 = 0x80000000;
export const SATP_ASID_SHIFT = 22;
export const SATP_ASID_MASK = 0x1ff;
export const SATP_PPN_MASK = 0x3fffff;

export const CAUSE_NAMES: Record<number, string> = {
  0: 'instruction address misaligned', 1: 'instruction access fault', 2: 'illegal instruction',
  3: 'breakpoint', 4: 'load address misaligned', 5: 'load access fault',
  6: 'store/AMO address misaligned', 7: 'store/AMO access fault', 8: 'ecall from U-mode',
  9: 'ecall from S-mode', 11: 'ecall from M-mode', 12: 'instruction page fault',
  13: 'load page fault', 15: 'store/AMO page fault',
};

export function describeCause(cause: number): string {
  if (cause & INTERRUPT_BIT) {
    const names: Record<number, string> = {
      1: 'supervisor software interrupt', 3: 'machine software interrupt', 5: 'supervisor timer interrupt',
      7: 'machine timer interrupt', 9: 'supervisor external interrupt', 11: 'machine external interrupt',
    };
    return names[cause & 0x7fffffff] ?? `interrupt ${cause & 0x7fffffff}`;
  }
  return CAUSE_NAMES[cause] ?? `exception ${cause}`;
}
