/*
 * Sv32 address translation (privileged spec 1.12 §4.3): a page table built here, with
 * 4 KiB pages and 4 MiB megapages; R/W/X/U permissions from S and U; SUM, MXR; MPRV with
 * MPP; page faults with the right cause, epc and tval for fetch, load and store (AMOs
 * included); reserved and malformed PTEs; hardware A/D updates (tsxen and QEMU both set
 * them, docs/machine.md); sfence.vma by address and by ASID; satp.MODE = Bare.
 *
 * Virtual memory (the root table `root`):
 *   0x0000_0000  4 MiB  → PA 0           RW     (the finisher, so __fail works in S)
 *   0x4000_0000  4 MiB  → PA 0x8000_0000 U RWX  (this image again, for U-mode code)
 *   0x8000_0000  4 MiB  → PA 0x8000_0000 RWX    (this image, identity, S-mode code)
 *   0xc000_0000  4 KiB pages through `l1` (table below)
 *   0xc040_0000  4 MiB  → PPN 0x80001: misaligned megapage
 *   0xc080_0000  4 MiB  → PA 0x8000_0000 R      (the image, read-only)
 *   0xd000_0000  nothing (invalid root entry)
 * U-mode code runs at its alias: its addresses are physical - UDELTA; a trap caught in
 * M must resume at the physical address, hence the U_ macros.
 */
#include "priv.h"

#define UDELTA   0x40000000
#define VA(i)    (0xc0000000 + (i) * 0x1000)
#define VA_MIS   0xc0400000
#define VA_MEGA  0xc0800000
#define VA_NONE  0xd0000000
#define VA_CLINT 0xc1000000     /* 4 MiB → PA 0x0200_0000 RW: the CLINT */

/* The 4 KiB pages under 0xc000_0000 (index into l1). */
#define I_RW     0      /* page0: RW                    */
#define I_RO     1      /* page1: R                     */
#define I_XO     2      /* xpage: X only                */
#define I_URW    3      /* page3: U RW                  */
#define I_UX     4      /* xpage: U X only              */
#define I_RW2    5      /* page2: RW, followed by …     */
#define I_INV    6      /* … an invalid PTE             */
#define I_WO     7      /* page1: W without R: reserved */
#define I_AD     8      /* page4: RW with A = D = 0     */
#define I_SF     9      /* page5: RW, remapped by sfence tests */
#define I_NL     10     /* a pointer PTE at the last level     */
#define I_URX    11     /* xpage: U RX                  */
#define I_XA     12     /* xpage: X with A = 0          */
#define I_XR     13     /* xpage, then xpage2: X, remapped by a fence test */
#define I_XEND   14     /* xpage3: X, and then …        */
#define I_XNONE  15     /* … nothing: falling off the end faults */
#define I_CW     16     /* xpage4: RW (to write code) … */
#define I_CX     17     /* … and X: the same frame      */
#define I_RSW    18     /* page0: R, with RSW = 3 and G set: both ignored */
#define I_ALIAS  0x100  /* page1: R, same TLB set as I_RW in a 256-set TLB */
#define VA_MEGA2 0xc0c00000

/* reg = PTE for the physical page at label, with flags. */
#define PTE_FOR(reg, label, flags)                   \
        la reg, label;                               \
        srli reg, reg, 12;                           \
        slli reg, reg, 10;                           \
        ori reg, reg, flags;

/* table[index] = reg. Clobbers t1, t2. */
#define SET_PTE(table, index, reg)                   \
        la t1, table;                                \
        li t2, (index) * 4;                          \
        add t1, t1, t2;                              \
        sw reg, 0(t1);

#define ENTER_U                                      \
        li t0, MSTATUS_MPP;                          \
        csrc mstatus, t0;                            \
        la t0, 9f;                                   \
        li t5, UDELTA;                               \
        sub t0, t0, t5;                              \
        csrw mepc, t0;                               \
        mret;                                        \
9:

#define U_EXPECT_TRAP(num, insn...)                  \
        li TESTNUM, num;                             \
        la s11, 9f;                                  \
        li t5, UDELTA;                               \
        add s11, s11, t5;                            \
        insn;                                        \
        j __fail;                                    \
9:

#define U_BACK_TO_M                                  \
        la s11, 9f;                                  \
        li t5, UDELTA;                               \
        add s11, s11, t5;                            \
        ecall;                                       \
9:

        PRIV_INIT

        /* ---- Build the tables. The .bss pages are cleared first. */
        la t0, __bss_start
        la t1, __bss_end
1:      sw zero, 0(t0)
        addi t0, t0, 4
        bltu t0, t1, 1b
        /* Distinct contents in every data page. */
        li a1, 0x11110000
        la t0, page0;  sw a1, 0(t0); addi a1, a1, 1
        la t0, page1;  sw a1, 0(t0); addi a1, a1, 1
        la t0, page2;  sw a1, 0(t0); addi a1, a1, 1
        la t0, page3;  sw a1, 0(t0); addi a1, a1, 1
        la t0, page4;  sw a1, 0(t0); addi a1, a1, 1
        la t0, page5;  sw a1, 0(t0)
        li a1, 0x2222aaaa                               /* page2's last halfword */
        la t0, page2 + 4092; sw a1, 0(t0)

        li t0, (0 << 10) | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
        SET_PTE(root, 0x000, t0)
        li t0, (0x80000 << 10) | PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D
        SET_PTE(root, 0x100, t0)
        li t0, (0x80000 << 10) | PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
        SET_PTE(root, 0x200, t0)
        PTE_FOR(t0, l1, PTE_V)
        SET_PTE(root, 0x300, t0)
        li t0, (0x80001 << 10) | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
        SET_PTE(root, 0x301, t0)
        li t0, (0x80000 << 10) | PTE_V | PTE_R | PTE_A
        SET_PTE(root, 0x302, t0)
        li t0, (0x2000 << 10) | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
        SET_PTE(root, 0x304, t0)

        PTE_FOR(t0, page0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
        SET_PTE(l1, I_RW, t0)
        PTE_FOR(t0, page1, PTE_V | PTE_R | PTE_A)
        SET_PTE(l1, I_RO, t0)
        PTE_FOR(t0, xpage, PTE_V | PTE_X | PTE_A)
        SET_PTE(l1, I_XO, t0)
        PTE_FOR(t0, page3, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D)
        SET_PTE(l1, I_URW, t0)
        PTE_FOR(t0, xpage, PTE_V | PTE_X | PTE_U | PTE_A)
        SET_PTE(l1, I_UX, t0)
        PTE_FOR(t0, page2, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
        SET_PTE(l1, I_RW2, t0)
        PTE_FOR(t0, page1, PTE_V | PTE_W | PTE_A | PTE_D)
        SET_PTE(l1, I_WO, t0)
        PTE_FOR(t0, page4, PTE_V | PTE_R | PTE_W)
        SET_PTE(l1, I_AD, t0)
        PTE_FOR(t0, page5, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
        SET_PTE(l1, I_SF, t0)
        PTE_FOR(t0, page0, PTE_V)
        SET_PTE(l1, I_NL, t0)
        PTE_FOR(t0, xpage, PTE_V | PTE_R | PTE_X | PTE_U | PTE_A)
        SET_PTE(l1, I_URX, t0)

        la t0, root
        srli t0, t0, 12
        li t1, SATP_SV32
        or s8, t0, t1                                   /* s8 = satp value (ASID 0) */
        csrw satp, s8
        sfence.vma

        /* ---- M-mode ignores satp: this very code runs at its physical address. */
        la a0, page0
        lw a1, 0(a0)
        CHECK(1, a1, 0x11110000)

        /* ---- S-mode: 4 KiB pages, reads and writes reach the right frames. */
        ENTER_MODE(MPP_S)
        li a0, VA(I_RW)
        lw a1, 0(a0)
        CHECK(2, a1, 0x11110000)
        li a2, 0x5a5a0000
        sw a2, 4(a0)
        li a0, VA(I_RO)
        lw a1, 0(a0)
        CHECK(3, a1, 0x11110001)
        li a0, VA(I_RW2)
        lw a1, 0(a0)
        CHECK(4, a1, 0x11110002)
        /* Megapage: VA_MEGA + (page0 - 0x8000_0000) is page0. */
        la a0, page0
        li t0, 0x80000000
        sub a0, a0, t0
        li t0, VA_MEGA
        add a0, a0, t0
        lw a1, 0(a0)
        CHECK(5, a1, 0x11110000)
        lw a1, 4(a0)
        CHECK(6, a1, 0x5a5a0000)
        /* Executing the X-only page. */
        li t0, VA(I_XO)
        li a0, 0
        jalr t0
        CHECK(7, a0, 0x77)
        BACK_TO_M
        la a0, page0                                    /* S's store landed in page0 */
        lw a1, 4(a0)
        CHECK(8, a1, 0x5a5a0000)

        /* ---- S-mode permission faults: cause, epc and tval. */
        ENTER_MODE(MPP_S)
        li a0, VA(I_RO) + 8
        EXPECT_TRAP(10, f1: sw zero, 0(a0))             /* store to read-only */
        CHECK(11, s2, CAUSE_STORE_PAGE)
        CHECK_LABEL(12, s3, f1)
        CHECK(13, s4, VA(I_RO) + 8)
        ENTER_MODE(MPP_S)
        li a0, VA(I_RO) + 12
        li a1, 1
        EXPECT_TRAP(14, amoadd.w a2, a1, (a0))         /* AMO: a store page fault */
        CHECK(15, s2, CAUSE_STORE_PAGE)
        CHECK(16, s4, VA(I_RO) + 12)
        ENTER_MODE(MPP_S)
        li a0, VA(I_XO) + 16
        EXPECT_TRAP(17, f2: lw a1, 0(a0))               /* load from execute-only */
        CHECK(18, s2, CAUSE_LOAD_PAGE)
        CHECK_LABEL(19, s3, f2)
        CHECK(20, s4, VA(I_XO) + 16)
        ENTER_MODE(MPP_S)
        li a0, VA(I_XO)
        EXPECT_TRAP(21, lr.w a1, (a0))                 /* LR: a load page fault */
        CHECK(22, s2, CAUSE_LOAD_PAGE)
        CHECK(23, s4, VA(I_XO))
        ENTER_MODE(MPP_S)
        li a0, VA(I_RW) + 0x40
        EXPECT_TRAP(24, jalr a0)                        /* fetch from non-executable */
        CHECK(25, s2, CAUSE_FETCH_PAGE)
        CHECK(26, s3, VA(I_RW) + 0x40)
        CHECK(27, s4, VA(I_RW) + 0x40)
        ENTER_MODE(MPP_S)
        li a0, VA(I_UX)
        EXPECT_TRAP(28, jalr a0)                        /* S never executes U pages */
        CHECK(29, s2, CAUSE_FETCH_PAGE)
        CHECK(30, s4, VA(I_UX))
        li a1, MSTATUS_SUM                              /* … not even with SUM */
        csrs mstatus, a1
        ENTER_MODE(MPP_S)
        li a0, VA(I_UX)
        EXPECT_TRAP(31, jalr a0)
        CHECK(32, s2, CAUSE_FETCH_PAGE)
        li a1, MSTATUS_SUM
        csrc mstatus, a1

        /* ---- SUM: S touches U pages only with SUM = 1. */
        ENTER_MODE(MPP_S)
        li a0, VA(I_URW)
        EXPECT_TRAP(33, lw a1, 0(a0))
        CHECK(34, s2, CAUSE_LOAD_PAGE)
        CHECK(35, s4, VA(I_URW))
        ENTER_MODE(MPP_S)
        li a0, VA(I_URW) + 4
        EXPECT_TRAP(36, sw zero, 0(a0))
        CHECK(37, s2, CAUSE_STORE_PAGE)
        CHECK(38, s4, VA(I_URW) + 4)
        ENTER_MODE(MPP_S)
        li a0, VA(I_URW)
        li t0, MSTATUS_SUM
        csrs sstatus, t0                                /* S sets SUM itself */
        lw a1, 0(a0)
        CHECK(39, a1, 0x11110003)
        li a2, 0x33330000
        sw a2, 4(a0)
        lw a1, 4(a0)
        CHECK(40, a1, 0x33330000)
        li t0, MSTATUS_SUM
        csrc sstatus, t0                                /* and clears it: faults again */
        EXPECT_TRAP(41, lw a1, 0(a0))
        CHECK(42, s2, CAUSE_LOAD_PAGE)

        /* ---- MXR: loads from execute-only pages succeed with MXR = 1. */
        ENTER_MODE(MPP_S)
        li t0, MSTATUS_MXR
        csrs sstatus, t0
        li a0, VA(I_XO)
        lw a1, 0(a0)
        la t0, xpage
        lw t0, 0(t0)
        li TESTNUM, 43
        bne a1, t0, __fail
        li a0, VA(I_XO) + 4                             /* stores still fault */
        EXPECT_TRAP(44, sw zero, 0(a0))
        CHECK(45, s2, CAUSE_STORE_PAGE)
        li t0, MSTATUS_MXR
        csrc mstatus, t0

        /* ---- Invalid, reserved and malformed PTEs. */
        ENTER_MODE(MPP_S)
        li a0, VA(I_INV) + 0x10
        EXPECT_TRAP(50, lw a1, 0(a0))
        CHECK(51, s2, CAUSE_LOAD_PAGE)
        CHECK(52, s4, VA(I_INV) + 0x10)
        ENTER_MODE(MPP_S)
        li a0, VA(I_INV) + 0x14
        EXPECT_TRAP(53, sb zero, 0(a0))
        CHECK(54, s2, CAUSE_STORE_PAGE)
        CHECK(55, s4, VA(I_INV) + 0x14)
        ENTER_MODE(MPP_S)
        li a0, VA(I_INV) + 0x18
        EXPECT_TRAP(56, jr a0)
        CHECK(57, s2, CAUSE_FETCH_PAGE)
        CHECK(58, s3, VA(I_INV) + 0x18)
        CHECK(59, s4, VA(I_INV) + 0x18)
        ENTER_MODE(MPP_S)
        li a0, VA(I_WO)                                 /* W without R is reserved */
        EXPECT_TRAP(60, lw a1, 0(a0))
        CHECK(61, s2, CAUSE_LOAD_PAGE)
        ENTER_MODE(MPP_S)
        li a0, VA(I_WO)
        EXPECT_TRAP(62, sw zero, 0(a0))
        CHECK(63, s2, CAUSE_STORE_PAGE)
        ENTER_MODE(MPP_S)
        li a0, VA(I_NL)                                 /* pointer PTE at level 0 */
        EXPECT_TRAP(64, lw a1, 0(a0))
        CHECK(65, s2, CAUSE_LOAD_PAGE)
        CHECK(66, s4, VA(I_NL))
        ENTER_MODE(MPP_S)
        li a0, VA_MIS + 0x1234                          /* misaligned megapage */
        EXPECT_TRAP(67, lw a1, 0(a0))
        CHECK(68, s2, CAUSE_LOAD_PAGE)
        CHECK(69, s4, VA_MIS + 0x1234)
        ENTER_MODE(MPP_S)
        li a0, VA_MIS + 0x100
        EXPECT_TRAP(70, sw zero, 0(a0))
        CHECK(71, s2, CAUSE_STORE_PAGE)
        ENTER_MODE(MPP_S)
        li a0, VA_NONE + 0x20                          /* invalid root entry */
        EXPECT_TRAP(72, lw a1, 0(a0))
        CHECK(73, s2, CAUSE_LOAD_PAGE)
        CHECK(74, s4, VA_NONE + 0x20)
        ENTER_MODE(MPP_S)
        li a0, VA_MEGA + 0x100                          /* read-only megapage */
        EXPECT_TRAP(75, sw zero, 0(a0))
        CHECK(76, s2, CAUSE_STORE_PAGE)
        CHECK(77, s4, VA_MEGA + 0x100)

        /* A misaligned load whose second part is on an invalid page faults; if tval is
           nonzero it is the address of the part that faulted (1.12 §3.1.16). */
        ENTER_MODE(MPP_S)
        li a0, VA(I_RW2) + 0xffe
        EXPECT_TRAP(78, lw a1, 0(a0))
        CHECK(79, s2, CAUSE_LOAD_PAGE)
        CHECK(80, s4, VA(I_INV))
        /* … and one entirely on a valid page is performed (tsxen and QEMU do). */
        ENTER_MODE(MPP_S)
        li a0, VA(I_RW2) + 0xffa
        lw a1, 0(a0)
        CHECK(81, a1, 0xaaaa0000)
        BACK_TO_M

        /* ---- U-mode. */
        ENTER_U
        li a0, VA(I_URW)
        lw a1, 0(a0)
        CHECK(90, a1, 0x11110003)
        li a2, 0x44440000
        sw a2, 8(a0)
        li t0, VA(I_UX)                                 /* execute-only U page */
        li a0, 0
        jalr t0
        CHECK(91, a0, 0x77)
        li t0, VA(I_URX)
        li a0, 0
        jalr t0
        CHECK(92, a0, 0x77)
        li a0, VA(I_URX)                                /* and readable */
        lw a1, 0(a0)
        la t0, xpage
        lw t0, 0(t0)
        li TESTNUM, 93
        bne a1, t0, __fail
        li a0, VA(I_RW)                                 /* S pages: no access from U */
        U_EXPECT_TRAP(94, lw a1, 0(a0))
        CHECK(95, s2, CAUSE_LOAD_PAGE)
        CHECK(96, s4, VA(I_RW))
        CHECK_MASKED(97, s5, MSTATUS_MPP, MPP_U)
        li a1, MSTATUS_SUM                              /* SUM does not matter to U */
        csrs mstatus, a1
        ENTER_U
        li a0, VA(I_RW) + 4
        U_EXPECT_TRAP(98, sw zero, 0(a0))
        CHECK(99, s2, CAUSE_STORE_PAGE)
        CHECK(100, s4, VA(I_RW) + 4)
        li a1, MSTATUS_SUM
        csrc mstatus, a1
        ENTER_U
        li a0, VA(I_XO)
        U_EXPECT_TRAP(101, jalr a0)
        CHECK(102, s2, CAUSE_FETCH_PAGE)
        CHECK(103, s4, VA(I_XO))
        ENTER_U
        li a0, 0x80000100                               /* the S-only identity map */
        U_EXPECT_TRAP(104, jalr a0)
        CHECK(105, s2, CAUSE_FETCH_PAGE)
        CHECK(106, s4, 0x80000100)
        ENTER_U
        li a0, VA(I_UX)                                 /* MXR = 0: X-only unreadable */
        U_EXPECT_TRAP(107, lw a1, 0(a0))
        CHECK(108, s2, CAUSE_LOAD_PAGE)
        li a1, MSTATUS_MXR                              /* MXR applies to U too */
        csrs mstatus, a1
        ENTER_U
        li a0, VA(I_UX)
        lw a1, 0(a0)
        la t0, xpage
        lw t0, 0(t0)
        li TESTNUM, 109
        bne a1, t0, __fail
        U_BACK_TO_M
        CHECK(110, s2, CAUSE_ECALL_U)
        li a1, MSTATUS_MXR
        csrc mstatus, a1
        la a0, page3
        lw a1, 8(a0)
        CHECK(111, a1, 0x44440000)

        /* ---- MPRV: M's loads and stores use MPP's translation; fetches do not. */
        li a1, MSTATUS_MPRV | MPP_S
        csrs mstatus, a1
        li a0, VA(I_RO)
        lw a1, 0(a0)
        CHECK(120, a1, 0x11110001)
        li a0, VA(I_RO)
        EXPECT_TRAP(121, mp1: sw zero, 0(a0))           /* S's permissions */
        CHECK(122, s2, CAUSE_STORE_PAGE)
        CHECK_LABEL(123, s3, mp1)
        CHECK(124, s4, VA(I_RO))
        CHECK_MASKED(125, s5, MSTATUS_MPP | MSTATUS_MPRV, MPP_M | MSTATUS_MPRV)
        /* The trap entry left MPRV = 1 with MPP = M: M's own view again. */
        la a0, page1
        lw a1, 0(a0)
        CHECK(126, a1, 0x11110001)
        li a1, MSTATUS_MPP
        csrc mstatus, a1
        li a1, MPP_S
        csrs mstatus, a1
        li a0, VA(I_URW)                                /* SUM applies under MPRV */
        EXPECT_TRAP(127, lw a1, 0(a0))
        CHECK(128, s2, CAUSE_LOAD_PAGE)
        li a1, MSTATUS_MPP
        csrc mstatus, a1
        li a1, MPP_S | MSTATUS_SUM
        csrs mstatus, a1
        li a0, VA(I_URW)
        lw a1, 0(a0)
        CHECK(129, a1, 0x11110003)
        li a1, MSTATUS_MPP                              /* MPP = U */
        csrc mstatus, a1
        li a0, VA(I_URW)
        lw a1, 0(a0)
        CHECK(130, a1, 0x11110003)
        li a0, VA(I_RW)
        EXPECT_TRAP(131, lw a1, 0(a0))
        CHECK(132, s2, CAUSE_LOAD_PAGE)
        CHECK(133, s4, VA(I_RW))
        li a1, MSTATUS_MPP                              /* MPP = M: bare again */
        csrs mstatus, a1
        la a0, page0
        lw a1, 0(a0)
        CHECK(134, a1, 0x11110000)
        /* AMOs and LR under MPRV use MPP's translation too. */
        li a1, MSTATUS_MPP | MSTATUS_SUM
        csrc mstatus, a1
        li a1, MPP_S
        csrs mstatus, a1
        li a0, VA(I_RO)
        li a2, 1
        EXPECT_TRAP(135, amoadd.w a1, a2, (a0))
        CHECK(136, s2, CAUSE_STORE_PAGE)
        CHECK(137, s4, VA(I_RO))
        li a1, MSTATUS_MPP
        csrc mstatus, a1
        li a1, MPP_S
        csrs mstatus, a1
        li a0, VA(I_URW)
        EXPECT_TRAP(138, lr.w a1, (a0))                 /* U page, SUM = 0 */
        CHECK(139, s2, CAUSE_LOAD_PAGE)
        li a1, MSTATUS_MPP
        csrc mstatus, a1
        li a1, MPP_S
        csrs mstatus, a1
        li a0, VA(I_RW) + 0x80
        li a2, 5
        amoadd.w zero, a2, (a0)
        amoadd.w a1, a2, (a0)
        CHECK(119, a1, 5)
        li a1, MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MPP
        csrc mstatus, a1
        la a0, page0
        lw a1, 0x80(a0)
        CHECK(118, a1, 10)

        /* ---- A device through a mapping: S sets msip and reads mtime via VA_CLINT. */
        ENTER_MODE(MPP_S)
        li a0, VA_CLINT
        li t0, 0xbff8
        add t0, a0, t0
        lw a1, 0(t0)                                    /* mtime, low word */
        lw a2, 0(t0)
        li TESTNUM, 115
        bltu a2, a1, __fail
        li t1, 1
        sw t1, 0(a0)                                    /* msip[0] = 1 */
        lw a1, 0(a0)
        CHECK(116, a1, 1)
        BACK_TO_M
        csrr a0, mip
        CHECK_MASKED(117, a0, MIP_MSIP, MIP_MSIP)
        li t0, CLINT_MSIP(0)
        sw zero, 0(t0)

        /* ---- Hardware A/D: a load sets A, a store sets D (and A). */
        la s6, l1 + I_AD * 4
        lw a1, 0(s6)
        CHECK_MASKED(140, a1, PTE_A | PTE_D, 0)
        ENTER_MODE(MPP_S)
        li a0, VA(I_AD)
        lw a1, 0(a0)
        CHECK(141, a1, 0x11110004)
        BACK_TO_M
        lw a1, 0(s6)
        CHECK_MASKED(142, a1, PTE_A | PTE_D, PTE_A)
        ENTER_MODE(MPP_S)
        li a0, VA(I_AD)
        sw a0, 4(a0)
        BACK_TO_M
        lw a1, 0(s6)
        CHECK_MASKED(143, a1, PTE_A | PTE_D | PTE_V | PTE_R | PTE_W, PTE_A | PTE_D | PTE_V | PTE_R | PTE_W)
        andi a1, a1, ~(PTE_A | PTE_D)                   /* clear both, then store first */
        sw a1, 0(s6)
        sfence.vma
        ENTER_MODE(MPP_S)
        li a0, VA(I_AD)
        sw a0, 8(a0)
        BACK_TO_M
        lw a1, 0(s6)
        CHECK_MASKED(144, a1, PTE_A | PTE_D, PTE_A | PTE_D)
        /* A fault does not set A. */
        PTE_FOR(t0, page4, PTE_V | PTE_R)
        sw t0, 0(s6)
        sfence.vma
        ENTER_MODE(MPP_S)
        li a0, VA(I_AD)
        EXPECT_TRAP(145, sw zero, 0(a0))
        CHECK(146, s2, CAUSE_STORE_PAGE)
        lw a1, 0(s6)
        CHECK_MASKED(147, a1, PTE_A | PTE_D, 0)

        /* ---- sfence.vma by address: a remapped page is seen after the fence. */
        ENTER_MODE(MPP_S)
        li a0, VA(I_SF)
        lw a1, 0(a0)
        CHECK(150, a1, 0x11110005)
        BACK_TO_M
        PTE_FOR(t0, page0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
        SET_PTE(l1, I_SF, t0)
        ENTER_MODE(MPP_S)
        li a0, VA(I_SF)
        sfence.vma a0
        lw a1, 0(a0)
        CHECK(151, a1, 0x11110000)
        /* Invalidated: the access faults after the fence. */
        BACK_TO_M
        SET_PTE(l1, I_SF, zero)
        ENTER_MODE(MPP_S)
        li a0, VA(I_SF)
        sfence.vma a0, zero
        EXPECT_TRAP(152, lw a1, 0(a0))
        CHECK(153, s2, CAUSE_LOAD_PAGE)

        /* ---- ASIDs: with ASID 5, sfence.vma by ASID and by address + ASID. */
        li t0, 5 << 22
        or s8, s8, t0
        csrw satp, s8
        PTE_FOR(t0, page5, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
        SET_PTE(l1, I_SF, t0)
        sfence.vma
        ENTER_MODE(MPP_S)
        li a0, VA(I_SF)
        lw a1, 0(a0)
        CHECK(154, a1, 0x11110005)
        BACK_TO_M
        PTE_FOR(t0, page1, PTE_V | PTE_R | PTE_A)
        SET_PTE(l1, I_SF, t0)
        ENTER_MODE(MPP_S)
        li a0, VA(I_SF)
        li a2, 5
        sfence.vma zero, a2
        lw a1, 0(a0)
        CHECK(155, a1, 0x11110001)
        BACK_TO_M
        PTE_FOR(t0, page2, PTE_V | PTE_R | PTE_A)
        SET_PTE(l1, I_SF, t0)
        ENTER_MODE(MPP_S)
        li a0, VA(I_SF)
        li a2, 5
        sfence.vma a0, a2
        lw a1, 0(a0)
        CHECK(156, a1, 0x11110002)
        BACK_TO_M

        /* Two address spaces, ASID 1 and 2, mapping VA(I_SF) to different pages: after
           one fence, switching satp alone must show each its own page. */
        la t0, root
        la t1, root2
        li t2, 1024
1:      lw t3, 0(t0)                                    /* root2 = root, but 0xc000_0000 → l1b */
        sw t3, 0(t1)
        addi t0, t0, 4
        addi t1, t1, 4
        addi t2, t2, -1
        bnez t2, 1b
        la t0, l1
        la t1, l1b
        li t2, 1024
1:      lw t3, 0(t0)
        sw t3, 0(t1)
        addi t0, t0, 4
        addi t1, t1, 4
        addi t2, t2, -1
        bnez t2, 1b
        PTE_FOR(t0, l1b, PTE_V)
        SET_PTE(root2, 0x300, t0)
        PTE_FOR(t0, page3, PTE_V | PTE_R | PTE_A)
        SET_PTE(l1, I_SF, t0)
        PTE_FOR(t0, page4, PTE_V | PTE_R | PTE_A)
        SET_PTE(l1b, I_SF, t0)
        la t0, root
        srli t0, t0, 12
        li t1, SATP_SV32 | (1 << 22)
        or s8, t0, t1                                   /* s8: ASID 1, root */
        la t0, root2
        srli t0, t0, 12
        li t1, SATP_SV32 | (2 << 22)
        or s9, t0, t1                                   /* s9: ASID 2, root2 */
        sfence.vma
        li s7, 3
1:      csrw satp, s8
        ENTER_MODE(MPP_S)
        li a0, VA(I_SF)
        lw a1, 0(a0)
        CHECK(157, a1, 0x11110003)
        BACK_TO_M
        csrw satp, s9
        ENTER_MODE(MPP_S)
        li a0, VA(I_SF)
        lw a1, 0(a0)
        CHECK(158, a1, 0x11110004)
        BACK_TO_M
        addi s7, s7, -1
        bnez s7, 1b

        /* ---- sfence.vma by address inside a megapage drops the whole megapage: every
           4 KiB part of it uses the same leaf PTE (§4.2.1). */
        csrw satp, s8
        li t0, (0x80000 << 10) | PTE_V | PTE_R | PTE_A
        SET_PTE(root, 0x303, t0)
        sfence.vma
        la s6, page0                                    /* s6, s7: two 4 KiB parts */
        li t0, 0x80000000 - VA_MEGA2
        sub s6, s6, t0
        la s7, page1
        sub s7, s7, t0
        ENTER_MODE(MPP_S)
        lw a1, 0(s6)
        CHECK(170, a1, 0x11110000)
        lw a1, 0(s7)
        CHECK(171, a1, 0x11110001)
        BACK_TO_M
        SET_PTE(root, 0x303, zero)
        ENTER_MODE(MPP_S)
        sfence.vma s6
        EXPECT_TRAP(172, lw a1, 0(s7))
        CHECK(173, s2, CAUSE_LOAD_PAGE)
        li TESTNUM, 174
        bne s4, s7, __fail

        /* ---- A and D on a megapage leaf. */
        li t0, (0x80000 << 10) | PTE_V | PTE_R | PTE_W
        SET_PTE(root, 0x303, t0)
        sfence.vma
        ENTER_MODE(MPP_S)
        lw a1, 0(s6)
        BACK_TO_M
        la t0, root + 0x303 * 4
        lw a1, 0(t0)
        CHECK_MASKED(197, a1, PTE_A | PTE_D, PTE_A)
        ENTER_MODE(MPP_S)
        lw a2, 0x40(s7)
        sw a2, 0x40(s7)
        BACK_TO_M
        la t0, root + 0x303 * 4
        lw a1, 0(t0)
        CHECK_MASKED(198, a1, PTE_A | PTE_D, PTE_A | PTE_D)
        SET_PTE(root, 0x303, zero)
        sfence.vma

        /* ---- A fetch sets A too. */
        PTE_FOR(t0, xpage, PTE_V | PTE_X)
        SET_PTE(l1, I_XA, t0)
        sfence.vma
        ENTER_MODE(MPP_S)
        li t0, VA(I_XA)
        li a0, 0
        jalr t0
        CHECK(175, a0, 0x77)
        BACK_TO_M
        la t0, l1 + I_XA * 4
        lw a1, 0(t0)
        CHECK_MASKED(176, a1, PTE_A | PTE_D, PTE_A)

        /* ---- Remapping code: after sfence.vma the new code runs. */
        PTE_FOR(t0, xpage, PTE_V | PTE_X | PTE_A)
        SET_PTE(l1, I_XR, t0)
        sfence.vma
        ENTER_MODE(MPP_S)
        li t0, VA(I_XR)
        li a0, 0
        jalr t0
        CHECK(177, a0, 0x77)
        BACK_TO_M
        PTE_FOR(t0, xpage2, PTE_V | PTE_X | PTE_A)
        SET_PTE(l1, I_XR, t0)
        ENTER_MODE(MPP_S)
        li t0, VA(I_XR)
        sfence.vma t0
        li a0, 0
        jalr t0
        CHECK(178, a0, 0x88)

        /* ---- Two pages in the same set of a direct-mapped TLB keep their own
           permissions (RW at VA(I_RW), read-only at VA(I_ALIAS)). */
        BACK_TO_M
        PTE_FOR(t0, page1, PTE_V | PTE_R | PTE_A)
        SET_PTE(l1, I_ALIAS, t0)
        sfence.vma
        ENTER_MODE(MPP_S)
        li a0, VA(I_RW)
        li a2, VA(I_ALIAS)
        sw zero, 0x20(a0)
        lw a1, 0(a2)
        CHECK(179, a1, 0x11110001)
        sw zero, 0x24(a0)
        EXPECT_TRAP(180, sw zero, 0(a2))
        CHECK(181, s2, CAUSE_STORE_PAGE)
        CHECK(182, s4, VA(I_ALIAS))
        ENTER_MODE(MPP_S)
        li a0, VA(I_RW)
        lw a1, 0(a0)
        CHECK(183, a1, 0x11110000)
        BACK_TO_M

        /* ---- S switches address spaces itself (TVM = 0): code and stack-free data
           stay identity-mapped, VA(I_SF) differs between root (ASID 1) and root2. */
        ENTER_MODE(MPP_S)
        li a0, VA(I_SF)
        li t0, 3
1:      csrw satp, s9
        lw a1, 0(a0)
        CHECK(184, a1, 0x11110004)
        csrw satp, s8
        lw a1, 0(a0)
        CHECK(185, a1, 0x11110003)
        addi t0, t0, -1
        bnez t0, 1b
        BACK_TO_M

        /* ---- Running off the end of an executable page into an unmapped one: an
           instruction page fault at the first address of the next page. */
        PTE_FOR(t0, xpage3, PTE_V | PTE_X | PTE_A)
        SET_PTE(l1, I_XEND, t0)
        sfence.vma
        ENTER_MODE(MPP_S)
        li t0, VA(I_XEND) + 0xff8
        li a0, 0
        EXPECT_TRAP(199, jr t0)
        CHECK(200, s2, CAUSE_FETCH_PAGE)
        CHECK(201, s3, VA(I_XNONE))
        CHECK(202, s4, VA(I_XNONE))
        CHECK(203, a0, 0x99)                            /* the last two ran */

        /* ---- The RSW bits (for software) and G do not change a translation. */
        PTE_FOR(t0, page0, PTE_V | PTE_R | PTE_A | PTE_G | 0x300)
        SET_PTE(l1, I_RSW, t0)
        sfence.vma
        ENTER_MODE(MPP_S)
        li a0, VA(I_RSW)
        lw a1, 0(a0)
        CHECK(206, a1, 0x11110000)
        BACK_TO_M

        /* ---- Code written through one mapping and run through another: after
           fence.i the new instruction runs. */
        PTE_FOR(t0, xpage4, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
        SET_PTE(l1, I_CW, t0)
        PTE_FOR(t0, xpage4, PTE_V | PTE_X | PTE_A)
        SET_PTE(l1, I_CX, t0)
        sfence.vma
        ENTER_MODE(MPP_S)
        li t0, VA(I_CX)
        li a0, 0
        jalr t0
        CHECK(204, a0, 0x55)
        li t0, VA(I_CW)
        li t1, 0x06600513                               /* li a0, 0x66 */
        sw t1, 0(t0)
        fence.i
        li t0, VA(I_CX)
        li a0, 0
        jalr t0
        CHECK(205, a0, 0x66)
        BACK_TO_M

        /* ---- Page faults from U delegated to S: scause, sepc, stval, SPP = U. */
        li a1, (1 << CAUSE_FETCH_PAGE) | (1 << CAUSE_LOAD_PAGE) | (1 << CAUSE_STORE_PAGE)
        csrw medeleg, a1
        ENTER_U
        li a0, VA(I_RW) + 0x30
        U_EXPECT_TRAP(186, ud1: lw a1, 0(a0))           /* → __strap, in S */
        CHECK(187, s2, CAUSE_LOAD_PAGE)
        CHECK(188, s4, VA(I_RW) + 0x30)
        CHECK_MASKED(189, s5, MSTATUS_SPP, 0)
        la t0, ud1                                      /* sepc: ud1's U address */
        li t1, UDELTA
        sub t0, t0, t1
        li TESTNUM, 190
        bne s3, t0, __fail
        BACK_TO_M
        ENTER_U
        li a0, VA(I_RO)
        U_EXPECT_TRAP(191, sw zero, 0(a0))
        CHECK(192, s2, CAUSE_STORE_PAGE)
        CHECK(193, s4, VA(I_RO))
        BACK_TO_M
        ENTER_U
        li a0, VA(I_INV)
        U_EXPECT_TRAP(194, jalr a0)
        CHECK(195, s2, CAUSE_FETCH_PAGE)
        CHECK(196, s4, VA(I_INV))
        BACK_TO_M
        csrw medeleg, zero

        /* ---- satp.MODE = Bare: S uses physical addresses; U too. */
        csrw satp, zero
        sfence.vma
        ENTER_MODE(MPP_S)
        la a0, page0
        lw a1, 0(a0)
        CHECK(160, a1, 0x11110000)
        li a0, VA(I_RW)                                 /* 0xc000_0000: not RAM */
        EXPECT_TRAP(161, lw a1, 0(a0))
        CHECK(162, s2, CAUSE_LOAD_ACCESS)
        CHECK(163, s4, VA(I_RW))
        ENTER_MODE(MPP_U)
        la a0, page3
        lw a1, 0(a0)
        CHECK(164, a1, 0x11110003)
        BACK_TO_M
        CHECK(165, s2, CAUSE_ECALL_U)

        TEST_PASS
        PRIV_END

/* The executable pages: return 0x77 (xpage) or 0x88 (xpage2) in a0. */
        .align 12
xpage:  li a0, 0x77
        ret
        .align 12
xpage2: li a0, 0x88
        ret
        .align 12
xpage4: li a0, 0x55                                     /* rewritten to li a0, 0x66 */
        ret
        .align 12
xpage3: .skip 0xff8                                     /* (zeros: never run) */
        li a0, 0x99                                     /* at 0xff8 */
        nop                                             /* at 0xffc, then off the end */

        .bss
        .align 12
root:   .space 4096
l1:     .space 4096
root2:  .space 4096
l1b:    .space 4096
page0:  .space 4096
page1:  .space 4096
page2:  .space 4096
page3:  .space 4096
page4:  .space 4096
page5:  .space 4096
