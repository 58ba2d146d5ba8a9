/*
 * The PV arch layer: minios as a paravirtualized guest of tsxen (docs/pv-abi.md).
 * Page tables change only through the hypervisor (mmu_update, batched; update_va_mapping
 * for the current address space; mmuext_op to pin, unpin and switch roots), frames are
 * translated through the P2M array the builder gave us and the hypervisor's M2P table,
 * time comes from vcpu_time_info, the timer from set_timer_op + VIRQ_TIMER, interrupts
 * are event channels delivered as the supervisor software interrupt, idling is
 * SCHEDOP_block, the console is console_io, and poweroff is SCHEDOP_shutdown.
 */
#include <minios.h>
#include <xen/hypercall.h>
#include "../../drivers/xenbus.h"
#include "../../drivers/balloon.h"

#define FIXMAP_SHARED_INFO 0xF0000000u
#define NR_PORTS_HANDLED   128

extern char _start[];
start_info_t *start_info;
static uint32_t *p2m;
static const volatile uint32_t *const m2p = (const volatile uint32_t *)MACH2PHYS_VIRT_START;
shared_info_t *shared;
#define my_vcpu() (&shared->vcpu_info[this_cpu()->id])   /* this vCPU's slot */
evtchn_port_t timer_port;
volatile uint32_t port_events[NR_PORTS_HANDLED];

static void check(int rc, const char *what)
{
	if (rc < 0)
		panic("%s failed: %d", what, rc);
}

void arch_init(unsigned long arg)
{
	start_info = (start_info_t *)arg;
	boot.virt_base = (uintptr_t)_start & ~0x3FFFFFu;
	boot.nr_pages = (uint32_t)start_info->nr_pages;
	boot.cmdline = start_info->cmd_line;
	boot.flavour = "pv";
	p2m = (uint32_t *)(uintptr_t)start_info->mfn_list;
	uint32_t pt_pfn = kva_to_pfn((void *)(uintptr_t)start_info->pt_base);
	boot.root_pfn = pt_pfn;
	boot.first_free_pfn = pt_pfn + (uint32_t)start_info->nr_pt_frames + 1;   /* + the boot stack */
	/* The bootstrap tables map whole 4 MiB slots from virt_base. */
	uint32_t slots = 0;
	while (pt_entry(pt_pfn, VA_ROOT_IDX(boot.virt_base) + slots) & PTE_V)
		slots++;
	boot.mapped_pages = slots * PT_ENTRIES < boot.nr_pages ? slots * PT_ENTRIES : boot.nr_pages;
}

uint32_t pfn_to_mfn(uint32_t pfn) { return p2m[pfn]; }
uint32_t mfn_to_pfn(uint32_t mfn) { return m2p[mfn]; }

static int mmuext(uint32_t cmd, uint32_t arg1)
{
	mmuext_op_t op = { .cmd = cmd };
	op.arg1.mfn = arg1;
	return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

static uint64_t pte_maddr(uint32_t table_pfn, uint32_t idx)
{
	return ((uint64_t)p2m[table_pfn] << PAGE_SHIFT) | (idx * 4);
}

/* The direct map is every vCPU's: with several, a change of its permissions is flushed on all. */
#define DIRECT_MAP_FLUSH (UVMF_INVLPG | (smp_cpus > 1 ? UVMF_ALL : UVMF_LOCAL))

void arch_pt_activate(uint32_t pfn, int level)
{
	check(HYPERVISOR_update_va_mapping((uintptr_t)pfn_to_kva(pfn), PTE_LEAF(p2m[pfn], PTE_R), DIRECT_MAP_FLUSH),
	      "update_va_mapping (page table read-only)");
	check(mmuext(level == 1 ? MMUEXT_PIN_L1_TABLE : MMUEXT_PIN_L2_TABLE, p2m[pfn]), "pin");
}

void arch_pt_deactivate(uint32_t pfn)
{
	check(mmuext(MMUEXT_UNPIN_TABLE, p2m[pfn]), "unpin");
	check(HYPERVISOR_update_va_mapping((uintptr_t)pfn_to_kva(pfn), PTE_LEAF(p2m[pfn], PTE_R | PTE_W), DIRECT_MAP_FLUSH),
	      "update_va_mapping (frame writable again)");
}

void arch_pt_set(uint32_t table_pfn, uint32_t idx, uint32_t pte)
{
	mmu_update_t u = { pte_maddr(table_pfn, idx) | MMU_NORMAL_PT_UPDATE, pte };
	check(HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF), "mmu_update");
}

void arch_pt_set_many(const struct pt_update *u, uint32_t n)
{
	static mmu_update_t reqs[128];
	while (n > 0) {
		uint32_t k = n < 128 ? n : 128;
		for (uint32_t i = 0; i < k; i++)
			reqs[i] = (mmu_update_t){ pte_maddr(u[i].table_pfn, u[i].idx) | MMU_NORMAL_PT_UPDATE, u[i].pte };
		unsigned done = 0;
		check(HYPERVISOR_mmu_update(reqs, k, &done, DOMID_SELF), "mmu_update (batch)");
		if (done != k)
			panic("mmu_update did %u of %lu", done, (unsigned long)k);
		u += k;
		n -= k;
	}
}

void arch_map_current(uintptr_t va, uint32_t table_pfn, uint32_t idx, uint32_t pte)
{
	(void)table_pfn;
	(void)idx;
	check(HYPERVISOR_update_va_mapping(va, pte, UVMF_INVLPG), "update_va_mapping");
}

void arch_switch_root(uint32_t root_pfn)
{
	check(mmuext(MMUEXT_NEW_BASEPTR, p2m[root_pfn]), "new_baseptr");
}

void arch_flush_va(uintptr_t va)
{
	check(mmuext(MMUEXT_INVLPG_LOCAL, va), "invlpg");
}

int arch_writable_pt(void)
{
	return HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_writable_pagetables);
}

/* ---- time ---- */
uint64_t arch_now_ns(void)
{
	volatile struct vcpu_time_info *t = &my_vcpu()->time;
	uint32_t version, mul;
	uint64_t stamp, system;
	int8_t shift;
	do {
		version = t->version;
		__asm__ volatile ("fence r, r" ::: "memory");
		stamp = t->tsc_timestamp;
		system = t->system_time;
		mul = t->tsc_to_system_mul;
		shift = t->tsc_shift;
		__asm__ volatile ("fence r, r" ::: "memory");
	} while ((version & 1) || version != t->version);
	uint64_t d = read_time() - stamp;
	d = shift >= 0 ? d << shift : d >> -shift;
	/* (d * mul) >> 32 with a 96-bit product */
	uint64_t lo = (uint64_t)(uint32_t)d * mul, hi = (d >> 32) * mul;
	return system + hi + (lo >> 32);
}

void arch_timer_set(uint64_t deadline_ns)
{
	check(HYPERVISOR_set_timer_op(deadline_ns), "set_timer_op");
}

void arch_block(void)
{
	HYPERVISOR_sched_op(SCHEDOP_block, NULL);
}

/* ---- events: Xen's two-level scheme, 64-bit words read as two 32-bit halves ---- */
static uint32_t xchg32(volatile uint32_t *p, uint32_t v)
{
	uint32_t old;
	__asm__ volatile ("amoswap.w.aqrl %0, %2, %1" : "=r"(old), "+A"(*p) : "r"(v) : "memory");
	return old;
}

static void clear_bit32(volatile uint32_t *p, uint32_t bit)
{
	__asm__ volatile ("amoand.w.aqrl zero, %1, %0" : "+A"(*p) : "r"(~(1u << bit)) : "memory");
}

static void dispatch(evtchn_port_t port)
{
	if (port < NR_PORTS_HANDLED)
		port_events[port]++;
	for (uint32_t i = 0; i < smp_cpus; i++) {
		if (port == cpus[i].timer_port) {   /* vCPU 0's is timer_port */
			timer_expired();
			break;
		}
	}
}

void arch_interrupt(uint32_t irq)
{
	if (irq != IRQ_S_SOFT)
		panic("unexpected interrupt %lu", (unsigned long)irq);
	csr_clear(sip, SIP_SSIP);
	volatile struct vcpu_info *v = my_vcpu();
	while (v->evtchn_upcall_pending) {
		v->evtchn_upcall_pending = 0;
		volatile uint32_t *selw = (volatile uint32_t *)&v->evtchn_pending_sel;
		uint32_t sel[2] = { xchg32(&selw[0], 0), xchg32(&selw[1], 0) };
		for (uint32_t h = 0; h < 2; h++) {
			while (sel[h] != 0) {
				uint32_t word = h * 32 + (uint32_t)__builtin_ctz(sel[h]);
				sel[h] &= sel[h] - 1;
				volatile uint32_t *pend = (volatile uint32_t *)&shared->evtchn_pending[word];
				volatile uint32_t *mask = (volatile uint32_t *)&shared->evtchn_mask[word];
				for (uint32_t half = 0; half < 2; half++) {
					uint32_t bits = pend[half] & ~mask[half];
					while (bits != 0) {
						uint32_t b = (uint32_t)__builtin_ctz(bits);
						bits &= bits - 1;
						clear_bit32(&pend[half], b);
						dispatch(word * 64 + half * 32 + b);
					}
				}
			}
		}
	}
}

int evtchn_op(int cmd, void *arg)
{
	return HYPERVISOR_event_channel_op(cmd, arg);
}

void arch_init_late(void)
{
	kmap(FIXMAP_SHARED_INFO, PTE_LEAF((uint32_t)(start_info->shared_info >> PAGE_SHIFT), PTE_R | PTE_W));
	shared = (shared_info_t *)FIXMAP_SHARED_INFO;
	struct evtchn_bind_virq bv = { .virq = VIRQ_TIMER, .vcpu = 0 };
	check(evtchn_op(EVTCHNOP_bind_virq, &bv), "bind_virq(VIRQ_TIMER)");
	timer_port = bv.port;
	cpus[0].timer_port = timer_port;
	HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);   /* tickless: one-shot timers only */
	csr_set(sie, SIP_SSIP);
	((volatile struct vcpu_info *)my_vcpu())->evtchn_upcall_mask = 0;
	__asm__ volatile ("fence rw, rw" ::: "memory");
	if (((volatile struct vcpu_info *)my_vcpu())->evtchn_upcall_pending)
		csr_set(sip, SIP_SSIP);
	if (xenbus_init() == 0)   /* Domain 0 runs xenstored: the toolstack can ask us to shut down */
		balloon_init();       /* ... and set our memory target */
}

static void flush(void);

/* A shutdown the toolstack asked for (xl shutdown / reboot writes control/shutdown). */
void arch_poll(void)
{
	int reason = xenbus_shutdown_request();
	balloon_poll();
	if (reason < 0)
		return;
	printf("minios: the toolstack asked for %s\n", reason == SHUTDOWN_reboot ? "a reboot" : "a poweroff");
	flush();
	struct sched_shutdown sd = { (uint32_t)reason };
	for (;;)
		HYPERVISOR_sched_op(SCHEDOP_shutdown, &sd);
}

/* ---- console: line-buffered console_io ---- */
static char line[256];
static uint32_t used;

static void flush(void)
{
	if (used)
		HYPERVISOR_console_io(CONSOLEIO_write, used, line);
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

/* Input from the console ring's in[] (Domain 0's backend fills it and signals the port). */
int arch_console_getc(void)
{
	volatile uint8_t *ring = pfn_to_kva(mfn_to_pfn((uint32_t)start_info->console.domU.mfn));
	volatile uint32_t *in_cons = (volatile uint32_t *)(ring + 3072), *in_prod = (volatile uint32_t *)(ring + 3076);
	uint32_t cons = *in_cons;
	if (cons == *in_prod)
		return -1;
	__asm__ volatile ("fence r, r" ::: "memory");
	int c = ring[cons & 1023];
	__asm__ volatile ("fence rw, w" ::: "memory");
	*in_cons = cons + 1;
	if (cons + 1 == *in_prod) {   /* drained: tell the backend there is room */
		struct evtchn_send s = { .port = start_info->console.domU.evtchn };
		HYPERVISOR_event_channel_op(EVTCHNOP_send, &s);
	}
	return c;
}

_Noreturn void arch_poweroff(int failed)
{
	flush();
	struct sched_shutdown sd = { failed ? SHUTDOWN_crash : SHUTDOWN_poweroff };
	for (;;)
		HYPERVISOR_sched_op(SCHEDOP_shutdown, &sd);
}

void p2m_set(uint32_t pfn, uint32_t mfn)
{
	p2m[pfn] = mfn;
}
