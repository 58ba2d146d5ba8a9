/*
 * programs.c: the user programs of the self-tests and benchmarks, one image, chosen by
 * the first argument. Each reports through its exit code (0 = as expected) and, for the
 * benchmarks, prints its BENCH line itself.
 */
#include "user.h"
#include "../../bench/cpu/bench.h"
#include "../../bench/cpu/expected.h"

#define DEMAND_PAGES 16

static uint32_t counter_in_data = 0x1234;
static uint32_t big_bss[DEMAND_PAGES * 1024];

static int hello(void)
{
	long pid = syscall3(SYS_getpid, 0, 0, 0);
	printf("hello from user process %ld\n", pid);
	return pid > 0 && counter_in_data == 0x1234 ? 42 : 1;
}

static int syscalls(void)
{
	for (int i = 0; i < 100; i++)
		if (syscall3(SYS_null, i, 0, 0) != 0)
			return 1;
	return syscall3(99, 0, 0, 0) == -38 ? 0 : 2;   /* unknown call: -ENOSYS */
}

/* Touches fresh pages in .bss and on the stack: each first touch is a demand fault. */
static int demand(void)
{
	volatile uint32_t stack_pages[3 * 1024];
	for (int i = 0; i < DEMAND_PAGES; i++)
		big_bss[i * 1024 + i] = (uint32_t)i * 7u + 1u;
	for (int i = 0; i < 3; i++)
		stack_pages[i * 1024] = (uint32_t)i;
	uint32_t sum = 0;
	for (int i = 0; i < DEMAND_PAGES; i++)
		sum += big_bss[i * 1024 + i] + big_bss[i * 1024 + 1023 - i];
	for (int i = 0; i < 3; i++)
		sum += stack_pages[i * 1024];
	return sum == (uint32_t)(7 * (DEMAND_PAGES * (DEMAND_PAGES - 1) / 2) + DEMAND_PAGES + 3) ? 0 : 1;
}

static int yielder(uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		syscall3(SYS_yield, 0, 0, 0);
	return 0;
}

static int spawner(void)
{
	long pid = syscall3(SYS_spawn, PROG_EXIT, 7, 0);
	if (pid <= 0)
		return 1;
	return syscall3(SYS_wait, pid, 0, 0) == 7 ? 0 : 2;
}

/* Reads a kernel address: must be killed, never reach the return. */
static int isolation(uint32_t kernel_va)
{
	volatile uint32_t *p = (volatile uint32_t *)kernel_va;
	return (int)*p | 1;
}

static void bench_line(const char *name, uint32_t n, uint64_t cycles)
{
	printf("BENCH %s %lu %llu\n", name, (unsigned long)n, (unsigned long long)cycles);
}

static int bench_null(uint32_t n)
{
	uint64_t t0 = sys_cycles();
	for (uint32_t i = 0; i < n; i++)
		syscall3(SYS_null, 0, 0, 0);
	uint64_t t1 = sys_cycles();
	bench_line("null-syscall", n, t1 - t0);
	return 0;
}

static int bench_fault(uint32_t n)
{
	volatile uint8_t *heap = (volatile uint8_t *)0x10000000u;
	uint64_t t0 = sys_cycles();
	for (uint32_t i = 0; i < n; i++)
		heap[i * 4096u] = 1;
	uint64_t t1 = sys_cycles();
	bench_line("page-fault", n, t1 - t0);
	return 0;
}

/* Two of these yield to each other; the first one times the whole exchange. */
static int bench_switch(uint32_t arg)
{
	uint32_t n = arg >> 1;
	uint64_t t0 = sys_cycles();
	for (uint32_t i = 0; i < n; i++)
		syscall3(SYS_yield, 0, 0, 0);
	uint64_t t1 = sys_cycles();
	if (arg & 1)
		bench_line("context-switch", 2 * n, t1 - t0);
	return 0;
}

static const struct {
	uint32_t (*run)(uint32_t seed);
} kernels[6] = { { bench_list }, { bench_tree }, { bench_sort }, { bench_hash }, { bench_matrix }, { bench_scan } };
uint32_t bench_faults;

static int cpu(uint32_t iterations)
{
	bench_hash_init();
	bench_scan_init();
	uint32_t failures = 0;
	uint64_t t0 = sys_cycles();
	for (uint32_t it = 0; it < iterations; it++) {
		uint32_t v = it % NVARIANTS, seed = 0x2545f491u * (v + 1) ^ 0x5eed0001u;
		for (uint32_t k = 0; k < 6; k++)
			if (kernels[k].run(seed) != expected[v][k])
				failures++;
	}
	uint64_t t1 = sys_cycles();
	if (failures != 0 || bench_faults != 0) {
		printf("cpu: %lu wrong digests\n", (unsigned long)failures);
		return 1;
	}
	bench_line("cpu", 1, t1 - t0);
	return 0;
}

/* The demo's worker: bursts of 20 work units (~10k instructions each), 50 ms apart. */
static _Noreturn int worker(uint32_t id)
{
	uint32_t seed = 0x9e3779b9u * (id + 1), h = 0;
	for (;;) {
		for (int u = 0; u < 20; u++)
			for (int i = 0; i < 2000; i++)
				h = mix32(h, lcg_next(&seed));
		syscall3(SYS_work, 20, (long)h, 0);
		syscall3(SYS_sleep, 50000000, 0, 0);
	}
}

int umain(int prog, uint32_t arg)
{
	switch (prog) {
	case PROG_HELLO: return hello();
	case PROG_SYSCALLS: return syscalls();
	case PROG_DEMAND: return demand();
	case PROG_YIELDER: return yielder(arg);
	case PROG_SPAWNER: return spawner();
	case PROG_EXIT: return (int)arg;
	case PROG_ISOLATION: return isolation(arg);
	case PROG_BENCH_NULL: return bench_null(arg);
	case PROG_BENCH_FAULT: return bench_fault(arg);
	case PROG_BENCH_SWITCH: return bench_switch(arg);
	case PROG_CPU: return cpu(arg);
	case PROG_WORKER: return worker(arg);
	default: return 99;
	}
}
