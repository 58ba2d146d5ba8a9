/*
 * minios.h: the kernel's one header. Mini-OS-style: a small kernel whose machine-dependent
 * part is an arch layer (arch/native: bare metal under SBI; arch/pv: a paravirtualized
 * guest of tsxen), and whose every other line (kernel/) is shared by both builds.
 *
 * Memory model seen by kernel/ (the PV one, which the native arch mimics):
 *   - pseudo-physical frames 0..boot.nr_pages-1, all mapped in the kernel's direct map at
 *     boot.virt_base + pfn*4096 once mm_init has run;
 *   - page-table entries hold machine frame numbers: pfn_to_mfn()/mfn_to_pfn() translate
 *     (PV: the P2M array and the hypervisor's M2P table; native: a fixed offset);
 *   - a frame becomes a page table through arch_pt_activate() and is written only through
 *     arch_pt_set*() from then on (PV: read-only + pinned; native: plain memory).
 */
#ifndef MINIOS_H
#define MINIOS_H

#include <rt.h>
#include <stdint.h>

#define PAGE_SIZE  4096u
#define PAGE_SHIFT 12

/* Sv32 */
#define PTE_V 0x001u
#define PTE_R 0x002u
#define PTE_W 0x004u
#define PTE_X 0x008u
#define PTE_U 0x010u
#define PTE_G 0x020u
#define PTE_A 0x040u
#define PTE_D 0x080u
#define PTE_TABLE(mfn)       (((uint32_t)(mfn) << 10) | PTE_V)
#define PTE_LEAF(mfn, perm)  (((uint32_t)(mfn) << 10) | (perm) | PTE_V | PTE_A | PTE_D)
#define PTE_MFN(pte)         ((uint32_t)(pte) >> 10)
#define PTE_IS_LEAF(pte)     (((pte) & (PTE_R | PTE_W | PTE_X)) != 0)
#define VA_ROOT_IDX(va)      ((uint32_t)(va) >> 22)
#define VA_L1_IDX(va)        (((uint32_t)(va) >> 12) & 1023u)
#define PT_ENTRIES           1024u

/* User address space: [0, USER_TOP) belongs to the process (root entries 0..255). The
 * image is loaded at USER_IMAGE; everything else up to USER_TOP is zero-filled on demand
 * (bss, heap, and the stack that grows down from USER_TOP). */
#define USER_TOP        0x40000000u
#define USER_IMAGE      0x00400000u
#define USER_ROOT_SLOTS VA_ROOT_IDX(USER_TOP)
#define KERNEL_ROOT_END 1008u       /* slots from here on belong to the hypervisor (PV) */

/* sstatus / sie / sip bits */
#define SSTATUS_SIE  (1u << 1)
#define SSTATUS_SPIE (1u << 5)
#define SSTATUS_SPP  (1u << 8)
#define SSTATUS_SUM  (1u << 18)
#define SIP_SSIP     (1u << 1)
#define SIP_STIP     (1u << 5)
#define SCAUSE_IRQ   0x80000000u
#define IRQ_S_SOFT   1
#define IRQ_S_TIMER  5
#define CAUSE_ILLEGAL    2
#define CAUSE_ECALL_U    8
#define CAUSE_FETCH_PF  12
#define CAUSE_LOAD_PF   13
#define CAUSE_STORE_PF  15

/* ---- what the arch layer found at boot ---- */
struct boot_info {
	uintptr_t virt_base;     /* virtual address of pfn 0 */
	uint32_t nr_pages;       /* pseudo-physical frames */
	uint32_t first_free_pfn; /* frames below are the image and boot structures */
	uint32_t mapped_pages;   /* pfns below are already in the direct map */
	uint32_t root_pfn;       /* the kernel's root page table */
	const char *cmdline;
	const char *flavour;     /* "native" or "pv" */
};
extern struct boot_info boot;

static inline void *pfn_to_kva(uint32_t pfn) { return (void *)(boot.virt_base + (pfn << PAGE_SHIFT)); }
static inline uint32_t kva_to_pfn(const void *p) { return ((uintptr_t)p - boot.virt_base) >> PAGE_SHIFT; }

/* ---- per-CPU state: tp holds this CPU's struct cpu while the kernel runs ---- */
#define MAX_CPUS 8
struct proc;
struct cpu {
	uint32_t id;
	uint32_t root;            /* the root table this CPU runs on (current_root) */
	struct proc *curproc;     /* what this CPU runs */
	struct proc *idle;        /* its idle context (only with several CPUs) */
	volatile uint32_t idling; /* waiting for work: a kick wakes it */
	uint32_t slices;          /* user-process time slices it started */
	uint64_t slice_end;       /* system time the current slice ends; 0: none */
	uint32_t timer_port, ipi_port;   /* PV: its VIRQ_TIMER and IPI event channels */
};
extern struct cpu cpus[MAX_CPUS];
register struct cpu *tp_cpu __asm__("tp");   /* as Linux keeps `current` in tp */
static inline struct cpu *this_cpu(void) { return tp_cpu; }

/* ---- the arch interface (arch/native/ or arch/pv/) ---- */
struct pt_update {
	uint32_t table_pfn;
	uint32_t idx;
	uint32_t pte;
};

void     arch_init(unsigned long boot_arg);  /* fills boot; console works afterwards */
void     arch_init_late(void);               /* after mm_init: interrupts, events, time */
uint32_t pfn_to_mfn(uint32_t pfn);
uint32_t mfn_to_pfn(uint32_t mfn);
void     arch_pt_activate(uint32_t pfn, int level);  /* level 1 = leaf table, 2 = root */
void     arch_pt_deactivate(uint32_t pfn);
void     arch_pt_set(uint32_t table_pfn, uint32_t idx, uint32_t pte);
void     arch_pt_set_many(const struct pt_update *u, uint32_t n);
void     arch_map_current(uintptr_t va, uint32_t table_pfn, uint32_t idx, uint32_t pte);
void     arch_switch_root(uint32_t root_pfn);
void     arch_flush_va(uintptr_t va);
int      arch_writable_pt(void);             /* enable plain stores into leaf tables; 0 = ok */
uint64_t arch_now_ns(void);
void     arch_timer_set(uint64_t deadline_ns);   /* 0 cancels */
void     arch_block(void);                   /* wait for an interrupt; SIE is 0 */
void     arch_interrupt(uint32_t irq);       /* scause without its top bit */
void     arch_console_write(const char *s, uint32_t n);
int      arch_console_getc(void);            /* the next input byte, or -1 */
void     arch_tests(void);                   /* the flavour's own self-tests */
int      arch_command(void);                 /* a command-line mode of the flavour's; 1 if it ran one */
void     arch_poll(void);                    /* long-running modes call this now and then (toolstack requests) */
_Noreturn void arch_poweroff(int failed);

/* ---- kernel/: shared by both builds ---- */
/* main.c */
int  cmdline_has(const char *word);
uint32_t cmdline_uint(const char *key, uint32_t dflt);
void test_result(const char *name, int ok, const char *fmt, ...) __attribute__((format(__printf__, 3, 4)));
#define CHECK(name, cond, ...) test_result(name, (cond), __VA_ARGS__)
extern volatile int fault_expected;          /* a kernel fault skips the instruction instead */
extern volatile uint32_t fault_cause, fault_addr;
_Noreturn void panic(const char *fmt, ...) __attribute__((format(__printf__, 1, 2)));

/* mm.c */
void     mm_init(void);
uint32_t page_alloc(void);                   /* a zeroed frame, or 0 when none is left */
void     page_free(uint32_t pfn);
uint32_t pages_free(void);
uint32_t pt_alloc(int level);                /* a zeroed, activated page table */
void     pt_free(uint32_t pfn);
uint32_t pt_entry(uint32_t table_pfn, uint32_t idx);
uint32_t pt_lookup(uint32_t root_pfn, uintptr_t va);  /* the leaf PTE, or 0 */
uint32_t pt_l1_for(uint32_t root_pfn, uintptr_t va); /* allocates it if needed */
void     pt_map(uint32_t root_pfn, uintptr_t va, uint32_t pte);
void     kmap(uintptr_t va, uint32_t pte);   /* a kernel mapping outside the direct map */
uint32_t as_create(void);                    /* a root with the kernel's entries */
void     as_destroy(uint32_t root_pfn);      /* frees every user frame and table */
#define  current_root (this_cpu()->root)     /* the root table this CPU runs on */

/* time.c */
extern volatile uint32_t timer_fired;
void     timer_expired(void);                /* called by arch_interrupt */
void     sleep_ns(uint64_t ns);
void     idle_once(void);

/* proc.c */
struct trapframe {
	uint32_t x[32];   /* x[0] unused; x[2] = sp at trap time */
	uint32_t sepc;
	uint32_t sstatus;
	uint32_t cpu;     /* struct cpu * the process last returned to U-mode from */
	uint32_t pad;
};
void trap_handler(struct trapframe *tf);
int  proc_spawn(int prog, uint32_t arg);     /* pid, or < 0 */
int  proc_wait(int pid);                     /* exit code */
void proc_yield(void);
void proc_sleep_until(uint64_t deadline_ns);  /* the current process, until system time deadline */
void proc_wake_sleepers(void);               /* from the timer interrupt */
int  proc_count(void);                       /* live user processes */
extern uint32_t work_units;                  /* reported by user processes (SYS_work) */
extern uint32_t page_faults, syscalls, switches;
/* Several CPUs (arch/pv/pv-smp.c): processes run on every CPU that entered proc_cpu_main;
 * a ready process wakes an idle CPU through kick(cpu); each user process gets slice_ns
 * of CPU before the CPU's timer lets the next ready one in. */
extern uint32_t smp_cpus;
void proc_smp_start(uint32_t ncpus, uint64_t slice_ns, void (*kick)(uint32_t cpu));
_Noreturn void proc_cpu_main(void);          /* a secondary CPU, tp = &cpus[id]: runs processes */
#define EXIT_KILLED (-1000)                  /* exit code of a process killed by a fault */

/* the user programs (user/programs.c), selected by the spawn argument */
enum {
	PROG_HELLO, PROG_SYSCALLS, PROG_DEMAND, PROG_YIELDER, PROG_SPAWNER, PROG_EXIT,
	PROG_ISOLATION, PROG_BENCH_NULL, PROG_BENCH_FAULT, PROG_BENCH_SWITCH, PROG_CPU, PROG_WORKER,
};
/* system calls: number in a7, arguments a0..a2, result a0 (and a1) */
enum { SYS_exit, SYS_write, SYS_getpid, SYS_yield, SYS_null, SYS_cycles, SYS_spawn, SYS_wait, SYS_sleep, SYS_work };

/* tests.c, bench.c */
void run_tests(void);
void run_bench(void);
void run_cpu(void);
void run_demo(void);

/* arch/rv32/trap.S */
struct context { uint32_t ra, sp, s[12]; };
void trap_entry(void);
void trap_return(void);
void user_first_entry(void);
void context_switch(struct context *from, struct context *to);
void proc_first_run(struct trapframe *tf);   /* proc.c, from user_first_entry */

extern const uint8_t user_image_start[], user_image_end[];

#endif
