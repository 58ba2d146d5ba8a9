/*
 * pv-sched.c: workloads for the scheduler benchmarks (bench/sched.ts), as command-line
 * modes of the PV kernel. Each runs until the domain is destroyed.
 *
 *   sched-hog [peer=D]   a CPU hog: a spin loop that prints "HOG <n>" after every 2^16
 *                        iterations (the benchmark counts lines to measure work done);
 *                        with `peer`, it first offers domain D an event channel and spins
 *                        with event delivery on, as a kernel that talks to D would;
 *   sched-waker [period=US] [work=US]
 *                        wakes every `period` µs (default 5000) on its one-shot timer,
 *                        prints "LAT <ns>" = how late it runs after the deadline, then
 *                        works `work` µs (default 100) before sleeping again;
 *   sched-forkbomb       creates user processes as fast as it can (each a new address
 *                        space: page tables built, validated, pinned, torn down);
 *   sched-thrash         allocates, maps, writes, unmaps and frees 256 pages in a loop
 *                        (batched mmu_updates, page-type changes, TLB flushes);
 *   sched-flood [peer=D] sends events as fast as it can: to itself over a loopback channel,
 *                        or to domain D over the channel D offered it (a hog with peer=).
 *
 * The attacks print a progress line now and then so a run shows they are working.
 */
#include <minios.h>
#include <xen/hypercall.h>

int evtchn_op(int cmd, void *arg);

static volatile uint32_t sink;

static void spin(uint32_t iters)
{
	for (uint32_t i = 0; i < iters; i++)
		sink = sink * 1103515245u + 12345u;
}

extern volatile uint32_t port_events[];

static _Noreturn void hog(uint32_t peer)
{
	evtchn_port_t port = 0;
	if (peer != DOMID_INVALID) {
		struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = (domid_t)peer };
		if (evtchn_op(EVTCHNOP_alloc_unbound, &au) != 0)
			panic("sched-hog: alloc_unbound for domain %lu", (unsigned long)peer);
		struct evtchn_unmask um = { .port = au.port };
		if (evtchn_op(EVTCHNOP_unmask, &um) != 0)
			panic("sched-hog: unmask");
		printf("PORT %lu for domain %lu\n", (unsigned long)au.port, (unsigned long)peer);
		port = au.port;
		csr_set(sstatus, SSTATUS_SIE);
	}
	for (uint32_t n = 1;; n++) {
		spin(1u << 16);
		if (port != 0)
			printf("HOG %lu events %lu\n", (unsigned long)n, (unsigned long)port_events[port]);
		else
			printf("HOG %lu\n", (unsigned long)n);
	}
}

/* Busy for about `us` microseconds of system time. */
static void work_for(uint32_t us)
{
	uint64_t end = arch_now_ns() + (uint64_t)us * 1000;
	while (arch_now_ns() < end)
		spin(64);
}

static _Noreturn void waker(uint32_t period_us, uint32_t work_us)
{
	uint64_t deadline = arch_now_ns();
	for (;;) {
		deadline += (uint64_t)period_us * 1000;
		uint64_t now;
		while ((now = arch_now_ns()) < deadline) {
			arch_timer_set(deadline);
			idle_once();
		}
		printf("LAT %llu\n", (unsigned long long)(now - deadline));
		work_for(work_us);
		now = arch_now_ns();
		if (now > deadline + (uint64_t)period_us * 1000)
			deadline = now;   /* overran a whole period: start again from now */
	}
}

static _Noreturn void forkbomb(void)
{
	int pids[8];
	for (uint32_t round = 1;; round++) {
		int n = 0;
		while (n < 8 && (pids[n] = proc_spawn(PROG_EXIT, 0)) > 0)
			n++;
		for (int i = 0; i < n; i++)
			proc_wait(pids[i]);
		if ((round & 7) == 0)
			printf("FORKBOMB %lu rounds of %d\n", (unsigned long)round, n);
	}
}

#define THRASH_VA    0x00c00000u
#define THRASH_PAGES 256u
static uint32_t frames[THRASH_PAGES];
static struct pt_update ups[THRASH_PAGES];

static _Noreturn void thrash(void)
{
	uint32_t l1 = pt_l1_for(current_root, THRASH_VA);
	for (uint32_t round = 1;; round++) {
		uint32_t n = 0;
		while (n < THRASH_PAGES && (frames[n] = page_alloc()) != 0)
			n++;
		for (uint32_t i = 0; i < n; i++)
			ups[i] = (struct pt_update){ l1, i, PTE_LEAF(pfn_to_mfn(frames[i]), PTE_R | PTE_W) };
		arch_pt_set_many(ups, n);
		for (uint32_t i = 0; i < n; i++) {
			volatile uint32_t *p = (volatile uint32_t *)(THRASH_VA + i * PAGE_SIZE);
			for (uint32_t w = 0; w < PAGE_SIZE / 4; w += 16)
				p[w] = round + w;
		}
		for (uint32_t i = 0; i < n; i++)
			ups[i] = (struct pt_update){ l1, i, 0 };
		arch_pt_set_many(ups, n);
		for (uint32_t i = 0; i < n; i++) {
			arch_flush_va(THRASH_VA + i * PAGE_SIZE);
			page_free(frames[i]);
		}
		if ((round & 7) == 0)
			printf("THRASH %lu rounds of %lu pages\n", (unsigned long)round, (unsigned long)n);
	}
}

static _Noreturn void flood(uint32_t peer)
{
	struct evtchn_bind_interdomain bi = { .remote_dom = DOMID_SELF };
	if (peer == DOMID_INVALID) {
		struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
		if (evtchn_op(EVTCHNOP_alloc_unbound, &au) != 0)
			panic("sched-flood: alloc_unbound");
		bi.remote_port = au.port;
		if (evtchn_op(EVTCHNOP_bind_interdomain, &bi) != 0)
			panic("sched-flood: bind_interdomain");
	} else {
		/* The peer's offered port: the one of its first ports that accepts us. */
		bi.remote_dom = (domid_t)peer;
		int rc = -1;
		for (int tries = 0; tries < 1000 && rc != 0; tries++) {
			for (bi.remote_port = 1; bi.remote_port < 64 && rc != 0; bi.remote_port++)
				rc = evtchn_op(EVTCHNOP_bind_interdomain, &bi);
			if (rc != 0)
				sleep_ns(1000000);
		}
		if (rc != 0)
			panic("sched-flood: domain %lu offered no port", (unsigned long)peer);
	}
	struct evtchn_send s = { .port = bi.local_port };
	for (uint32_t n = 1;; n++) {
		evtchn_op(EVTCHNOP_send, &s);
		if ((n & 0xffff) == 0)
			printf("FLOOD %lu sends\n", (unsigned long)n);
	}
}

int sched_command(void)
{
	if (cmdline_has("sched-hog"))
		hog(cmdline_uint("peer", DOMID_INVALID));
	if (cmdline_has("sched-waker"))
		waker(cmdline_uint("period", 5000), cmdline_uint("work", 100));
	if (cmdline_has("sched-forkbomb"))
		forkbomb();
	if (cmdline_has("sched-thrash"))
		thrash();
	if (cmdline_has("sched-flood"))
		flood(cmdline_uint("peer", DOMID_INVALID));
	return 0;
}
