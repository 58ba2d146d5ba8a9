/*
 * tests.c: the self-tests both flavours share. Each prints PASS <name> or FAIL <name>: why.
 * The flavour adds its own (arch_tests: events, reservation, multicall... on PV).
 */
#include <minios.h>

#define TEST_VA 0x00100000u  /* a kernel-only test mapping in the (empty) user range */

extern uint32_t yield_trace[64], yield_count;

static void test_console(void)
{
	CHECK("console", 1, "unreachable");   /* this very line went through the console path */
}

static void test_time(void)
{
	uint64_t t0 = arch_now_ns();
	for (volatile int i = 0; i < 20000; i++)
		;
	uint64_t t1 = arch_now_ns();
	CHECK("time", t1 > t0 && t1 - t0 < 1000000000ull, "now went from %llu to %llu ns",
	      (unsigned long long)t0, (unsigned long long)t1);
}

/* A fresh address space with one kernel mapping at TEST_VA: switch to it and read through it. */
static void test_pt_switch(void)
{
	uint32_t root = as_create(), data = page_alloc();
	if (root == 0 || data == 0) {
		CHECK("pt-build-switch", 0, "out of memory");
		return;
	}
	*(volatile uint32_t *)pfn_to_kva(data) = 0xC0FFEE11;
	pt_map(root, TEST_VA, PTE_LEAF(pfn_to_mfn(data), PTE_R | PTE_W));
	uint32_t saved = current_root;
	current_root = root;
	arch_switch_root(root);
	uint32_t seen = *(volatile uint32_t *)TEST_VA;
	*(volatile uint32_t *)(TEST_VA + 4) = 0x5A5A5A5A;
	current_root = saved;
	arch_switch_root(saved);
	uint32_t back = ((volatile uint32_t *)pfn_to_kva(data))[1];
	as_destroy(root);   /* frees data too */
	CHECK("pt-build-switch", seen == 0xC0FFEE11 && back == 0x5A5A5A5A, "read 0x%lx, wrote back 0x%lx",
	      (unsigned long)seen, (unsigned long)back);
}

/* Maps n frames at TEST_VA.. in the current (kernel) address space, one by one or in one batch. */
static uint32_t test_frames[512];
static struct pt_update ups[512];

static int map_range(uint32_t l1, uint32_t n, int batched)
{
	for (uint32_t i = 0; i < n; i++) {
		uint32_t pte = PTE_LEAF(pfn_to_mfn(test_frames[i]), PTE_R | PTE_W);
		if (batched)
			ups[i] = (struct pt_update){ l1, VA_L1_IDX(TEST_VA) + i, pte };
		else
			arch_pt_set(l1, VA_L1_IDX(TEST_VA) + i, pte);
	}
	if (batched)
		arch_pt_set_many(ups, n);
	for (uint32_t i = 0; i < n; i++)
		arch_flush_va(TEST_VA + i * PAGE_SIZE);
	int ok = 1;
	for (uint32_t i = 0; i < n; i++)
		ok &= ((volatile uint32_t *)(TEST_VA + i * PAGE_SIZE))[3] == test_frames[i] * 3u + 1u;
	return ok;
}

static void unmap_range(uint32_t l1, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		ups[i] = (struct pt_update){ l1, VA_L1_IDX(TEST_VA) + i, 0 };
	arch_pt_set_many(ups, n);
	for (uint32_t i = 0; i < n; i++)
		arch_flush_va(TEST_VA + i * PAGE_SIZE);
}

static void test_pt_updates(void)
{
	const uint32_t n = 64;
	for (uint32_t i = 0; i < n; i++) {
		test_frames[i] = page_alloc();
		((uint32_t *)pfn_to_kva(test_frames[i]))[3] = test_frames[i] * 3u + 1u;
	}
	uint32_t l1 = pt_l1_for(current_root, TEST_VA);
	CHECK("pt-single", map_range(l1, 16, 0), "a page mapped one by one reads wrong");
	unmap_range(l1, 16);
	CHECK("pt-batch", map_range(l1, n, 1), "a page mapped in a batch reads wrong");
	unmap_range(l1, n);

	/* Writable page tables: a plain store into the (on PV read-only) leaf table. */
	int rc = arch_writable_pt();
	volatile uint32_t *entry = (volatile uint32_t *)pfn_to_kva(l1) + VA_L1_IDX(TEST_VA);
	fault_expected = 1;
	*entry = PTE_LEAF(pfn_to_mfn(test_frames[5]), PTE_R | PTE_W);
	int faulted = !fault_expected;
	fault_expected = 0;
	arch_flush_va(TEST_VA);
	uint32_t seen = faulted ? 0 : *(volatile uint32_t *)(TEST_VA + 12);
	CHECK("pt-writable", rc == 0 && !faulted && seen == test_frames[5] * 3u + 1u,
	      "vm_assist rc %d, store faulted %d (scause %lu), read 0x%lx", rc, faulted,
	      (unsigned long)fault_cause, (unsigned long)seen);
	fault_expected = 1;
	*entry = 0;
	fault_expected = 0;
	arch_flush_va(TEST_VA);

	/* Pinning: the leaf table leaves service (unpinned, plain memory again) and comes back. */
	arch_pt_set(current_root, VA_ROOT_IDX(TEST_VA), 0);
	arch_flush_va(TEST_VA);
	pt_free(l1);
	uint32_t again = pt_alloc(1);
	arch_pt_set(current_root, VA_ROOT_IDX(TEST_VA), PTE_TABLE(pfn_to_mfn(again)));
	arch_pt_set(again, VA_L1_IDX(TEST_VA), PTE_LEAF(pfn_to_mfn(test_frames[7]), PTE_R));
	arch_flush_va(TEST_VA);
	uint32_t v = *(volatile uint32_t *)(TEST_VA + 12);
	arch_pt_set(again, VA_L1_IDX(TEST_VA), 0);
	arch_pt_set(current_root, VA_ROOT_IDX(TEST_VA), 0);
	arch_flush_va(TEST_VA);
	pt_free(again);
	CHECK("pin-unpin", v == test_frames[7] * 3u + 1u, "read 0x%lx through a re-pinned table", (unsigned long)v);
	for (uint32_t i = 0; i < n; i++)
		page_free(test_frames[i]);
}

static void test_timer(void)
{
	uint32_t fired = timer_fired;
	uint64_t t0 = arch_now_ns();
	sleep_ns(2000000);
	uint64_t dt = arch_now_ns() - t0;
	/* No upper bound: with many domains the wake-up waits for this vCPU's next slice. */
	CHECK("timer", timer_fired > fired && dt >= 2000000, "%lu expiries, slept %llu ns",
	      (unsigned long)(timer_fired - fired), (unsigned long long)dt);
	printf("  (a 2 ms sleep took %llu us)\n", (unsigned long long)(dt / 1000));
	fired = timer_fired;
	t0 = arch_now_ns();
	for (int i = 0; i < 5; i++)
		sleep_ns(500000);
	dt = arch_now_ns() - t0;
	CHECK("block-wakeup", timer_fired - fired >= 5 && dt >= 2500000, "%lu wake-ups in %llu ns",
	      (unsigned long)(timer_fired - fired), (unsigned long long)dt);
}

static int run_prog(int prog, uint32_t arg)
{
	int pid = proc_spawn(prog, arg);
	return pid < 0 ? pid : proc_wait(pid);
}

static void test_processes(void)
{
	uint32_t free0 = pages_free();
	int rc = run_prog(PROG_HELLO, 0);
	CHECK("user-process", rc == 42, "exit code %d", rc);
	uint32_t sc = syscalls;
	rc = run_prog(PROG_SYSCALLS, 0);
	CHECK("syscall", rc == 0 && syscalls - sc >= 102, "exit code %d after %lu calls", rc,
	      (unsigned long)(syscalls - sc));
	uint32_t pf = page_faults;
	rc = run_prog(PROG_DEMAND, 0);
	CHECK("demand-paging", rc == 0 && page_faults - pf >= 19, "exit code %d after %lu faults", rc,
	      (unsigned long)(page_faults - pf));

	yield_count = 0;
	int a = proc_spawn(PROG_YIELDER, 20), b = proc_spawn(PROG_YIELDER, 20);
	int ra = proc_wait(a), rb = proc_wait(b);
	uint32_t alternations = 0;
	for (uint32_t i = 1; i < yield_count && i < 40; i++)
		alternations += yield_trace[i] != yield_trace[i - 1];
	CHECK("context-switch", ra == 0 && rb == 0 && alternations >= 30, "exit codes %d %d, %lu alternations in %lu yields",
	      ra, rb, (unsigned long)alternations, (unsigned long)yield_count);

	rc = run_prog(PROG_SPAWNER, 0);
	CHECK("process-create", rc == 0, "spawner exit code %d", rc);
	rc = run_prog(PROG_ISOLATION, (uint32_t)boot.virt_base);
	CHECK("user-isolation", rc == EXIT_KILLED, "a user read of kernel memory gave exit code %d", rc);
	CHECK("no-leak", pages_free() == free0, "%lu frames free before the processes, %lu after",
	      (unsigned long)free0, (unsigned long)pages_free());
}

void run_tests(void)
{
	test_console();
	test_time();
	test_pt_switch();
	test_pt_updates();
	test_timer();
	test_processes();
	arch_tests();
}
