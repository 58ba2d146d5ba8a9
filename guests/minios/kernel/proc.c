/*
 * proc.c: processes, the scheduler, system calls and the trap handler.
 *
 * A process is a user address space (its own root table), a kernel stack and a saved
 * kernel context; procs[0] is the kernel's main thread (boot stack, kernel root). There is
 * no preemption inside the kernel: a process gives up the CPU by a system call (yield,
 * wait, exit) or when an interrupt arrives while it runs in U-mode. System calls come
 * straight from U-mode through stvec (ecall from U is delegated to the kernel on both
 * flavours: no hypervisor on that path). Page faults in the user range are served on
 * demand with a zeroed frame; any other fault kills the process.
 *
 * Several CPUs (once the arch called proc_smp_start): one process table is the run queue
 * of every CPU, guarded with everything else in the kernel by one spinlock (amoswap), held
 * by whichever CPU runs kernel code: taken on a trap from U-mode, let go on the way back
 * to U-mode and while a CPU idles, and handed along by context switches. Each CPU has its
 * current process, its root table (NEW_BASEPTR on the CPU that runs a process) and an idle
 * context that picks ready processes; a process that becomes ready kicks an idle CPU
 * (an IPI), and a CPU's timer ends each user process's time slice.
 */
#include <minios.h>

#define NPROC       8
#define KSTACK_SIZE 8192

enum { P_FREE, P_READY, P_RUNNING, P_BLOCKED, P_SLEEPING, P_ZOMBIE };

struct proc {
	int pid, state, exit_code, waiting_for;
	uint32_t root;          /* 0: the kernel's */
	uint32_t fault_cause;
	uint64_t wake_at;       /* P_SLEEPING: system time to wake at */
	struct context ctx;
};

static struct proc procs[NPROC] = { [0] = { .pid = 0, .state = P_RUNNING } };
static uint8_t kstacks[NPROC][KSTACK_SIZE] __attribute__((aligned(16)));
struct cpu cpus[MAX_CPUS] = { [0] = { .id = 0, .curproc = &procs[0] } };
#define cur (this_cpu()->curproc)
static int next_pid = 1;
uint32_t page_faults, syscalls, switches;
uint32_t yield_trace[64], yield_count;
uint32_t work_units;
uint32_t smp_cpus = 1;
static uint64_t slice_ns;
static uint32_t smp_sched;  /* proc_smp_start ran: idle contexts, time slices, kicks */
static void (*smp_kick)(uint32_t cpu);
static struct proc idle_procs[MAX_CPUS];
static uint8_t idle_stack0[4096] __attribute__((aligned(16)));
static volatile uint32_t klock = 1;   /* CPU 0 holds it from boot */

static void klock_acquire(void)
{
	while (__atomic_exchange_n(&klock, 1, __ATOMIC_ACQUIRE) != 0)
		while (klock != 0)
			;
}

static void klock_release(void)
{
	__atomic_store_n(&klock, 0, __ATOMIC_RELEASE);
}

static void arm_timer(void);

/* A user process starts a time slice on this CPU (after proc_smp_start). */
static void start_slice(struct cpu *c)
{
	c->slices++;
	c->slice_end = arch_now_ns() + slice_ns;
	arm_timer();
}

static void switch_to(struct proc *p)
{
	struct proc *prev = cur;
	if (prev->state == P_RUNNING)
		prev->state = P_READY;
	p->state = P_RUNNING;
	cur = p;
	switches++;
	uint32_t root = p->root != 0 ? p->root : boot.root_pfn;
	if (root != current_root) {
		current_root = root;
		arch_switch_root(root);
	}
	if (smp_sched) {
		if (p->root != 0)
			start_slice(this_cpu());
		else
			this_cpu()->slice_end = 0;
	}
	context_switch(&prev->ctx, &p->ctx);
}

static struct proc *pick(void)
{
	static int last;   /* the last one picked: on one CPU, always cur */
	int i0 = last;
	for (int k = 1; k <= NPROC; k++) {
		struct proc *p = &procs[(i0 + k) % NPROC];
		if (p->state == P_READY) {
			last = (int)(p - procs);
			return p;
		}
	}
	return NULL;
}

/* p can run: with several CPUs, an idle one is woken to take it. */
static void make_ready(struct proc *p)
{
	p->state = P_READY;
	if (smp_cpus < 2)
		return;
	struct cpu *me = this_cpu();
	for (uint32_t i = 0; i < smp_cpus; i++) {
		if (&cpus[i] != me && cpus[i].idling) {
			cpus[i].idling = 0;
			smp_kick(i);
			return;
		}
	}
}

/* A CPU with nothing to run (after proc_smp_start): idles with the lock let go, takes interrupts
 * with it held, runs whatever becomes ready. */
static _Noreturn void idle_loop(void)
{
	struct cpu *c = this_cpu();
	for (;;) {
		struct proc *p = pick();
		if (p != NULL) {
			switch_to(p);
			continue;
		}
		c->slice_end = 0;
		c->idling = 1;
		klock_release();
		arch_block();
		klock_acquire();
		c->idling = 0;
		csr_set(sstatus, SSTATUS_SIE);
		__asm__ volatile ("nop");
		csr_clear(sstatus, SSTATUS_SIE);
	}
}

static int anyone_sleeping(void)
{
	for (int i = 0; i < NPROC; i++)
		if (procs[i].state == P_SLEEPING)
			return 1;
	return 0;
}

/* Runs the next ready process; with none, the current one goes on if it can, else the
 * CPU idles until an interrupt (a sleeper's timer) makes one ready. */
static void schedule(void)
{
	struct proc *p = pick();
	if (smp_sched && p == NULL) {
		if (cur->state != P_RUNNING) {
			switch_to(this_cpu()->idle);   /* back here when someone switches to us */
		} else if (cur->root != 0 && arch_now_ns() >= this_cpu()->slice_end) {
			start_slice(this_cpu());   /* nobody else wants this CPU: another slice */
		}
		return;
	}
	while (p == NULL && cur->state != P_RUNNING) {
		if (!anyone_sleeping())
			panic("scheduler: nothing to run (pid %d is blocked)", cur->pid);
		idle_once();
		p = pick();
	}
	if (p == NULL)
		return;
	if (p != cur)
		switch_to(p);
	else
		p->state = P_RUNNING;
}

/* Programs this CPU's one-shot timer for the earliest sleeper or the end of its slice. */
static void arm_timer(void)
{
	uint64_t first = ~0ull, end = this_cpu()->slice_end;
	if (end != 0 && end > arch_now_ns())
		first = end;
	for (int i = 0; i < NPROC; i++)
		if (procs[i].state == P_SLEEPING && procs[i].wake_at < first)
			first = procs[i].wake_at;
	if (first != ~0ull)
		arch_timer_set(first);
}

void proc_sleep_until(uint64_t deadline_ns)
{
	cur->wake_at = deadline_ns;
	cur->state = P_SLEEPING;
	arm_timer();
	schedule();
}

void proc_wake_sleepers(void)
{
	uint64_t now = arch_now_ns();
	int left = 0;
	for (int i = 0; i < NPROC; i++) {
		if (procs[i].state != P_SLEEPING)
			continue;
		if (procs[i].wake_at <= now)
			make_ready(&procs[i]);
		else
			left = 1;
	}
	if (left)
		arm_timer();
}

int proc_count(void)
{
	int n = 0;
	for (int i = 1; i < NPROC; i++)
		n += procs[i].state != P_FREE && procs[i].state != P_ZOMBIE;
	return n;
}

void proc_yield(void)
{
	schedule();
}

int proc_spawn(int prog, uint32_t arg)
{
	struct proc *p = NULL;
	for (int i = 1; i < NPROC && p == NULL; i++)
		if (procs[i].state == P_FREE)
			p = &procs[i];
	if (p == NULL)
		return -11;
	uint32_t root = as_create();
	if (root == 0)
		return -12;

	/* The image, in one batch of mappings. */
	static struct pt_update maps[64];
	uint32_t size = (uint32_t)(user_image_end - user_image_start), n = 0;
	if (size > 64 * PAGE_SIZE)
		panic("proc_spawn: the user image has %lu bytes, more than 64 pages", (unsigned long)size);
	uint32_t l1 = pt_l1_for(root, USER_IMAGE);
	for (uint32_t off = 0; off < size; off += PAGE_SIZE) {
		uint32_t pfn = page_alloc();
		if (pfn == 0 || l1 == 0)
			panic("proc_spawn: out of memory");
		uint32_t chunk = size - off < PAGE_SIZE ? size - off : PAGE_SIZE;
		memcpy(pfn_to_kva(pfn), user_image_start + off, chunk);
		maps[n++] = (struct pt_update){ l1, VA_L1_IDX(USER_IMAGE + off),
						PTE_LEAF(pfn_to_mfn(pfn), PTE_U | PTE_R | PTE_W | PTE_X) };
	}
	arch_pt_set_many(maps, n);

	int slot = (int)(p - procs);
	struct trapframe *tf = (struct trapframe *)(kstacks[slot] + KSTACK_SIZE) - 1;
	memset(tf, 0, sizeof(*tf));
	tf->sepc = USER_IMAGE;
	tf->sstatus = (csr_read(sstatus) & ~(SSTATUS_SPP | SSTATUS_SIE)) | SSTATUS_SPIE;
	tf->x[2] = USER_TOP;
	tf->x[10] = (uint32_t)prog;
	tf->x[11] = arg;
	*p = (struct proc){ .pid = next_pid++, .state = P_BLOCKED, .root = root };
	p->ctx.ra = (uint32_t)user_first_entry;
	p->ctx.sp = (uint32_t)tf;
	make_ready(p);
	return p->pid;
}

int proc_wait(int pid)
{
	struct proc *c = NULL;
	for (int i = 1; i < NPROC; i++)
		if (procs[i].state != P_FREE && procs[i].pid == pid)
			c = &procs[i];
	if (c == NULL || c == cur)
		return -10;
	while (c->state != P_ZOMBIE) {
		cur->state = P_BLOCKED;
		cur->waiting_for = pid;
		schedule();
	}
	int code = c->exit_code;
	as_destroy(c->root);
	c->state = P_FREE;
	return code;
}

static _Noreturn void proc_exit(int code)
{
	cur->exit_code = code;
	cur->state = P_ZOMBIE;
	for (int i = 0; i < NPROC; i++)
		if (procs[i].state == P_BLOCKED && procs[i].waiting_for == cur->pid)
			make_ready(&procs[i]);
	schedule();
	panic("a dead process ran");
}

/* Copies user bytes out page by page through the kernel's direct map. */
static int32_t sys_write(uint32_t va, uint32_t len)
{
	if (len > 4096)
		len = 4096;
	uint32_t done = 0;
	while (done < len) {
		uint32_t a = va + done;
		uint32_t pte = a < USER_TOP ? pt_lookup(cur->root, a) : 0;
		if ((pte & (PTE_V | PTE_U | PTE_R)) != (PTE_V | PTE_U | PTE_R))
			return done ? (int32_t)done : -14;
		uint32_t chunk = PAGE_SIZE - (a & (PAGE_SIZE - 1));
		if (chunk > len - done)
			chunk = len - done;
		arch_console_write((const char *)pfn_to_kva(mfn_to_pfn(PTE_MFN(pte))) + (a & (PAGE_SIZE - 1)), chunk);
		done += chunk;
	}
	return (int32_t)done;
}

static void syscall(struct trapframe *tf)
{
	uint32_t *a = &tf->x[10];
	syscalls++;
	switch (tf->x[17]) {
	case SYS_exit: proc_exit((int)a[0]);
	case SYS_write: a[0] = (uint32_t)sys_write(a[0], a[1]); break;
	case SYS_getpid: a[0] = (uint32_t)cur->pid; break;
	case SYS_yield:
		if (yield_count < 64)
			yield_trace[yield_count] = (uint32_t)cur->pid;
		yield_count++;
		proc_yield();
		a[0] = 0;
		break;
	case SYS_null: a[0] = 0; break;
	case SYS_cycles: {
		uint64_t c = read_cycle();
		a[0] = (uint32_t)c;
		a[1] = (uint32_t)(c >> 32);
		break;
	}
	case SYS_spawn: a[0] = (uint32_t)proc_spawn((int)a[0], a[1]); break;
	case SYS_wait: a[0] = (uint32_t)proc_wait((int)a[0]); break;
	case SYS_sleep:
		proc_sleep_until(arch_now_ns() + (((uint64_t)a[1] << 32) | a[0]));
		a[0] = 0;
		break;
	case SYS_work: work_units += a[0]; a[0] = 0; break;
	default: a[0] = (uint32_t)-38; break;
	}
}

/* A fault in the user range on an unmapped page gets a fresh zeroed frame. */
static int demand_fault(uint32_t va)
{
	if (va < USER_IMAGE || va >= USER_TOP || (pt_lookup(cur->root, va) & PTE_V))
		return 0;
	uint32_t pfn = page_alloc();
	if (pfn == 0)
		return 0;
	pt_map(cur->root, va & ~(PAGE_SIZE - 1), PTE_LEAF(pfn_to_mfn(pfn), PTE_U | PTE_R | PTE_W | PTE_X));
	page_faults++;
	return 1;
}

static void user_trap(struct trapframe *tf, uint32_t cause, uint32_t tval)
{
	if (cause & SCAUSE_IRQ) {
		arch_interrupt(cause & ~SCAUSE_IRQ);
		proc_yield();
		return;
	}
	if (cause == CAUSE_ECALL_U) {
		tf->sepc += 4;
		syscall(tf);
		return;
	}
	if ((cause == CAUSE_FETCH_PF || cause == CAUSE_LOAD_PF || cause == CAUSE_STORE_PF) && demand_fault(tval))
		return;
	cur->fault_cause = cause;
	proc_exit(EXIT_KILLED);
}

void trap_handler(struct trapframe *tf)
{
	uint32_t cause = csr_read(scause), tval = csr_read(stval);
	if ((tf->sstatus & SSTATUS_SPP) == 0) {
		/* From U-mode: this CPU's tp back (the process left it in the frame), the lock. */
		tp_cpu = (struct cpu *)tf->cpu;
		klock_acquire();
		user_trap(tf, cause, tval);
		tf->cpu = (uint32_t)this_cpu();   /* maybe another CPU than the one it came from */
		klock_release();
		return;
	}
	if (cause & SCAUSE_IRQ) {
		arch_interrupt(cause & ~SCAUSE_IRQ);
		return;
	}
	if (fault_expected) {
		fault_expected = 0;
		fault_cause = cause;
		fault_addr = tval;
		tf->sepc += 4;
		return;
	}
	panic("kernel trap: scause 0x%lx sepc 0x%lx stval 0x%lx", (unsigned long)cause, (unsigned long)tf->sepc,
	      (unsigned long)tval);
}

/* A new process's first return to U-mode (user_first_entry). */
void proc_first_run(struct trapframe *tf)
{
	tf->cpu = (uint32_t)this_cpu();
	klock_release();
}

/* CPU 0 (the caller, which holds the lock) gets an idle context of its own, user processes
 * time slices of `slice` ns; CPUs 1..ncpus-1 arrive in proc_cpu_main. */
void proc_smp_start(uint32_t ncpus, uint64_t slice, void (*kick)(uint32_t cpu))
{
	for (uint32_t i = 0; i < ncpus; i++) {
		cpus[i].id = i;
		cpus[i].idle = &idle_procs[i];
		idle_procs[i] = (struct proc){ .pid = -1 - (int)i, .state = P_RUNNING };
	}
	idle_procs[0].ctx.ra = (uint32_t)idle_loop;
	idle_procs[0].ctx.sp = (uint32_t)(idle_stack0 + sizeof(idle_stack0));
	slice_ns = slice;
	smp_kick = kick;
	smp_sched = 1;
	__atomic_store_n(&smp_cpus, ncpus, __ATOMIC_SEQ_CST);
}

_Noreturn void proc_cpu_main(void)
{
	klock_acquire();
	struct cpu *c = this_cpu();
	c->curproc = c->idle;
	c->root = boot.root_pfn;
	idle_loop();
}
