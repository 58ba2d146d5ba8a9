/*
 * pv-smp.c: several vCPUs in one PV domain (the SMP half of issue 5).
 *
 * vCPU 0 brings the others up with VCPUOP_initialise (a vcpu_guest_context: entry point,
 * stack, gp, tp = its per-CPU block, the kernel's root table) and VCPUOP_up. Each
 * secondary vCPU runs with event delivery masked and waits for work with SCHEDOP_poll on
 * its own IPI port (EVTCHNOP_bind_ipi to that vCPU, masked in shared_info so vCPU 0's
 * upcall handler leaves it alone); it answers on vCPU 0's IPI port. Per-CPU data sits in
 * `percpu[]`, reached through tp.
 *
 *   command line "smp [rounds=N] [work=N]": self-tests
 *     smp-up          every vCPU the domain has came up and reported in
 *     smp-ipi         N IPI round trips to every secondary vCPU
 *     smp-parallel    the same spin work on all vCPUs at once vs on vCPU 0 alone; prints
 *                     "SMP parallel <vcpus> <serial ns> <parallel ns>" (the speed-up
 *                     needs as many harts as vCPUs)
 *     smp-runstate    VCPUOP_get_runstate_info: vCPU 1 ran for the parallel phase, now blocked
 *     smp-down        a secondary takes itself offline (VCPUOP_down), is_up says so
 *     smp-up-again    VCPUOP_up resumes it where it stopped, and it answers IPIs again
 *   command line "smp-hog": every vCPU spins for ever (for vcpu-set / vcpu-pin tests).
 *
 *   command line "smp-procs [n=N] [iters=K] [slice=US]": the kernel's processes on every
 *     vCPU (kernel/proc.c after proc_smp_start). Each secondary vCPU gets its own IPI port
 *     (unmasked: a kick wakes it from SCHEDOP_block), its own VIRQ_TIMER (slice ends and
 *     sleepers), stvec = trap_entry and tp = &cpus[i]; N user processes run the CPU
 *     workload for K iterations each (slices of US µs, default 1000); prints
 *     "BENCH smp-procs N <cycles>" (system time / 10 ns, from the first spawn to the last
 *     exit), "SMP cpu I slices S" per vCPU, and PASS smp-procs if every process got the
 *     right digests and every vCPU ran some of their slices.
 */
#include <minios.h>
#include <xen/hypercall.h>

#define STACK_SIZE  4096

enum { CMD_NONE, CMD_PING, CMD_WORK, CMD_DOWN, CMD_HOG };

struct percpu {
	uint32_t id;
	evtchn_port_t port;           /* IPIs to this vCPU */
	volatile uint32_t cmd;
	volatile uint32_t acks;       /* commands completed */
	volatile uint32_t sink;
} __attribute__((aligned(64)));

extern volatile uint32_t port_events[];
extern shared_info_t *shared;
uint32_t pfn_to_mfn(uint32_t pfn);

static struct percpu percpu[MAX_CPUS];
static uint8_t stacks[MAX_CPUS][STACK_SIZE] __attribute__((aligned(16)));
static evtchn_port_t boot_port;   /* IPIs to vCPU 0 */
static volatile uint32_t work_iters;
static uint32_t ncpus;

static int send(evtchn_port_t port)
{
	struct evtchn_send s = { .port = port };
	return HYPERVISOR_event_channel_op(EVTCHNOP_send, &s);
}

static volatile uint32_t *word_of(volatile xen_ulong_t *bits, evtchn_port_t p)
{
	return (volatile uint32_t *)bits + p / 32;
}

static void spin(struct percpu *me, uint32_t iters)
{
	uint32_t x = me->sink;
	for (uint32_t i = 0; i < iters; i++)
		x = x * 1103515245u + 12345u;
	me->sink = x;
}

/* Secondary vCPUs: wait on the own port with SCHEDOP_poll, clear it, do the command. */
static void wait_ipi(struct percpu *me)
{
	volatile uint32_t *pend = word_of(shared->evtchn_pending, me->port);
	uint32_t bit = 1u << (me->port % 32);
	evtchn_port_t ports[1] = { me->port };
	struct sched_poll sp = { .nr_ports = 1, .timeout = 0 };
	sp.ports.p = ports;
	while ((*pend & bit) == 0)
		HYPERVISOR_sched_op(SCHEDOP_poll, &sp);
	__atomic_fetch_and(pend, ~bit, __ATOMIC_SEQ_CST);
}

static _Noreturn void secondary_main(void)
{
	struct percpu *me;
	__asm__ volatile ("mv %0, tp" : "=r"(me));
	HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, me->id, NULL);
	__atomic_fetch_add(&me->acks, 1, __ATOMIC_SEQ_CST);   /* "I am up" */
	send(boot_port);
	for (;;) {
		wait_ipi(me);
		switch (me->cmd) {
		case CMD_WORK:
			spin(me, work_iters);
			break;
		case CMD_DOWN:
			__atomic_fetch_add(&me->acks, 1, __ATOMIC_SEQ_CST);
			send(boot_port);
			HYPERVISOR_vcpu_op(VCPUOP_down, me->id, NULL);
			/* VCPUOP_up resumes here. */
			continue;
		case CMD_HOG:
			for (;;)
				spin(me, 1u << 16);
		default:
			break;
		}
		__atomic_fetch_add(&me->acks, 1, __ATOMIC_SEQ_CST);
		send(boot_port);
	}
}

/* vCPU 0: give vCPU i a command and (unless `wait` is 0) wait until it acknowledges. */
static void command(uint32_t i, uint32_t cmd, int wait)
{
	uint32_t seen = percpu[i].acks;
	percpu[i].cmd = cmd;
	send(percpu[i].port);
	while (wait && percpu[i].acks == seen)
		idle_once();
}

static int bring_up(uint32_t i)
{
	struct percpu *p = &percpu[i];
	p->id = i;
	struct evtchn_bind_ipi bi = { .vcpu = i };
	int rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &bi);
	if (rc != 0)
		return rc;
	p->port = bi.port;
	__atomic_fetch_or(word_of(shared->evtchn_mask, p->port), 1u << (p->port % 32), __ATOMIC_SEQ_CST);

	static struct vcpu_guest_context ctx;
	memset(&ctx, 0, sizeof(ctx));
	uint32_t gp;
	__asm__ volatile ("mv %0, gp" : "=r"(gp));
	ctx.x[2] = (uint32_t)(uintptr_t)&stacks[i][STACK_SIZE];
	ctx.x[3] = gp;
	ctx.x[4] = (uint32_t)(uintptr_t)p;
	ctx.pc = (uint32_t)(uintptr_t)secondary_main;
	ctx.root_mfn = pfn_to_mfn(current_root);
	ctx.sstatus = 1u << 18;   /* SUM, as vCPU 0 */
	rc = HYPERVISOR_vcpu_op(VCPUOP_initialise, i, &ctx);
	if (rc != 0)
		return rc;
	uint32_t seen = p->acks;
	rc = HYPERVISOR_vcpu_op(VCPUOP_up, i, NULL);
	if (rc != 0)
		return rc;
	while (p->acks == seen)
		idle_once();
	return 0;
}

static int setup(void)
{
	struct evtchn_bind_ipi bi = { .vcpu = 0 };
	if (HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &bi) != 0)
		return -1;
	boot_port = bi.port;
	ncpus = 1;
	while (ncpus < MAX_CPUS && HYPERVISOR_vcpu_op(VCPUOP_is_up, ncpus, NULL) >= 0)
		ncpus++;
	for (uint32_t i = 1; i < ncpus; i++) {
		int rc = bring_up(i);
		if (rc != 0) {
			CHECK("smp-up", 0, "vCPU %lu: %d", (unsigned long)i, rc);
			return -1;
		}
	}
	uint32_t up = 1;
	for (uint32_t i = 1; i < ncpus; i++)
		up += HYPERVISOR_vcpu_op(VCPUOP_is_up, i, NULL) == 1;
	CHECK("smp-up", up == ncpus && ncpus > 1, "%lu of %lu vCPUs up", (unsigned long)up, (unsigned long)ncpus);
	printf("SMP vcpus %lu\n", (unsigned long)ncpus);
	return ncpus > 1 ? 0 : -1;
}

static void smp_tests(void)
{
	uint32_t rounds = cmdline_uint("rounds", 100);
	work_iters = cmdline_uint("work", 1u << 20);
	for (uint32_t r = 0; r < rounds; r++)
		for (uint32_t i = 1; i < ncpus; i++)
			command(i, CMD_PING, 1);
	int ok = 1;
	for (uint32_t i = 1; i < ncpus; i++)
		ok &= percpu[i].acks == rounds + 1;
	CHECK("smp-ipi", ok, "acks do not add up");

	/* The same work, first on vCPU 0 alone, then spread over every vCPU. */
	uint64_t t0 = arch_now_ns();
	for (uint32_t i = 0; i < ncpus; i++)
		spin(&percpu[0], work_iters);
	uint64_t t1 = arch_now_ns();
	for (uint32_t i = 1; i < ncpus; i++)
		command(i, CMD_WORK, 0);
	spin(&percpu[0], work_iters);
	for (uint32_t i = 1; i < ncpus; i++)
		while (percpu[i].acks != rounds + 2)
			idle_once();
	uint64_t t2 = arch_now_ns();
	printf("SMP parallel %lu %llu %llu\n", (unsigned long)ncpus, (unsigned long long)(t1 - t0), (unsigned long long)(t2 - t1));
	CHECK("smp-parallel", t2 > t1, "no time passed");

	/* Runstate: vCPU 1 ran its part of the work (one vCPU's serial share) and now waits in SCHEDOP_poll. */
	struct vcpu_runstate_info rs;
	int rrc = HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 1, &rs);
	uint64_t sum = rs.time[0] + rs.time[1] + rs.time[2] + rs.time[3];
	CHECK("smp-runstate", rrc == 0 && rs.time[RUNSTATE_running] >= (t1 - t0) / ncpus * 9 / 10 &&
	      rs.state == RUNSTATE_blocked && rs.state_entry_time <= arch_now_ns() && sum <= arch_now_ns(),
	      "rc %d state %ld running %llu ns", rrc, (long)rs.state, (unsigned long long)rs.time[RUNSTATE_running]);

	/* Hot-unplug the last vCPU and plug it back in. */
	uint32_t last = ncpus - 1;
	command(last, CMD_DOWN, 1);
	int down = 0;
	for (int tries = 0; tries < 1000 && !down; tries++) {
		down = HYPERVISOR_vcpu_op(VCPUOP_is_up, last, NULL) == 0;
		if (!down)
			sleep_ns(100000);
	}
	CHECK("smp-down", down, "vCPU %lu is still up", (unsigned long)last);
	int rc = HYPERVISOR_vcpu_op(VCPUOP_up, last, NULL);
	uint32_t before = percpu[last].acks;
	command(last, CMD_PING, 1);
	CHECK("smp-up-again", rc == 0 && percpu[last].acks == before + 1 &&
	      HYPERVISOR_vcpu_op(VCPUOP_is_up, last, NULL) == 1, "up: %d", rc);
}

static void smp_procs(void);

int smp_command(void)
{
	if (cmdline_has("smp-procs")) {
		smp_procs();
		return 1;
	}
	if (cmdline_has("smp")) {
		if (setup() == 0)
			smp_tests();
		return 1;
	}
	if (cmdline_has("smp-hog")) {
		if (setup() != 0)
			return 1;
		for (uint32_t i = 1; i < ncpus; i++)
			command(i, CMD_HOG, 0);
		for (;;)
			spin(&percpu[0], 1u << 16);
	}
	return 0;
}

/* ---- smp-procs ---- */
static volatile uint32_t cpus_online;

static void kick(uint32_t cpu)
{
	send(cpus[cpu].ipi_port);
}

static _Noreturn void proc_secondary(void)
{
	struct cpu *c = this_cpu();
	HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, c->id, NULL);
	volatile struct vcpu_info *v = &shared->vcpu_info[c->id];
	v->evtchn_upcall_mask = 0;
	__asm__ volatile ("fence rw, rw" ::: "memory");
	if (v->evtchn_upcall_pending)
		csr_set(sip, SIP_SSIP);
	__atomic_fetch_add(&cpus_online, 1, __ATOMIC_SEQ_CST);
	kick(0);
	proc_cpu_main();
}

static int procs_bring_up(uint32_t i)
{
	struct cpu *c = &cpus[i];
	struct evtchn_bind_ipi bi = { .vcpu = i };
	int rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &bi);
	if (rc != 0)
		return rc;
	c->ipi_port = bi.port;
	if (i == 0)
		return 0;
	struct evtchn_bind_virq bv = { .virq = VIRQ_TIMER, .vcpu = i };
	rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bv);
	if (rc != 0)
		return rc;
	c->timer_port = bv.port;

	static struct vcpu_guest_context ctx;
	memset(&ctx, 0, sizeof(ctx));
	uint32_t gp;
	__asm__ volatile ("mv %0, gp" : "=r"(gp));
	ctx.x[2] = (uint32_t)(uintptr_t)&stacks[i][STACK_SIZE];
	ctx.x[3] = gp;
	ctx.x[4] = (uint32_t)(uintptr_t)c;
	ctx.pc = (uint32_t)(uintptr_t)proc_secondary;
	ctx.root_mfn = pfn_to_mfn(boot.root_pfn);
	ctx.stvec = (uint32_t)(uintptr_t)trap_entry;
	ctx.sstatus = SSTATUS_SUM;
	ctx.sie = SIP_SSIP;
	rc = HYPERVISOR_vcpu_op(VCPUOP_initialise, i, &ctx);
	return rc != 0 ? rc : HYPERVISOR_vcpu_op(VCPUOP_up, i, NULL);
}

static void smp_procs(void)
{
	uint32_t n = cmdline_uint("n", 4), iters = cmdline_uint("iters", 2), slice_us = cmdline_uint("slice", 1000);
	if (n < 1 || n > 7)
		n = n < 1 ? 1 : 7;   /* the process table has room for 7 beside the kernel's */
	ncpus = 1;
	while (ncpus < MAX_CPUS && HYPERVISOR_vcpu_op(VCPUOP_is_up, ncpus, NULL) >= 0)
		ncpus++;
	proc_smp_start(ncpus, (uint64_t)(slice_us ? slice_us : 1) * 1000, kick);
	for (uint32_t i = 0; i < ncpus; i++) {
		int rc = procs_bring_up(i);
		if (rc != 0) {
			CHECK("smp-procs", 0, "bringing up vCPU %lu: %d", (unsigned long)i, rc);
			return;
		}
	}
	while (cpus_online != ncpus - 1)
		idle_once();
	printf("SMP vcpus %lu\n", (unsigned long)ncpus);

	int pids[7], bad = 0;
	uint64_t t0 = arch_now_ns();
	for (uint32_t i = 0; i < n; i++)
		pids[i] = proc_spawn(PROG_CPU, iters);
	for (uint32_t i = 0; i < n; i++)
		bad += pids[i] < 0 || proc_wait(pids[i]) != 0;
	uint64_t t1 = arch_now_ns();
	printf("BENCH smp-procs %lu %llu\n", (unsigned long)n, (unsigned long long)((t1 - t0) / 10));
	uint32_t idle_cpus = 0;
	for (uint32_t i = 0; i < ncpus; i++) {
		printf("SMP cpu %lu slices %lu\n", (unsigned long)i, (unsigned long)cpus[i].slices);
		idle_cpus += cpus[i].slices == 0;
	}
	CHECK("smp-procs", bad == 0 && (idle_cpus == 0 || ncpus > n),
	      "%d processes failed, %lu vCPUs ran none", bad, (unsigned long)idle_cpus);
}
