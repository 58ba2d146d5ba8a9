/*
 * The native arch layer: minios on bare metal (S-mode under tsxen's SBI firmware).
 * Its own page tables are plain memory written with stores and made effective with
 * sfence.vma; satp is written directly; time is rdtime; the timer is the SBI's, arriving
 * as STIP; the console is the SBI debug console. Memory is a fixed 8 MiB from the load
 * address, pfn n at physical 0x80400000 + n*4096, mapped at the same virtual address.
 */
#include <minios.h>

#define NATIVE_BASE  0x80400000u
#define NATIVE_PAGES 2048u
#define BASE_MFN     (NATIVE_BASE >> PAGE_SHIFT)
#ifndef MINIOS_CMDLINE
#define MINIOS_CMDLINE ""
#endif

extern char _end[];
static const char cmdline[] = MINIOS_CMDLINE;
static volatile uint32_t ipis;

static long sbi(unsigned long eid, unsigned long fid, unsigned long a0, unsigned long a1, unsigned long a2)
{
	return sbi_ecall(eid, fid, a0, a1, a2).error;
}
#define SBI_TIME 0x54494D45
#define SBI_IPI  0x735049
#define SBI_SRST 0x53525354
#define SBI_DBCN 0x4442434E

static inline void sfence_all(void) { __asm__ volatile ("sfence.vma" ::: "memory"); }
static inline void sfence_va(uintptr_t va) { __asm__ volatile ("sfence.vma %0" :: "r"(va) : "memory"); }

void arch_init(unsigned long hartid)
{
	(void)hartid;
	uint32_t image_pages = ((uintptr_t)_end - NATIVE_BASE + PAGE_SIZE - 1) / PAGE_SIZE;
	boot.virt_base = NATIVE_BASE;
	boot.nr_pages = NATIVE_PAGES;
	boot.root_pfn = image_pages;             /* paging is off: every frame is reachable */
	memset(pfn_to_kva(boot.root_pfn), 0, PAGE_SIZE);
	boot.first_free_pfn = image_pages + 1;
	boot.mapped_pages = 0;
	boot.cmdline = cmdline;
	boot.flavour = "native";
	csr_write(scounteren, 7);                /* user programs read cycle/time/instret */
}

void arch_init_late(void)
{
	csr_set(sie, SIP_SSIP | SIP_STIP);
}

uint32_t pfn_to_mfn(uint32_t pfn) { return pfn + BASE_MFN; }
uint32_t mfn_to_pfn(uint32_t mfn) { return mfn - BASE_MFN; }
void arch_pt_activate(uint32_t pfn, int level) { (void)pfn; (void)level; }
void arch_pt_deactivate(uint32_t pfn) { (void)pfn; }

void arch_pt_set(uint32_t table_pfn, uint32_t idx, uint32_t pte)
{
	((volatile uint32_t *)pfn_to_kva(table_pfn))[idx] = pte;
	sfence_all();
}

void arch_pt_set_many(const struct pt_update *u, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		((volatile uint32_t *)pfn_to_kva(u[i].table_pfn))[u[i].idx] = u[i].pte;
	sfence_all();
}

void arch_map_current(uintptr_t va, uint32_t table_pfn, uint32_t idx, uint32_t pte)
{
	((volatile uint32_t *)pfn_to_kva(table_pfn))[idx] = pte;
	sfence_va(va);
}

void arch_switch_root(uint32_t root_pfn)
{
	csr_write(satp, 0x80000000u | pfn_to_mfn(root_pfn));
	sfence_all();
}

void arch_flush_va(uintptr_t va) { sfence_va(va); }
int arch_writable_pt(void) { return 0; }
uint64_t arch_now_ns(void) { return read_time() * 100; }

void arch_timer_set(uint64_t deadline_ns)
{
	uint64_t t = deadline_ns == 0 ? ~0ull : deadline_ns / 100;
	sbi(SBI_TIME, 0, (uint32_t)t, (uint32_t)(t >> 32), 0);
}

void arch_block(void)
{
	__asm__ volatile ("wfi");
}

void arch_interrupt(uint32_t irq)
{
	if (irq == IRQ_S_TIMER) {
		arch_timer_set(0);   /* clears STIP */
		timer_expired();
	} else if (irq == IRQ_S_SOFT) {
		csr_clear(sip, SIP_SSIP);
		ipis++;
	} else {
		panic("unexpected interrupt %lu", (unsigned long)irq);
	}
}

/* Line-buffered; the direct map is the identity, so the buffer's address is physical. */
static char line[256];
static uint32_t used;

static void flush(void)
{
	if (used)
		sbi(SBI_DBCN, 0, used, (uintptr_t)line, 0);
	used = 0;
}

void arch_console_write(const char *s, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		line[used++] = s[i];
		if (s[i] == '\n' || used == sizeof(line))
			flush();
	}
}

int arch_console_getc(void)
{
	long c = sbi(0x02, 0, 0, 0, 0);   /* legacy console_getchar: -1 when nothing is waiting */
	return c < 0 ? -1 : (int)(c & 0xff);
}

void arch_tests(void)
{
	uint32_t before = ipis;
	sbi(SBI_IPI, 0, 1, 0, 0);            /* to this hart (hart 0) */
	for (int i = 0; i < 10 && ipis == before; i++)
		idle_once();
	CHECK("ipi", ipis == before + 1, "%lu software interrupts arrived", (unsigned long)(ipis - before));
}

int arch_command(void)
{
	return 0;
}

void arch_poll(void)
{
}

_Noreturn void arch_poweroff(int failed)
{
	flush();
	sbi(SBI_SRST, 0, 0, failed ? 1 : 0, 0);
	for (;;)
		__asm__ volatile ("wfi");
}
