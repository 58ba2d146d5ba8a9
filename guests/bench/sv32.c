/*
 * bench-cpu-sv32: the CPU workload (cpu/) run as a U-mode process with Sv32 paging on,
 * so that every instruction fetch, load and store goes through address translation —
 * the "MMU on" row of `npm run bench:cpu`.
 *
 * This file is the image's M-mode part. It builds a two-level page table that maps, with
 * 4 KiB pages, the first 4 MiB of RAM (the image: code, data, bss) and the 4 MiB below
 * the stack top, each page to itself, user-accessible; and the finisher and UART with
 * two megapages. It turns translation on (satp), opens the counters to U-mode, grants
 * all physical memory in PMP entry 0 (QEMU enforces PMP on U-mode; tsxen has no PMP),
 * and drops to U-mode at user_entry, which runs the workload's main (cpu/main.c,
 * compiled as bench_main) and exits through the finisher. Any trap ends the run through
 * the runtime's fatal-trap report (crt0-m.S): the workload needs no system calls.
 *
 * It runs unchanged on QEMU virt -bios none and on tsxen run-native --bios none.
 */
#include <rt.h>

int bench_main(unsigned long hartid);

#define PTE_V 0x01u
#define PTE_R 0x02u
#define PTE_W 0x04u
#define PTE_X 0x08u
#define PTE_U 0x10u
#define PTE_A 0x40u
#define PTE_D 0x80u
#define RAM_PAGE (PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D)
#define DEV_PAGE (PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D)

#define MEGA 0x400000u
#define FINISHER_BASE 0x00100000u
#define UART_BASE 0x10000000u
#define IMAGE_BASE 0x80000000u

extern char __stack_top[];

static uint32_t root[1024] __attribute__((aligned(4096)));
static uint32_t image_table[1024] __attribute__((aligned(4096)));
static uint32_t stack_table[1024] __attribute__((aligned(4096)));

static uint32_t pte(uint32_t pa, uint32_t flags)
{
	return ((pa >> 12) << 10) | flags;
}

/* Maps the 4 MiB that start at `base` with 4 KiB pages of `table`, each to itself. */
static void map_identity(uint32_t *table, uint32_t base)
{
	root[base >> 22] = pte((uint32_t)(uintptr_t)table, PTE_V);
	for (uint32_t i = 0; i < 1024; i++)
		table[i] = pte(base + i * 4096u, RAM_PAGE);
}

static _Noreturn void user_entry(void)
{
	exit(bench_main(0));
}

int main(unsigned long hartid)
{
	(void)hartid;
	map_identity(image_table, IMAGE_BASE);
	map_identity(stack_table, (uint32_t)(uintptr_t)__stack_top - MEGA);
	root[FINISHER_BASE >> 22] = pte(FINISHER_BASE & ~(MEGA - 1), DEV_PAGE);
	root[UART_BASE >> 22] = pte(UART_BASE & ~(MEGA - 1), DEV_PAGE);

	csr_write(pmpaddr0, 0xffffffffu);      /* NAPOT: all of physical memory */
	csr_write(pmpcfg0, 0x1fu);             /* R | W | X | A=NAPOT */
	csr_write(mcounteren, 7);
	csr_write(scounteren, 7);
	csr_write(satp, 0x80000000u | ((uint32_t)(uintptr_t)root >> 12));
	__asm__ volatile ("sfence.vma" : : : "memory");
	csr_clear(mstatus, 3u << 11);          /* MPP = U */
	csr_write(mepc, (uintptr_t)user_entry);
	__asm__ volatile ("mret");
	__builtin_unreachable();
}
