/*
 * bench.c: lmbench-like microbenchmarks (cmdline "bench") and the CPU workload as a user
 * process (cmdline "cpu"). Lines read BENCH <name> <iterations> <cycles>; cycles are the
 * machine's cycle counter, i.e. virtual time, which includes what the hypervisor charges.
 */
#include <minios.h>

#define BENCH_VA 0x00800000u

static void bench_line(const char *name, uint32_t n, uint64_t cycles)
{
	printf("BENCH %s %lu %llu\n", name, (unsigned long)n, (unsigned long long)cycles);
}

static int run_prog(int prog, uint32_t arg)
{
	int pid = proc_spawn(prog, arg);
	return pid < 0 ? pid : proc_wait(pid);
}

static uint32_t frames[512];
static struct pt_update ups[512];

static void bench_mappings(void)
{
	const uint32_t n = 512;
	for (uint32_t i = 0; i < n; i++)
		frames[i] = page_alloc();
	uint32_t l1 = pt_l1_for(current_root, BENCH_VA);

	uint64_t t0 = read_cycle();
	for (uint32_t i = 0; i < n; i++)
		arch_pt_set(l1, i, PTE_LEAF(pfn_to_mfn(frames[i]), PTE_R | PTE_W));
	uint64_t t1 = read_cycle();
	bench_line("map-single", n, t1 - t0);
	for (uint32_t i = 0; i < n; i++)
		ups[i] = (struct pt_update){ l1, i, 0 };
	arch_pt_set_many(ups, n);

	for (uint32_t i = 0; i < n; i++)
		ups[i] = (struct pt_update){ l1, i, PTE_LEAF(pfn_to_mfn(frames[i]), PTE_R | PTE_W) };
	t0 = read_cycle();
	arch_pt_set_many(ups, n);
	t1 = read_cycle();
	bench_line("map-batch", n, t1 - t0);
	for (uint32_t i = 0; i < n; i++)
		ups[i] = (struct pt_update){ l1, i, 0 };
	arch_pt_set_many(ups, n);
	arch_pt_set(current_root, VA_ROOT_IDX(BENCH_VA), 0);
	pt_free(l1);
	for (uint32_t i = 0; i < n; i++)
		page_free(frames[i]);
}

void run_bench(void)
{
	run_prog(PROG_BENCH_NULL, 10000);
	run_prog(PROG_BENCH_FAULT, 256);
	int a = proc_spawn(PROG_BENCH_SWITCH, 2 * 1000 + 1), b = proc_spawn(PROG_BENCH_SWITCH, 2 * 1000);
	proc_wait(a);
	proc_wait(b);
	const uint32_t n = 50;
	uint64_t t0 = read_cycle();
	for (uint32_t i = 0; i < n; i++)
		run_prog(PROG_EXIT, 0);
	bench_line("process-create", n, read_cycle() - t0);
	bench_mappings();
}

void run_cpu(void)
{
	int rc = run_prog(PROG_CPU, 30);
	CHECK("cpu", rc == 0, "the workload exited with %d", rc);
}
