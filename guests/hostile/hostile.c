/*
 * hostile: a PV guest that attacks the isolation tsxen promises. Each attempt prints
 *   REFUSED <name>            the hypervisor returned an error or the access faulted
 *   BROKEN <name>: <detail>   the attempt succeeded: an isolation bug
 *   NOTE <name>: <detail>     accepted where Xen refuses, without breaking isolation
 * then "hostile: done <n> refused <m> broken <k> controls failed", and the guest spins forever with events
 * masked: the scheduler must still take the CPU away from it.
 */
#include <rt.h>
#include <xen/hypercall.h>
#include <xen/io/xs_wire.h>
#include <xen/io/blkif.h>
#include <xen/io/netif.h>

#define PTE_V 0x001u
#define PTE_R 0x002u
#define PTE_W 0x004u
#define PTE_X 0x008u
#define PTE_AD 0x0C0u
#define LEAF(mfn, perm) (((uint32_t)(mfn) << 10) | (perm) | PTE_V | PTE_AD)
#define TABLE(mfn) (((uint32_t)(mfn) << 10) | PTE_V)
#define PAGE 4096u

extern char _start[];
static start_info_t *si;
static uint32_t *p2m, nr_pages, virt_base, root_pfn, scratch_pfn, scratch_va, spare_pfn;
static const volatile uint32_t *const m2p = (const volatile uint32_t *)MACH2PHYS_VIRT_START;
static uint32_t refused, broken, controls_failed;
static uint32_t grant_frame_mfn = 0xFFFFFFFFu;   /* our grant table's frame: shared with us, not in the P2M */
static int verbose;

/* ---- console ---- */
static char line[256];
static uint32_t used;
void rt_console_putc(int c)
{
	line[used++] = (char)c;
	if (c == '\n' || used == sizeof(line)) {
		HYPERVISOR_console_io(CONSOLEIO_write, used, line);
		used = 0;
	}
}
int rt_console_getc(void) { return -1; }
_Noreturn void exit(int code)
{
	struct sched_shutdown sd = { code ? SHUTDOWN_crash : SHUTDOWN_poweroff };
	for (;;)
		HYPERVISOR_sched_op(SCHEDOP_shutdown, &sd);
}

/* ---- faults: an attempt that faults is skipped over (every instruction is 4 bytes) ---- */
static volatile int expect_fault, faulted;
static volatile uint32_t fault_cause;

void enter_user(uint32_t pc);
extern char user_came_back[];
static volatile int in_user;
static volatile uint32_t user_cause, user_a0;

void hostile_trap(void)
{
	uint32_t cause = csr_read(scause);
	if (in_user && !(csr_read(sstatus) & 0x100)) {   /* the first trap from U-mode ends the excursion */
		in_user = 0;
		user_cause = cause;
		csr_write(sepc, (uint32_t)user_came_back);
		csr_set(sstatus, 0x100);
		return;
	}
	if (!(cause & 0x80000000u) && expect_fault) {
		expect_fault = 0;
		faulted = 1;
		fault_cause = cause;
		csr_write(sepc, csr_read(sepc) + 4);
		return;
	}
	printf("hostile: unexpected trap scause 0x%lx sepc 0x%lx stval 0x%lx\n", (unsigned long)cause,
	       (unsigned long)csr_read(sepc), (unsigned long)csr_read(stval));
	exit(1);
}
#define TRY_FAULT(stmt) ({ faulted = 0; expect_fault = 1; stmt; expect_fault = 0; faulted; })

static void report(const char *name, int was_refused, const char *fmt, ...)
{
	va_list ap;
	if (was_refused) {
		refused++;
		printf("REFUSED %s\n", name);
		if (verbose) {
			printf("  (");
			va_start(ap, fmt);
			vprintf(fmt, ap);
			va_end(ap);
			printf(")\n");
		}
		return;
	}
	broken++;
	printf("BROKEN %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* ---- helpers ---- */
static void *kva(uint32_t pfn) { return (void *)(virt_base + pfn * PAGE); }
static uint32_t root_entry(uint32_t i) { return ((volatile uint32_t *)kva(root_pfn))[i]; }

static int owned(uint32_t mfn)
{
	for (uint32_t pfn = 0; pfn < nr_pages; pfn++)
		if (p2m[pfn] == mfn)
			return 1;
	return mfn == (uint32_t)(si->shared_info >> 12) || mfn == grant_frame_mfn;
}

/* A bitmap of our machine frames, for the big scan. */
#define SCAN_MAX 0x100000u
static uint32_t ours[SCAN_MAX / 32];

static uint32_t foreign_mfn(void)
{
	for (uint32_t mfn = 0x80000;; mfn++)
		if (!owned(mfn))
			return mfn;
}

static int uva(uint32_t va, uint32_t pte) { return HYPERVISOR_update_va_mapping(va, pte, UVMF_INVLPG); }
static void restore_scratch(void) { uva(scratch_va, LEAF(p2m[scratch_pfn], PTE_R | PTE_W)); }

static int mmu1(uint64_t ptr, uint32_t val, unsigned foreigndom)
{
	mmu_update_t u = { ptr, val };
	return HYPERVISOR_mmu_update(&u, 1, NULL, foreigndom);
}

static int mmuext1(uint32_t cmd, uint32_t mfn)
{
	mmuext_op_t op = { .cmd = cmd };
	op.arg1.mfn = mfn;
	return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

/* The spare page is filled while writable, then mapped read-only so that only its
 * contents can be the reason a pin is refused (a writable mapping would be reason enough). */
static void spare_writable(int w)
{
	if (uva((uint32_t)kva(spare_pfn), LEAF(p2m[spare_pfn], w ? PTE_R | PTE_W : PTE_R)) != 0) {
		printf("hostile: cannot remap the spare page\n");
		exit(1);
	}
}

/* ---- controls: the legitimate form of each kind of request must work, or a refusal
 * below could just mean this guest got its arguments wrong ---- */
static void control(const char *name, int ok, int rc)
{
	if (ok) {
		printf("PASS control-%s\n", name);
	} else {
		controls_failed++;
		printf("FAIL control-%s: rc %d\n", name, rc);
	}
}

static void controls(void)
{
	uint32_t own = p2m[spare_pfn];
	int rc = uva(scratch_va, LEAF(own, PTE_R));
	control("update-va-mapping", rc == 0 && *(volatile uint32_t *)scratch_va == *(volatile uint32_t *)kva(spare_pfn), rc);
	restore_scratch();
	uint32_t l1_mfn = root_entry(virt_base >> 22) >> 10;
	uint64_t scratch_pte = ((uint64_t)l1_mfn << 12) + ((scratch_va >> 12) & 1023) * 4;
	rc = mmu1(scratch_pte, LEAF(own, PTE_R | PTE_W), DOMID_SELF);
	control("mmu-update", rc == 0, rc);
	restore_scratch();
	memset(kva(spare_pfn), 0, PAGE);
	spare_writable(0);
	rc = mmuext1(MMUEXT_PIN_L1_TABLE, own);
	int rc2 = rc == 0 ? mmuext1(MMUEXT_UNPIN_TABLE, own) : -1;
	spare_writable(1);
	control("pin-unpin-clean-l1", rc == 0 && rc2 == 0, rc != 0 ? rc : rc2);
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = 0 };
	rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &au);
	struct evtchn_close cl = { .port = au.port };
	rc2 = rc == 0 ? HYPERVISOR_event_channel_op(EVTCHNOP_close, &cl) : -1;
	control("evtchn-alloc-close", rc == 0 && rc2 == 0, rc != 0 ? rc : rc2);
	domid_t self = DOMID_SELF;
	rc = HYPERVISOR_memory_op(XENMEM_current_reservation, &self);
	control("current-reservation", rc == (int)nr_pages, rc);
}

/* ---- the attempts ---- */
static void scan_foreign_frames(void)
{
	int max = HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);
	uint32_t top = max > 0 && (uint32_t)max < SCAN_MAX ? (uint32_t)max : SCAN_MAX - 1;
	for (uint32_t pfn = 0; pfn < nr_pages; pfn++)
		if (p2m[pfn] < SCAN_MAX)
			ours[p2m[pfn] / 32] |= 1u << (p2m[pfn] % 32);
	uint32_t shinfo = (uint32_t)(si->shared_info >> 12), tried = 0, mapped = 0, first = 0;
	for (uint32_t mfn = 0x80000; mfn <= top; mfn++) {
		if ((ours[mfn / 32] >> (mfn % 32)) & 1 || mfn == shinfo || mfn == grant_frame_mfn)
			continue;
		tried++;
		uint32_t perm = (mfn & 15) == 0 ? PTE_R | PTE_W : PTE_R;
		if (uva(scratch_va, LEAF(mfn, perm)) == 0) {
			if (mapped++ == 0)
				first = mfn;
		}
	}
	restore_scratch();
	report("map-foreign-frames", mapped == 0 && tried > 0, "%lu of %lu frames mapped (first 0x%lx)", (unsigned long)mapped,
	       (unsigned long)tried, (unsigned long)first);
}

static void map_mmio(void)
{
	static const uint32_t mmio[] = { 0x0, 0x100, 0x2000, 0x200b, 0x10000 };  /* finisher, CLINT, UART */
	uint32_t mapped = 0;
	for (uint32_t i = 0; i < sizeof(mmio) / sizeof(mmio[0]); i++)
		mapped += uva(scratch_va, LEAF(mmio[i], PTE_R | PTE_W)) == 0;
	restore_scratch();
	report("map-mmio-frames", mapped == 0, "%lu device frames mapped", (unsigned long)mapped);
}

static void map_hypervisor_frames(void)
{
	/* The leaf table behind the M2P slot is the hypervisor's; so are the M2P frames. */
	uint32_t e = root_entry(HYPERVISOR_ROOT_SLOT);
	int rw = -1, ro = -1;
	if (e & PTE_V) {
		rw = uva(scratch_va, LEAF(e >> 10, PTE_R | PTE_W));
		ro = uva(scratch_va, LEAF(e >> 10, PTE_R));
	}
	restore_scratch();
	report("map-hypervisor-table", (e & PTE_V) && rw < 0 && ro < 0, "root slot 1008 = 0x%lx, mapped rw %d ro %d",
	       (unsigned long)e, rw, ro);

	xen_pfn_t m2p_mfns[4] = { 0 };
	struct xen_machphys_mfn_list l = { .max_extents = 4 };
	set_xen_guest_handle(l.extent_start, m2p_mfns);
	int rc = HYPERVISOR_memory_op(XENMEM_machphys_mfn_list, &l);
	int mapped = 0;
	if (rc == 0 && l.nr_extents > 0)
		mapped = uva(scratch_va, LEAF((uint32_t)m2p_mfns[0], PTE_R | PTE_W)) == 0;
	restore_scratch();
	if (rc == 0 && l.nr_extents > 0)
		report("map-m2p-writable", !mapped, "M2P frame 0x%lx mapped writable", (unsigned long)m2p_mfns[0]);
	else
		printf("  (XENMEM_machphys_mfn_list: %d; map-m2p-writable not tried)\n", rc);
}

static void write_m2p(void)
{
	volatile uint32_t *slot = (volatile uint32_t *)MACH2PHYS_VIRT_START + p2m[0];
	uint32_t before = *slot;
	int f = TRY_FAULT(__asm__ volatile ("sw %1, 0(%0)" :: "r"(slot), "r"(0x12345u) : "memory"));
	report("write-m2p", f && *slot == before, "the store went through: 0x%lx -> 0x%lx", (unsigned long)before,
	       (unsigned long)*slot);
}

static void map_own_tables_writable(void)
{
	int rc = uva((uint32_t)kva(root_pfn), LEAF(p2m[root_pfn], PTE_R | PTE_W));
	report("map-own-root-writable", rc < 0, "update_va_mapping returned %d", rc);
	uint32_t l1_mfn = root_entry(virt_base >> 22) >> 10;
	rc = uva(scratch_va, LEAF(l1_mfn, PTE_R | PTE_W));
	restore_scratch();
	report("map-own-l1-writable", rc < 0, "update_va_mapping returned %d", rc);
	uint64_t ptr = ((uint64_t)l1_mfn << 12) + ((scratch_va >> 12) & 1023) * 4;
	rc = mmu1(ptr, LEAF(p2m[root_pfn], PTE_R | PTE_W), DOMID_SELF);
	restore_scratch();
	report("mmu-update-root-writable", rc < 0, "mmu_update returned %d", rc);
}

static void mmu_update_attacks(void)
{
	uint64_t root_ma = (uint64_t)p2m[root_pfn] << 12;
	uint32_t before = root_entry(HYPERVISOR_ROOT_SLOT);
	int rc = mmu1(root_ma + HYPERVISOR_ROOT_SLOT * 4, 0, DOMID_SELF);
	int rc2 = mmu1(root_ma + HYPERVISOR_ROOT_SLOT * 4, TABLE(root_entry(virt_base >> 22) >> 10), DOMID_SELF);
	report("mmu-update-hypervisor-slot", rc < 0 && rc2 < 0 && root_entry(HYPERVISOR_ROOT_SLOT) == before,
	       "clearing returned %d, replacing %d", rc, rc2);

	rc = mmu1((uint64_t)foreign_mfn() << 12, 0, DOMID_SELF);
	report("mmu-update-foreign-table", rc < 0, "a write into a foreign frame returned %d", rc);

	rc = mmu1(((uint64_t)foreign_mfn() << 12) | MMU_MACHPHYS_UPDATE, 0, DOMID_SELF);
	report("machphys-update-foreign", rc < 0, "returned %d", rc);

	uint32_t l1_mfn = root_entry(virt_base >> 22) >> 10;
	uint64_t scratch_pte = ((uint64_t)l1_mfn << 12) + ((scratch_va >> 12) & 1023) * 4;
	rc = mmu1(scratch_pte, LEAF(p2m[0], PTE_R), 0);   /* foreigndom 0: map Domain 0's frames */
	restore_scratch();
	report("mmu-update-foreigndom", rc < 0, "foreigndom 0 returned %d", rc);

	static const uint32_t bad_ptrs[] = { 0, 0x10, 0xFFFFFFF0u, 0xE0000000u, MACH2PHYS_VIRT_START - 16 };
	int ok = 1;
	for (uint32_t i = 0; i < sizeof(bad_ptrs) / sizeof(bad_ptrs[0]); i++) {
		rc = HYPERVISOR_mmu_update((mmu_update_t *)bad_ptrs[i], 2, NULL, DOMID_SELF);
		if (rc >= 0) {
			ok = 0;
			printf("  request array at 0x%lx: %d\n", (unsigned long)bad_ptrs[i], rc);
		}
	}
	report("mmu-update-bad-request-ptr", ok, "an unreadable request array was accepted");

	/* A huge count over a valid (harmless) request followed by whatever memory holds. */
	static mmu_update_t same[256];
	for (int i = 0; i < 256; i++)
		same[i] = (mmu_update_t){ scratch_pte, LEAF(p2m[scratch_pfn], PTE_R | PTE_W) };
	unsigned done = 0;
	rc = HYPERVISOR_mmu_update(same, 0x7FFFFFFFu, &done, DOMID_SELF);
	report("mmu-update-huge-count", rc < 0, "returned %d after %u requests", rc, done);

	/* `done` pointing at memory we may only read: our root table, the M2P. */
	volatile uint32_t *target = (volatile uint32_t *)kva(root_pfn) + (virt_base >> 22);
	uint32_t keep = *target;
	rc = HYPERVISOR_mmu_update(same, 1, (unsigned *)target, DOMID_SELF);
	volatile uint32_t *m2p_slot = (volatile uint32_t *)MACH2PHYS_VIRT_START + p2m[1];
	uint32_t keep2 = *m2p_slot;
	int rc2b = HYPERVISOR_mmu_update(same, 1, (unsigned *)m2p_slot, DOMID_SELF);
	report("mmu-update-readonly-done", rc < 0 && rc2b < 0 && *target == keep && *m2p_slot == keep2,
	       "returned %d and %d; root entry 0x%lx -> 0x%lx, M2P 0x%lx -> 0x%lx", rc, rc2b, (unsigned long)keep,
	       (unsigned long)*target, (unsigned long)keep2, (unsigned long)*m2p_slot);

	rc = HYPERVISOR_mmuext_op((mmuext_op_t *)0x10, 1, NULL, DOMID_SELF);
	report("mmuext-bad-ptr", rc < 0, "returned %d", rc);
	rc = uva(HYPERVISOR_VIRT_START, LEAF(p2m[scratch_pfn], PTE_R | PTE_W));
	report("map-into-hypervisor-area", rc < 0, "update_va_mapping(0xFC000000) returned %d", rc);
	rc = (int)_hypercall5(__HYPERVISOR_update_va_mapping_otherdomain, scratch_va, LEAF(p2m[0], PTE_R), 0, 0, 0);
	restore_scratch();
	report("update-va-mapping-otherdomain", rc < 0, "returned %d", rc);
}

/* A page of our own dressed up as a page table pointing at foreign memory. */
static int try_table(uint32_t cmd)
{
	spare_writable(0);
	int rc = mmuext1(cmd, p2m[spare_pfn]);
	if (rc == 0 && cmd != MMUEXT_NEW_BASEPTR)
		mmuext1(MMUEXT_UNPIN_TABLE, p2m[spare_pfn]);
	spare_writable(1);
	return rc;
}

static void bad_tables(void)
{
	uint32_t *t = kva(spare_pfn);
	memset(t, 0, PAGE);
	t[5] = LEAF(foreign_mfn(), PTE_R | PTE_W);
	int rc = try_table(MMUEXT_PIN_L1_TABLE);
	report("pin-l1-with-foreign-entry", rc < 0, "pinned: %d", rc);
	t[5] = 0;
	t[6] = LEAF(p2m[root_pfn], PTE_R | PTE_W);
	rc = try_table(MMUEXT_PIN_L1_TABLE);
	report("pin-l1-mapping-root-writable", rc < 0, "pinned: %d", rc);
	t[6] = LEAF(p2m[spare_pfn], PTE_R | PTE_W);
	rc = try_table(MMUEXT_PIN_L1_TABLE);
	report("pin-l1-mapping-itself-writable", rc < 0, "pinned: %d", rc);
	memset(t, 0, PAGE);
	t[3] = LEAF(p2m[0] & ~1023u, PTE_R | PTE_W | PTE_X);  /* a 4 MiB megapage */
	rc = try_table(MMUEXT_PIN_L2_TABLE);
	report("pin-l2-megapage", rc < 0, "pinned: %d", rc);
	t[3] = TABLE(foreign_mfn());
	rc = try_table(MMUEXT_PIN_L2_TABLE);
	report("pin-l2-foreign-table", rc < 0, "pinned: %d", rc);
	t[3] = TABLE(p2m[scratch_pfn]);   /* a writable data page of ours as a leaf table */
	rc = try_table(MMUEXT_PIN_L2_TABLE);
	report("pin-l2-writable-leaf-table", rc < 0, "pinned: %d", rc);
	/* Switching straight to it, without pinning first, must validate it just the same. */
	t[3] = TABLE(foreign_mfn());
	rc = try_table(MMUEXT_NEW_BASEPTR);
	report("new-baseptr-bad-table", rc < 0, "switched: %d", rc);
	rc = mmuext1(MMUEXT_PIN_L1_TABLE, foreign_mfn());
	report("pin-foreign-frame", rc < 0, "pinned: %d", rc);
	rc = mmuext1(MMUEXT_NEW_BASEPTR, foreign_mfn());
	report("new-baseptr-foreign", rc < 0, "switched: %d", rc);
	memset(t, 0, PAGE);
}

static void writable_pt_attacks(void)
{
	uint32_t l1_pfn = m2p[root_entry(virt_base >> 22) >> 10];
	volatile uint32_t *l1 = (volatile uint32_t *)kva(l1_pfn) + ((scratch_va >> 12) & 1023);
	uint32_t keep = *l1;
	HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_writable_pagetables);
	uint32_t evil = LEAF(foreign_mfn(), PTE_R | PTE_W);
	int f = TRY_FAULT(__asm__ volatile ("sw %1, 0(%0)" :: "r"(l1), "r"(evil) : "memory"));
	report("wpt-foreign-pte", f && *l1 == keep, "entry 0x%lx -> 0x%lx", (unsigned long)keep, (unsigned long)*l1);
	evil = LEAF(p2m[root_pfn], PTE_R | PTE_W);
	f = TRY_FAULT(__asm__ volatile ("sw %1, 0(%0)" :: "r"(l1), "r"(evil) : "memory"));
	report("wpt-root-writable", f && *l1 == keep, "entry 0x%lx -> 0x%lx", (unsigned long)keep, (unsigned long)*l1);
	restore_scratch();
}

/* A machine frame that is not ours and differs from `mfn` only in bits 14 and up, so that
 * a partial store into the high bytes of a PTE can name it. */
static uint32_t foreign_twin(uint32_t mfn)
{
	for (uint32_t k = 1; k < 256; k++) {
		uint32_t m = (mfn & 0x3FFFu) | (((mfn >> 14) ^ k) << 14);
		if (m >= 0x80000 && m < 0x100000 && !owned(m))
			return m;
	}
	return foreign_mfn();
}

/* Writable page tables with the stores an emulator might decode wrong: bytes, halves,
 * AMOs, a misaligned word across two entries, and a store into the root table. */
static void writable_pt_tricks(void)
{
	uint32_t l1_pfn = m2p[root_entry(virt_base >> 22) >> 10];
	volatile uint32_t *l1 = (volatile uint32_t *)kva(l1_pfn);
	uint32_t i = (scratch_va >> 12) & 1023, j = (((uint32_t)kva(spare_pfn)) >> 12) & 1023;
	volatile uint32_t *e = &l1[i];
	uint32_t keep = *e;

	/* control: a valid plain store is emulated */
	uint32_t good = LEAF(p2m[spare_pfn], PTE_R | PTE_W);
	int f = TRY_FAULT(__asm__ volatile ("sw %1, 0(%0)" :: "r"(e), "r"(good) : "memory"));
	control("wpt-valid-store", !f && *e == good, f ? -14 : 0);
	restore_scratch();

	uint32_t twin = LEAF(foreign_twin(p2m[scratch_pfn]), PTE_R | PTE_W);
	f = TRY_FAULT(__asm__ volatile ("sb %1, 3(%0)" :: "r"(e), "r"(twin >> 24) : "memory"));
	report("wpt-byte-store", f && *e == keep, "entry 0x%lx -> 0x%lx", (unsigned long)keep, (unsigned long)*e);
	f = TRY_FAULT(__asm__ volatile ("sh %1, 2(%0)" :: "r"(e), "r"(twin >> 16) : "memory"));
	report("wpt-halfword-store", f && *e == keep, "entry 0x%lx -> 0x%lx", (unsigned long)keep, (unsigned long)*e);

	uint32_t evil = LEAF(foreign_mfn(), PTE_R | PTE_W), old = 0;
	f = TRY_FAULT(__asm__ volatile ("amoswap.w %0, %2, (%1)" : "+r"(old) : "r"(e), "r"(evil) : "memory"));
	report("wpt-amoswap", f && *e == keep, "entry 0x%lx -> 0x%lx", (unsigned long)keep, (unsigned long)*e);

	/* A read-only mapping of our root is legal; an AMO that adds W to it is not. */
	uva(scratch_va, LEAF(p2m[root_pfn], PTE_R));
	uint32_t ro = *e;
	f = TRY_FAULT(__asm__ volatile ("amoor.w %0, %2, (%1)" : "+r"(old) : "r"(e), "r"(PTE_W) : "memory"));
	report("wpt-amoor-adds-write", f && *e == ro, "entry 0x%lx -> 0x%lx", (unsigned long)ro, (unsigned long)*e);
	uint32_t w8 = (ro | PTE_W) & 0xFF;
	f = TRY_FAULT(__asm__ volatile ("sb %1, 0(%0)" :: "r"(e), "r"(w8) : "memory"));
	report("wpt-byte-adds-write", f && *e == ro, "entry 0x%lx -> 0x%lx", (unsigned long)ro, (unsigned long)*e);
	restore_scratch();

	/* A misaligned word across entries j (spare) and j+1: the top half of one, the bottom of the other. */
	if (j + 1 == i) {
		uint32_t spare_keep = l1[j];
		uint32_t evil_j = LEAF(foreign_twin(p2m[spare_pfn]), PTE_R | PTE_W);
		uint32_t word = (evil_j >> 16) | (keep << 16);
		volatile uint8_t *at = (volatile uint8_t *)&l1[j] + 2;
		f = TRY_FAULT(__asm__ volatile ("sw %1, 0(%0)" :: "r"(at), "r"(word) : "memory"));
		report("wpt-misaligned-store", f && l1[j] == spare_keep && *e == keep, "entries 0x%lx 0x%lx -> 0x%lx 0x%lx",
		       (unsigned long)spare_keep, (unsigned long)keep, (unsigned long)l1[j], (unsigned long)*e);
	}

	/* The root table is not a leaf table: no emulated stores into it. */
	volatile uint32_t *r = (volatile uint32_t *)kva(root_pfn) + 5;
	uint32_t rkeep = *r;
	uint32_t rogue = TABLE(foreign_mfn());
	f = TRY_FAULT(__asm__ volatile ("sw %1, 0(%0)" :: "r"(r), "r"(rogue) : "memory"));
	report("wpt-root-store", f && *r == rkeep, "root entry 0x%lx -> 0x%lx", (unsigned long)rkeep, (unsigned long)*r);
}

/* Giving back a frame that is still mapped (as Xen, the hypervisor may accept: the frame
 * then lives on until the last mapping goes). It must not be handed out again while our
 * mapping still reaches it. */
static void decrease_mapped_frame(void)
{
	uint32_t pfn = spare_pfn - 1, mfn = p2m[pfn];
	xen_pfn_t ext = mfn;
	struct xen_memory_reservation r = { .nr_extents = 1, .domid = DOMID_SELF };
	set_xen_guest_handle(r.extent_start, &ext);
	int rc = HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r);
	ext = 0;
	int inc = rc == 1 ? HYPERVISOR_memory_op(XENMEM_increase_reservation, &r) : 0;
	/* Refusing the increase is right too: the given-back frame still counts until unmapped. */
	report("decrease-mapped-frame", rc <= 0 || inc == 0 || (inc == 1 && (uint32_t)ext != mfn),
	       "released %d, increase %d handed out 0x%lx, which our old mapping still reaches", rc, inc, (unsigned long)ext);
	/* Now the old frame can go; the new one takes its place (and is ours for the scan). */
	if (inc == 1) {
		p2m[pfn] = (uint32_t)ext;
		mmu1(((uint64_t)ext << 12) | MMU_MACHPHYS_UPDATE, pfn, DOMID_SELF);
		uva((uint32_t)kva(pfn), LEAF((uint32_t)ext, PTE_R | PTE_W));
	} else {
		uva((uint32_t)kva(pfn), 0);
	}
}

/* Hypercalls that write results, pointed at memory this guest may only read: its root
 * table (entries 16..31, which are 0 here) and the M2P. A result written into the root
 * would be a page-table entry of the guest's choosing that no validation saw. */
static void outputs_into_readonly(void)
{
	volatile uint32_t *root = (volatile uint32_t *)kva(root_pfn) + 16;
	volatile uint32_t *m2p_slot = (volatile uint32_t *)MACH2PHYS_VIRT_START + p2m[2];
	uint32_t before[16], m2p_before = *m2p_slot;
	for (int i = 0; i < 16; i++)
		before[i] = root[i];
	int rc[6];
	rc[0] = HYPERVISOR_xen_version(XENVER_extraversion, (void *)root);
	rc[1] = HYPERVISOR_xen_version(XENVER_platform_parameters, (void *)root);
	rc[2] = HYPERVISOR_multicall((multicall_entry_t *)root, 1);
	rc[3] = HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, (void *)root);
	rc[4] = HYPERVISOR_xen_version(XENVER_extraversion, (void *)m2p_slot);
	rc[5] = HYPERVISOR_multicall((multicall_entry_t *)m2p_slot, 1);
	int same = *m2p_slot == m2p_before;
	for (int i = 0; i < 16; i++)
		same &= root[i] == before[i];
	int all = 1;
	for (int i = 0; i < 6; i++)
		all &= rc[i] < 0;
	report("hypercall-output-into-readonly", all && same,
	       "results %d %d %d %d %d %d, root and M2P unchanged %d", rc[0], rc[1], rc[2], rc[3], rc[4], rc[5], same);
}

/* Global VIRQs (console input, other domains' exceptions) belong to Domain 0; Xen refuses
 * them to any other domain (-EBUSY). tsxen keeps a global-VIRQ table per domain and raises
 * them on Domain 0 only, so a binding here would never fire: not a leak, hence a NOTE
 * rather than a verdict. */
static void global_virqs(void)
{
	struct evtchn_bind_virq a = { .virq = VIRQ_DOM_EXC, .vcpu = 0 }, b = { .virq = VIRQ_CONSOLE, .vcpu = 0 };
	int rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &a);
	int rc2 = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &b);
	if (rc < 0 && rc2 < 0)
		report("bind-global-virqs", 1, "VIRQ_DOM_EXC %d, VIRQ_CONSOLE %d", rc, rc2);
	else
		printf("NOTE bind-global-virqs: accepted (VIRQ_DOM_EXC %d, VIRQ_CONSOLE %d); Xen answers -EBUSY\n", rc, rc2);
}

static void unpin_in_use(void)
{
	mmuext1(MMUEXT_UNPIN_TABLE, p2m[root_pfn]);   /* may be allowed: the root stays in use */
	int rc = uva((uint32_t)kva(root_pfn), LEAF(p2m[root_pfn], PTE_R | PTE_W));
	report("unpin-root-then-map-writable", rc < 0, "the root in use became writable: %d", rc);
}

static void privileged_calls(void)
{
	static uint32_t buf[256];
	memset(buf, 0, sizeof(buf));
	buf[0] = 5;   /* XEN_DOMCTL_getdomaininfo */
	int rc = HYPERVISOR_domctl(buf);
	report("domctl", rc < 0, "returned %d", rc);
	buf[0] = 3;   /* XEN_SYSCTL_physinfo */
	rc = HYPERVISOR_sysctl(buf);
	report("sysctl", rc < 0, "returned %d", rc);
	rc = (int)_hypercall1(__HYPERVISOR_platform_op, buf);
	report("platform-op", rc < 0, "returned %d", rc);
	struct sched_remote_shutdown rs = { .domain_id = 0, .reason = SHUTDOWN_poweroff };
	rc = HYPERVISOR_sched_op(SCHEDOP_remote_shutdown, &rs);
	report("remote-shutdown-dom0", rc < 0, "returned %d", rc);
	domid_t dom0 = 0;
	rc = HYPERVISOR_memory_op(XENMEM_current_reservation, &dom0);
	report("memory-op-other-domain", rc < 0, "current_reservation(0) returned %d", rc);
	xen_pfn_t ext = p2m[0];
	struct xen_memory_reservation r = { .nr_extents = 1, .domid = 0 };
	set_xen_guest_handle(r.extent_start, &ext);
	rc = HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r);
	report("decrease-other-domain", rc <= 0, "released %d extents of domain 0", rc);
	ext = foreign_mfn();
	r.domid = DOMID_SELF;
	rc = HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r);
	report("decrease-foreign-frame", rc <= 0, "released %d foreign extents", rc);

	domid_t self = DOMID_SELF;
	int max = HYPERVISOR_memory_op(XENMEM_maximum_reservation, &self);
	static xen_pfn_t many[64];
	struct xen_memory_reservation inc = { .nr_extents = 64, .domid = DOMID_SELF };
	set_xen_guest_handle(inc.extent_start, many);
	int got = 0;
	for (int i = 0; i < 64 && (rc = HYPERVISOR_memory_op(XENMEM_increase_reservation, &inc)) > 0; i++)
		got += rc;
	int cur = HYPERVISOR_memory_op(XENMEM_current_reservation, &self);
	report("increase-beyond-max", max > 0 && cur <= max, "current %d pages, maximum %d (got %d more)", cur, max, got);
	inc.nr_extents = 0x7FFFFFFF;
	set_xen_guest_handle(inc.extent_start, (xen_pfn_t *)0xFFFFFFF0u);
	rc = HYPERVISOR_memory_op(XENMEM_populate_physmap, &inc);
	report("populate-bad-array", rc <= 0, "returned %d", rc);
}

static void event_attacks(void)
{
	struct evtchn_bind_interdomain bi = { .remote_dom = 0x1234, .remote_port = 1 };
	int rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &bi);
	report("bind-nonexistent-domain", rc < 0, "bound port %lu", (unsigned long)bi.local_port);
	bi = (struct evtchn_bind_interdomain){ .remote_dom = DOMID_SELF, .remote_port = 4000 };
	rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &bi);
	report("bind-closed-port", rc < 0, "bound port %lu", (unsigned long)bi.local_port);
	struct evtchn_alloc_unbound au = { .dom = 0, .remote_dom = DOMID_SELF };
	rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &au);
	report("alloc-unbound-in-dom0", rc < 0, "allocated port %lu in domain 0", (unsigned long)au.port);

	static const uint32_t ports[] = { 0, 3000, 4095, 4096, 100000, 0xFFFFFFFFu };
	int sent = 0;
	for (uint32_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		struct evtchn_send s = { .port = ports[i] };
		sent += HYPERVISOR_event_channel_op(EVTCHNOP_send, &s) >= 0;
	}
	report("send-unowned-ports", sent == 0, "%d sends accepted", sent);
	struct evtchn_close cl = { .port = 3000 };
	rc = HYPERVISOR_event_channel_op(EVTCHNOP_close, &cl);
	report("close-unowned-port", rc < 0, "returned %d", rc);
	struct evtchn_status st = { .dom = 0, .port = 1 };
	rc = HYPERVISOR_event_channel_op(EVTCHNOP_status, &st);
	report("status-of-dom0-port", rc < 0, "returned %d", rc);
	struct evtchn_bind_virq bv = { .virq = 9999, .vcpu = 0 };
	rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bv);
	struct evtchn_bind_virq bv2 = { .virq = VIRQ_TIMER, .vcpu = 31 };
	int rc2 = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bv2);
	report("bind-virq-bad", rc < 0 && rc2 < 0, "virq 9999: %d, vcpu 31: %d", rc, rc2);
	rc = HYPERVISOR_event_channel_op(EVTCHNOP_send, (void *)0xFFFFFFFCu);
	report("evtchn-bad-ptr", rc < 0, "returned %d", rc);
	struct evtchn_unmask um = { .port = 100000 };
	rc = HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &um);
	report("unmask-bad-port", rc < 0, "returned %d", rc);
}

static void misc_attacks(void)
{
	int rc = HYPERVISOR_console_io(CONSOLEIO_write, 64, (const char *)0xFFFFFFF0u);
	int rc2 = HYPERVISOR_console_io(CONSOLEIO_write, 0x7FFFFFFF, (const char *)virt_base);
	report("console-io-bad-buffer", rc < 0 && rc2 < 0, "unmapped buffer %d, huge count %d", rc, rc2);
	static char in[64];
	rc = HYPERVISOR_console_io(CONSOLEIO_read, sizeof(in), in);
	report("console-io-read", rc < 0, "domU read the hypervisor console: %d", rc);

	rc = HYPERVISOR_multicall((multicall_entry_t *)0x10, 1);
	report("multicall-bad-ptr", rc < 0, "returned %d", rc);
	static multicall_entry_t mc[2];
	mc[0].op = __HYPERVISOR_domctl;
	mc[0].args[0] = (uint32_t)mc;   /* garbage */
	mc[1].op = __HYPERVISOR_multicall;
	mc[1].args[0] = (uint32_t)mc;
	mc[1].args[1] = 2;
	rc = HYPERVISOR_multicall(mc, 2);
	report("multicall-privileged-and-nested", (int64_t)mc[0].result < 0 && (rc < 0 || (int64_t)mc[1].result < 0),
	       "domctl in a multicall gave %lld, nested multicall %d/%lld", (long long)mc[0].result, rc,
	       (long long)mc[1].result);
	rc = HYPERVISOR_multicall(mc, 0x7FFFFFFF);
	report("multicall-huge-count", rc < 0, "returned %d", rc);

	rc = HYPERVISOR_vcpu_op(VCPUOP_up, 50, NULL);
	rc2 = HYPERVISOR_vcpu_op(VCPUOP_is_up, 0xFFFFFFFFu, NULL);
	report("vcpu-op-bad-vcpu", rc < 0 && rc2 < 0, "up(50) %d, is_up(-1) %d", rc, rc2);
	static evtchn_port_t p[200];
	struct sched_poll poll = { .nr_ports = 200, .timeout = 1 };
	set_xen_guest_handle(poll.ports, p);
	rc = HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
	report("sched-poll-too-many-ports", rc < 0, "returned %d", rc);
	struct vcpu_register_vcpu_info vi = { .mfn = foreign_mfn(), .offset = 0 };
	rc = HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &vi);
	report("register-vcpu-info-foreign", rc < 0, "returned %d", rc);
	mmuext_op_t op = { .cmd = MMUEXT_CLEAR_PAGE };
	op.arg1.mfn = foreign_mfn();
	rc = HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
	report("clear-foreign-page", rc < 0, "returned %d", rc);
	op = (mmuext_op_t){ .cmd = MMUEXT_COPY_PAGE };
	op.arg1.mfn = p2m[spare_pfn];
	op.arg2.src_mfn = foreign_mfn();
	rc = HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
	report("copy-from-foreign-page", rc < 0, "returned %d", rc);
	op.arg1.mfn = p2m[root_pfn];
	op.arg2.src_mfn = p2m[spare_pfn];
	rc = HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
	report("copy-onto-own-root", rc < 0, "returned %d", rc);
	static uint64_t frames[4];
	struct { uint16_t dom; uint32_t nr_frames; int16_t status; uint64_t frame_list __attribute__((aligned(8))); } st = {
		.dom = 0, .nr_frames = 1, .frame_list = (uint32_t)frames };
	rc = (int)_hypercall3(__HYPERVISOR_grant_table_op, 2 /* GNTTABOP_setup_table */, &st, 1);
	report("gnttab-setup-other-domain", rc < 0 || st.status < 0, "returned %d, status %d", rc, st.status);
	rc = (int)_hypercall0(63);
	rc2 = (int)_hypercall0(0x7FFFFFFF);
	report("unknown-hypercalls", rc < 0 && rc2 < 0, "63: %d, 0x7fffffff: %d", rc, rc2);

	int f = TRY_FAULT(__asm__ volatile ("csrr t0, mstatus" ::: "t0"));
	int f2 = TRY_FAULT(__asm__ volatile ("csrw mtvec, zero"));
	int f3 = TRY_FAULT(__asm__ volatile ("mret"));
	report("machine-mode-instructions", f && f2 && f3, "mstatus read %d, mtvec write %d, mret %d faulted", f, f2, f3);
	volatile uint32_t *clint = (volatile uint32_t *)0x02004000u;  /* not mapped: faults either way */
	f = TRY_FAULT(__asm__ volatile ("sw zero, 0(%0)" :: "r"(clint) : "memory"));
	report("touch-clint", f, "a store to the timer compare register went through");

}

/* A hypercall from the guest's own user mode: ecall from U is delegated to the guest kernel
 * and must reach it as a system call; the hypervisor must not act on it. */
static void user_mode_hypercall(void)
{
	static const uint32_t code[] = {
		0x02400893,   /* li a7, 36 (__HYPERVISOR_domctl) */
		0x00000513,   /* li a0, 0 */
		0x00000073,   /* ecall */
		0x00100073,   /* ebreak: reached only if the ecall came back as a hypercall */
	};
	uint32_t *page = kva(spare_pfn);
	memcpy(page, code, sizeof(code));
	__asm__ volatile ("fence.i" ::: "memory");
	if (uva((uint32_t)page, LEAF(p2m[spare_pfn], PTE_R | PTE_X | 0x10 /* U */)) != 0) {
		printf("  (could not map a user page; hypercall-from-user-mode not tried)\n");
		return;
	}
	in_user = 1;
	enter_user((uint32_t)page);
	spare_writable(1);
	report("hypercall-from-user-mode", user_cause == 8, "the guest kernel saw scause %lu", (unsigned long)user_cause);
}

/* With a second vCPU (only then): its initial root must be validated like NEW_BASEPTR's. */
static void vcpu_context_attacks(void)
{
	if (HYPERVISOR_vcpu_op(VCPUOP_is_up, 1, NULL) < 0)
		return;
	static struct vcpu_guest_context ctx;
	memset(&ctx, 0, sizeof(ctx));
	ctx.pc = virt_base;
	ctx.root_mfn = foreign_mfn();
	int rc = HYPERVISOR_vcpu_op(VCPUOP_initialise, 1, &ctx);
	ctx.root_mfn = p2m[spare_pfn];   /* writable data, not a table */
	uint32_t *t = kva(spare_pfn);
	memset(t, 0, PAGE);
	t[3] = TABLE(foreign_mfn());
	int rc2 = HYPERVISOR_vcpu_op(VCPUOP_initialise, 1, &ctx);
	memset(t, 0, PAGE);
	ctx.root_mfn = (uint64_t)p2m[root_pfn] | (1ull << 40);   /* bits above the frame number */
	int rc3 = HYPERVISOR_vcpu_op(VCPUOP_initialise, 1, &ctx);
	report("vcpu-initialise-bad-root", rc < 0 && rc2 < 0 && rc3 < 0, "foreign root %d, bad table %d, huge mfn %d", rc,
	       rc2, rc3);
}

/* A request that straddles two virtual pages whose frames are not adjacent in machine
 * memory: the hypervisor must read its second half through the guest's mapping of the
 * second page. Reading on linearly would read the next machine frame, someone else's. */
static void page_crossing_request(void)
{
	uint32_t spare_va = (uint32_t)kva(spare_pfn);
	if (p2m[scratch_pfn] == p2m[spare_pfn] + 1) {
		printf("  (spare and scratch frames are adjacent; page-crossing-request not tried)\n");
		return;
	}
	uint32_t victim = spare_pfn - 2;   /* its direct-map entry becomes read-only */
	uint32_t l1_mfn = root_entry(virt_base >> 22) >> 10;
	uint64_t ptr = ((uint64_t)l1_mfn << 12) + ((((uint32_t)kva(victim)) >> 12) & 1023) * 4;
	uint32_t want = LEAF(p2m[victim], PTE_R);
	memset(kva(spare_pfn), 0, PAGE);
	*(volatile uint64_t *)(spare_va + PAGE - 8) = ptr | MMU_NORMAL_PT_UPDATE;   /* .ptr, last 8 bytes of one page */
	*(volatile uint64_t *)scratch_va = want;                                    /* .val, first 8 of the next */
	int rc = HYPERVISOR_mmu_update((mmu_update_t *)(spare_va + PAGE - 8), 1, NULL, DOMID_SELF);
	uint32_t l1_pfn = m2p[l1_mfn];
	uint32_t got = ((volatile uint32_t *)kva(l1_pfn))[(((uint32_t)kva(victim)) >> 12) & 1023];
	report("page-crossing-request", rc < 0 || got == want, "mmu_update %d wrote 0x%lx, the request said 0x%lx", rc,
	       (unsigned long)got, (unsigned long)want);
	uva((uint32_t)kva(victim), LEAF(p2m[victim], PTE_R | PTE_W));
	memset((void *)scratch_va, 0, 8);
}

/* Ring indices from another planet: Domain 0's console backend must clamp them. The ring
 * is filled with printable bytes first, so what the backend shows stays readable. There is
 * no verdict to print here: the backend counts the violation. */
static void console_ring_indices(void)
{
	volatile uint8_t *ring = kva(m2p[(uint32_t)si->console.domU.mfn]);
	volatile uint32_t *out_cons = (volatile uint32_t *)(ring + 3080), *out_prod = (volatile uint32_t *)(ring + 3084);
	for (uint32_t i = 0; i < 2048; i++)
		ring[1024 + i] = (i & 63) == 63 ? '\n' : '~';
	*out_prod = *out_cons + 0x80000000u;
	struct evtchn_send s = { .port = si->console.domU.evtchn };
	HYPERVISOR_event_channel_op(EVTCHNOP_send, &s);
}

/* Grant tables: grants of frames that are not the granter's, of its page tables, copies
 * and transfers naming foreign frames or page tables, maps of grants never given to us. */
static int map_grant(uint32_t host_va, domid_t dom, grant_ref_t ref, uint32_t flags, grant_handle_t *handle)
{
	struct gnttab_map_grant_ref op = { .host_addr = host_va, .flags = GNTMAP_host_map | flags, .ref = ref, .dom = dom };
	int rc = HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &op, 1);
	if (handle != NULL)
		*handle = op.handle;
	return rc < 0 ? rc : op.status;
}

static int unmap_grant(uint32_t host_va, grant_handle_t handle)
{
	struct gnttab_unmap_grant_ref op = { .host_addr = host_va, .handle = handle };
	int rc = HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &op, 1);
	return rc < 0 ? rc : op.status;
}

static int copy_frames(uint32_t src_mfn, uint32_t dst_mfn)
{
	struct gnttab_copy op;
	memset(&op, 0, sizeof(op));
	op.source.u.gmfn = src_mfn;
	op.source.domid = DOMID_SELF;
	op.dest.u.gmfn = dst_mfn;
	op.dest.domid = DOMID_SELF;
	op.len = 16;
	int rc = HYPERVISOR_grant_table_op(GNTTABOP_copy, &op, 1);
	return rc < 0 ? rc : op.status;
}

static void grant_attacks(void)
{
	/* Our domain id, as the hypervisor resolves DOMID_SELF in an unbound port's status. */
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
	HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &au);
	struct evtchn_status st = { .dom = DOMID_SELF, .port = au.port };
	HYPERVISOR_event_channel_op(EVTCHNOP_status, &st);
	struct evtchn_close cl = { .port = au.port };
	HYPERVISOR_event_channel_op(EVTCHNOP_close, &cl);
	domid_t self = st.u.unbound.dom;

	xen_pfn_t frame = 0;
	struct gnttab_setup_table setup = { .dom = DOMID_SELF, .nr_frames = 1 };
	set_xen_guest_handle(setup.frame_list, &frame);
	int rc = HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &setup, 1);
	uint32_t table_pfn = spare_pfn - 4, hole_pfn = spare_pfn - 3;
	uint32_t table_va = (uint32_t)kva(table_pfn), hole_va = (uint32_t)kva(hole_pfn);
	if (rc < 0 || setup.status != 0 || uva(table_va, LEAF((uint32_t)frame, PTE_R | PTE_W)) != 0) {
		printf("  (grant table not available: %d/%d; grant attacks not tried)\n", rc, setup.status);
		return;
	}
	grant_frame_mfn = (uint32_t)frame;
	volatile struct grant_entry_v1 *gt = (volatile struct grant_entry_v1 *)table_va;
	uva(hole_va, 0);   /* an empty leaf entry for the mappings to land in */

	/* control: a grant of our own frame to ourselves maps and unmaps */
	const grant_ref_t ref = 10;
	gt[ref].domid = self;
	gt[ref].frame = p2m[spare_pfn];
	__asm__ volatile ("fence w, w" ::: "memory");
	gt[ref].flags = GTF_permit_access;
	grant_handle_t h = 0;
	int st1 = map_grant(hole_va, DOMID_SELF, ref, 0, &h);
	int st2 = st1 == 0 ? unmap_grant(hole_va, h) : -1;
	control("grant-map-own-frame", st1 == 0 && st2 == 0, st1 != 0 ? st1 : st2);

	gt[ref].flags = 0;
	gt[ref].frame = foreign_mfn();
	__asm__ volatile ("fence w, w" ::: "memory");
	gt[ref].flags = GTF_permit_access;
	st1 = map_grant(hole_va, DOMID_SELF, ref, GNTMAP_readonly, &h);
	if (st1 == 0)
		unmap_grant(hole_va, h);
	report("grant-of-foreign-frame", st1 < 0, "mapped a foreign frame through our own grant: status %d", st1);

	gt[ref].flags = 0;
	gt[ref].frame = p2m[root_pfn];
	__asm__ volatile ("fence w, w" ::: "memory");
	gt[ref].flags = GTF_permit_access;
	st1 = map_grant(hole_va, DOMID_SELF, ref, 0, &h);
	if (st1 == 0)
		unmap_grant(hole_va, h);
	report("grant-of-own-root-writable", st1 < 0, "mapped our root table writable through a grant: status %d", st1);
	gt[ref].flags = 0;

	int bad = 0;
	for (grant_ref_t r = 0; r < 8; r++)
		if (map_grant(hole_va, 0, r, GNTMAP_readonly, &h) == 0) {
			bad++;
			unmap_grant(hole_va, h);
		}
	report("map-dom0-grants", bad == 0, "%d of Domain 0's grant refs 0..7 mapped", bad);

	int ok_copy = copy_frames(p2m[spare_pfn], p2m[scratch_pfn]);
	control("grant-copy-own-frames", ok_copy == 0, ok_copy);
	int c1 = copy_frames(foreign_mfn(), p2m[spare_pfn]);
	int c2 = copy_frames(p2m[spare_pfn], foreign_mfn());
	int c3 = copy_frames(p2m[spare_pfn], p2m[root_pfn]);
	report("grant-copy-foreign-or-table", c1 < 0 && c2 < 0 && c3 < 0, "from foreign %d, to foreign %d, onto our root %d",
	       c1, c2, c3);

	struct gnttab_transfer tr = { .mfn = p2m[root_pfn], .domid = 0, .ref = 0 };
	rc = HYPERVISOR_grant_table_op(GNTTABOP_transfer, &tr, 1);
	int t1 = rc < 0 ? rc : tr.status;
	tr = (struct gnttab_transfer){ .mfn = foreign_mfn(), .domid = 0, .ref = 0 };
	rc = HYPERVISOR_grant_table_op(GNTTABOP_transfer, &tr, 1);
	int t2 = rc < 0 ? rc : tr.status;
	report("grant-transfer-table-or-foreign", t1 < 0 && t2 < 0, "our root %d, a foreign frame %d", t1, t2);

	uva(hole_va, LEAF(p2m[hole_pfn], PTE_R | PTE_W));
	uva(table_va, LEAF(p2m[table_pfn], PTE_R | PTE_W));
}

/* ---- xenstore: a minimal client over the store ring, then requests a domU must not get ---- */
static volatile struct xenstore_domain_interface *xsr;

static void xs_kick(void)
{
	struct evtchn_send s = { .port = si->store_evtchn };
	HYPERVISOR_event_channel_op(EVTCHNOP_send, &s);
}

static int xs_put(const void *data, uint32_t len)
{
	const char *p = data;
	for (uint32_t i = 0; i < len; i++) {
		for (int spin = 0; xsr->req_prod - xsr->req_cons >= XENSTORE_RING_SIZE; spin++) {
			if (spin > 100000)
				return -1;
			xs_kick();
			HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
		}
		xsr->req[MASK_XENSTORE_IDX(xsr->req_prod)] = p[i];
		__asm__ volatile ("fence w, w" ::: "memory");
		xsr->req_prod++;
	}
	xs_kick();
	return 0;
}

static int xs_get(void *data, uint32_t len)
{
	char *p = data;
	for (uint32_t i = 0; i < len; i++) {
		for (int spin = 0; xsr->rsp_prod == xsr->rsp_cons; spin++) {
			if (spin > 100000)
				return -1;
			HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
		}
		p[i] = xsr->rsp[MASK_XENSTORE_IDX(xsr->rsp_cons)];
		__asm__ volatile ("fence rw, w" ::: "memory");
		xsr->rsp_cons++;
	}
	xs_kick();
	return 0;
}

/* One request (payload = a then b, each as given); returns the reply type, skipping watch events. */
static int xs_call(uint32_t type, const char *a, uint32_t alen, const char *b, uint32_t blen, char *reply, uint32_t size)
{
	static uint32_t req_id = 100;
	struct xsd_sockmsg h = { .type = type, .req_id = ++req_id, .tx_id = 0, .len = alen + blen };
	if (xs_put(&h, sizeof(h)) < 0 || xs_put(a, alen) < 0 || xs_put(b, blen) < 0)
		return -1;
	for (;;) {
		struct xsd_sockmsg r;
		if (xs_get(&r, sizeof(r)) < 0 || r.len > XENSTORE_PAYLOAD_MAX)
			return -1;
		static char buf[XENSTORE_PAYLOAD_MAX + 1];
		if (xs_get(buf, r.len) < 0)
			return -1;
		buf[r.len] = '\0';
		if (r.type == XS_WATCH_EVENT || r.req_id != h.req_id)
			continue;
		snprintf(reply, size, "%s", buf);
		return (int)r.type;
	}
}

static int xs_write(const char *path, const char *value, char *reply, uint32_t size)
{
	return xs_call(XS_WRITE, path, strlen(path) + 1, value, strlen(value), reply, size);
}

static int strstr_word(const char *s, const char *w)
{
	size_t n = strlen(w);
	for (const char *p = s; *p != '\0'; p++)
		if ((p == s || p[-1] == ' ') && strncmp(p, w, n) == 0 && (p[n] == ' ' || p[n] == '\0'))
			return 1;
	return 0;
}

static long xs_read_long(const char *path)
{
	char reply[32];
	if (xs_call(XS_READ, path, strlen(path) + 1, "", 0, reply, sizeof(reply)) != XS_READ)
		return -1;
	long v = 0;
	for (const char *p = reply; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (*p - '0');
	return v;
}

/* Polls a xenstore state key until it reaches one of [lo, hi]; the state, or -1. */
static long wait_state(const char *path, long lo, long hi)
{
	for (int i = 0; i < 4000; i++) {
		long st = xs_read_long(path);
		if (st >= lo && st <= hi)
			return st;
		HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
	}
	return -1;
}

static void net_attacks(volatile struct grant_entry_v1 *gt, uint32_t base_pfn);

/* With "io" on the command line and a disk attached: a block front end that lies. Each
 * attempt must get an error response or cost this device its connection, nothing more;
 * after a disconnection the front end starts over (state Initialising) for the next one. */
static struct {
	char backend[96], state[128];
	long be;
	volatile struct grant_entry_v1 *gt;
	volatile struct xen_sring_header *sr;
	struct blkif_request *slots;
	RING_IDX prod;
	evtchn_port_t port;
	uint32_t ring_pfn, data_pfn;
} bk;
#define BK_RING_REF 20
#define BK_DATA_REF 21

static int blk_connect(void)
{
	char reply[64], num[16];
	xs_write("device/vbd/51712/state", "1", reply, sizeof(reply));   /* (re)start */
	if (wait_state(bk.state, 2, 2) != 2)
		return -1;
	memset((void *)bk.sr, 0, PAGE);
	bk.sr->req_event = bk.sr->rsp_event = 1;
	bk.prod = 0;
	if (bk.port != 0) {
		struct evtchn_close cl = { .port = bk.port };
		HYPERVISOR_event_channel_op(EVTCHNOP_close, &cl);
	}
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = (domid_t)bk.be };
	HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &au);
	bk.port = au.port;
	snprintf(num, sizeof(num), "%d", BK_RING_REF);
	xs_write("device/vbd/51712/ring-ref", num, reply, sizeof(reply));
	snprintf(num, sizeof(num), "%lu", (unsigned long)bk.port);
	xs_write("device/vbd/51712/event-channel", num, reply, sizeof(reply));
	xs_write("device/vbd/51712/protocol", "x86_64-abi", reply, sizeof(reply));
	xs_write("device/vbd/51712/state", "3", reply, sizeof(reply));
	return wait_state(bk.state, 4, 4) == 4 ? 0 : -1;
}

/* Sends the request in the next slot (already filled); its status, or -100 with no answer. */
static int blk_send(void)
{
	bk.prod++;
	__asm__ volatile ("fence w, w" ::: "memory");
	bk.sr->req_prod = bk.prod;
	struct evtchn_send kick = { .port = bk.port };
	HYPERVISOR_event_channel_op(EVTCHNOP_send, &kick);
	for (int i = 0; i < 20000 && bk.sr->rsp_prod != bk.prod; i++)
		HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
	if (bk.sr->rsp_prod != bk.prod)
		return -100;
	return ((struct blkif_response *)&bk.slots[(bk.prod - 1) % BLKIF_RING_SIZE])->status;
}

static struct blkif_request *blk_next(uint8_t op, uint8_t nseg, uint32_t gref, uint8_t first, uint8_t last)
{
	struct blkif_request *r = &bk.slots[bk.prod % BLKIF_RING_SIZE];
	memset(r, 0, sizeof(*r));
	r->operation = op;
	r->nr_segments = nseg;
	r->id = 0x4000 + bk.prod;
	r->seg[0] = (struct blkif_request_segment){ gref, first, last, 0 };
	return r;
}

/* The attempt was answered with an error, or the device was disconnected (then reconnect). */
static int refused_or_dropped(int status, long *state)
{
	*state = xs_read_long(bk.state);
	if (status < 0 && status != -100)
		return 1;
	if (*state >= 5) {
		blk_connect();
		return 1;
	}
	return 0;
}

static void blk_attacks(void);

static void io_attacks(int self)
{
	(void)self;
	xen_pfn_t frame = 0;
	struct gnttab_setup_table setup = { .dom = DOMID_SELF, .nr_frames = 1 };
	set_xen_guest_handle(setup.frame_list, &frame);
	HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &setup, 1);
	uint32_t table_va = (uint32_t)kva(spare_pfn - 4);
	uva(table_va, LEAF((uint32_t)frame, PTE_R | PTE_W));
	bk.gt = (volatile struct grant_entry_v1 *)table_va;
	blk_attacks();
	net_attacks(bk.gt, spare_pfn - 7);
	uva(table_va, LEAF(p2m[spare_pfn - 4], PTE_R | PTE_W));
}

static void blk_attacks(void)
{
	if (xs_call(XS_READ, "device/vbd/51712/backend", 25, "", 0, bk.backend, sizeof(bk.backend)) != XS_READ) {
		printf("  (no disk attached: block attacks not tried)\n");
		return;
	}
	bk.be = xs_read_long("device/vbd/51712/backend-id");
	snprintf(bk.state, sizeof(bk.state), "%s/state", bk.backend);
	bk.ring_pfn = spare_pfn - 5;
	bk.data_pfn = spare_pfn - 6;
	bk.gt[BK_RING_REF].domid = (domid_t)bk.be;
	bk.gt[BK_RING_REF].frame = p2m[bk.ring_pfn];
	bk.gt[BK_DATA_REF].domid = (domid_t)bk.be;
	bk.gt[BK_DATA_REF].frame = p2m[bk.data_pfn];
	__asm__ volatile ("fence w, w" ::: "memory");
	bk.gt[BK_RING_REF].flags = GTF_permit_access;
	bk.gt[BK_DATA_REF].flags = GTF_permit_access;
	bk.sr = kva(bk.ring_pfn);
	bk.slots = (struct blkif_request *)((char *)bk.sr + XEN_RING_ENTRIES_OFFSET);
	if (bk.be < 0 || blk_connect() < 0) {
		printf("  (the block backend did not connect: block attacks not tried)\n");
		return;
	}
	long st;
	blk_next(BLKIF_OP_READ, 1, BK_DATA_REF, 0, 7);
	int ok = blk_send();
	control("blk-valid-read", ok == 0, ok);
	blk_next(BLKIF_OP_READ, 1, 400, 0, 7);
	int s1 = blk_send();
	report("blk-ungranted-gref", refused_or_dropped(s1, &st), "a read through grant ref 400 (never granted) answered %d", s1);
	blk_next(BLKIF_OP_WRITE, 1, BK_DATA_REF, 5, 2);
	int s2 = blk_send();
	report("blk-first-after-last", refused_or_dropped(s2, &st), "first_sect 5, last_sect 2 answered %d", s2);
	blk_next(BLKIF_OP_WRITE, 1, BK_DATA_REF, 0, 9);
	int s3 = blk_send();
	report("blk-sector-past-page", refused_or_dropped(s3, &st), "last_sect 9 answered %d", s3);
	blk_next(77, 0, 0, 0, 0);
	int s4 = blk_send();
	report("blk-unknown-operation", refused_or_dropped(s4, &st), "operation 77 answered %d, backend state %ld", s4, st);
	blk_next(BLKIF_OP_READ, 200, BK_DATA_REF, 0, 7);
	int s5 = blk_send();
	report("blk-200-segments", refused_or_dropped(s5, &st), "answered %d, backend state %ld", s5, st);
	/* Last: a producer index a thousand requests ahead must cost us the device. */
	bk.prod += 1000;
	bk.sr->req_prod = bk.prod;
	struct evtchn_send kick = { .port = bk.port };
	HYPERVISOR_event_channel_op(EVTCHNOP_send, &kick);
	long st6 = wait_state(bk.state, 5, 6);
	report("blk-ring-index-jump", st6 >= 5, "the backend stayed in state %ld", xs_read_long(bk.state));
	bk.gt[BK_RING_REF].flags = 0;
	bk.gt[BK_DATA_REF].flags = 0;
}

/* With "io" and a vif: a lying network front end against netback. */
static struct {
	char state[128];
	long be;
	volatile struct xen_sring_header *tx, *rx;
	RING_IDX tx_prod;
	evtchn_port_t port;
} nt;
#define NT_TX_REF   22
#define NT_RX_REF   23
#define NT_DATA_REF 24

static int net_connect(void)
{
	char reply[64], num[16];
	xs_write("device/vif/0/state", "1", reply, sizeof(reply));
	if (wait_state(nt.state, 2, 2) != 2)
		return -1;
	memset((void *)nt.tx, 0, PAGE);
	memset((void *)nt.rx, 0, PAGE);
	nt.tx->req_event = nt.tx->rsp_event = nt.rx->req_event = nt.rx->rsp_event = 1;
	nt.tx_prod = 0;
	if (nt.port != 0) {
		struct evtchn_close cl = { .port = nt.port };
		HYPERVISOR_event_channel_op(EVTCHNOP_close, &cl);
	}
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = (domid_t)nt.be };
	HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &au);
	nt.port = au.port;
	snprintf(num, sizeof(num), "%d", NT_TX_REF);
	xs_write("device/vif/0/tx-ring-ref", num, reply, sizeof(reply));
	snprintf(num, sizeof(num), "%d", NT_RX_REF);
	xs_write("device/vif/0/rx-ring-ref", num, reply, sizeof(reply));
	snprintf(num, sizeof(num), "%lu", (unsigned long)nt.port);
	xs_write("device/vif/0/event-channel", num, reply, sizeof(reply));
	xs_write("device/vif/0/request-rx-copy", "1", reply, sizeof(reply));
	xs_write("device/vif/0/state", "4", reply, sizeof(reply));
	return wait_state(nt.state, 4, 4) == 4 ? 0 : -1;
}

static struct netif_tx_request *tx_at(RING_IDX i)
{
	return (struct netif_tx_request *)((char *)nt.tx + XEN_RING_ENTRIES_OFFSET) + (i % NET_TX_RING_SIZE);
}

/* Pushes the queued tx requests; the status of the last one, or -100 with no answer. */
static int net_push(void)
{
	__asm__ volatile ("fence w, w" ::: "memory");
	nt.tx->req_prod = nt.tx_prod;
	struct evtchn_send kick = { .port = nt.port };
	HYPERVISOR_event_channel_op(EVTCHNOP_send, &kick);
	for (int i = 0; i < 20000 && nt.tx->rsp_prod != nt.tx_prod; i++)
		HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
	if (nt.tx->rsp_prod != nt.tx_prod)
		return -100;
	return ((struct netif_tx_response *)tx_at(nt.tx_prod - 1))->status;
}

static void net_queue(uint32_t gref, uint16_t offset, uint16_t flags, uint16_t size)
{
	*tx_at(nt.tx_prod) = (struct netif_tx_request){ gref, offset, flags, (uint16_t)(nt.tx_prod & 0xffff), size };
	nt.tx_prod++;
}

static int net_refused_or_dropped(int status)
{
	if (status < 0 && status != -100)
		return 1;
	if (xs_read_long(nt.state) >= 5) {
		net_connect();
		return 1;
	}
	return 0;
}

static void net_attacks(volatile struct grant_entry_v1 *gt, uint32_t base_pfn)
{
	char backend[96];
	if (xs_call(XS_READ, "device/vif/0/backend", 21, "", 0, backend, sizeof(backend)) != XS_READ) {
		printf("  (no vif attached: network attacks not tried)\n");
		return;
	}
	nt.be = xs_read_long("device/vif/0/backend-id");
	snprintf(nt.state, sizeof(nt.state), "%s/state", backend);
	uint32_t tx_pfn = base_pfn, rx_pfn = base_pfn - 1, data_pfn = base_pfn - 2;
	const grant_ref_t refs[3] = { NT_TX_REF, NT_RX_REF, NT_DATA_REF };
	const uint32_t pfns[3] = { tx_pfn, rx_pfn, data_pfn };
	for (int i = 0; i < 3; i++) {
		gt[refs[i]].domid = (domid_t)nt.be;
		gt[refs[i]].frame = p2m[pfns[i]];
		__asm__ volatile ("fence w, w" ::: "memory");
		gt[refs[i]].flags = GTF_permit_access;
	}
	nt.tx = kva(tx_pfn);
	nt.rx = kva(rx_pfn);
	uint8_t *frame = kva(data_pfn);
	memset(frame, 0xff, 12);   /* broadcast, from ff:ff:...: the bridge floods it */
	frame[12] = 0x88;
	frame[13] = 0xB5;
	if (nt.be < 0 || net_connect() < 0) {
		printf("  (the network backend did not connect: network attacks not tried)\n");
		return;
	}
	net_queue(NT_DATA_REF, 0, 0, 64);
	int ok = net_push();
	control("net-valid-frame", ok == 0, ok);
	net_queue(400, 0, 0, 64);
	int s1 = net_push();
	report("net-ungranted-gref", net_refused_or_dropped(s1), "a frame through grant ref 400 answered %d", s1);
	net_queue(NT_DATA_REF, 4000, 0, 200);
	int s2 = net_push();
	report("net-fragment-past-page", net_refused_or_dropped(s2), "offset 4000 size 200 answered %d", s2);
	/* A chain that never ends: more_data on every slot of the ring. */
	for (int i = 0; i < NET_TX_RING_SIZE; i++)
		net_queue(NT_DATA_REF, 0, NETTXF_more_data, i == 0 ? 60000 : 64);
	int s3 = net_push();
	long st3 = xs_read_long(nt.state);
	report("net-endless-chain", net_refused_or_dropped(s3), "answered %d, backend state %ld", s3, st3);
	/* Last: the tx producer index far ahead. */
	nt.tx_prod += 5000;
	nt.tx->req_prod = nt.tx_prod;
	struct evtchn_send kick = { .port = nt.port };
	HYPERVISOR_event_channel_op(EVTCHNOP_send, &kick);
	long st4 = wait_state(nt.state, 5, 6);
	report("net-ring-index-jump", st4 >= 5, "the backend stayed in state %ld", xs_read_long(nt.state));
	for (int i = 0; i < 3; i++)
		gt[refs[i]].flags = 0;
}

static void xenstore_attacks(void)
{
	if (si->store_mfn == 0)
		return;
	xsr = kva(m2p[(uint32_t)si->store_mfn]);
	char reply[128], path[64];
	int t = xs_call(XS_READ, "domid", 6, "", 0, reply, sizeof(reply));
	if (t != XS_READ) {
		printf("  (xenstore does not answer (%d): xenstore attacks not tried)\n", t);
		return;
	}
	int self = 0;
	for (const char *p = reply; *p >= '0' && *p <= '9'; p++)
		self = self * 10 + (*p - '0');
	control("xenstore-write-own", xs_write("data/hostile", "1", reply, sizeof(reply)) == XS_WRITE, 0);

	int accepted = 0;
	for (int d = 0; d < 16; d++) {
		if (d == self)
			continue;
		snprintf(path, sizeof(path), "/local/domain/%d/memory/target", d);
		accepted += xs_write(path, "1", reply, sizeof(reply)) != XS_ERROR;
		snprintf(path, sizeof(path), "/local/domain/%d/control/shutdown", d);
		accepted += xs_write(path, "poweroff", reply, sizeof(reply)) != XS_ERROR;
	}
	report("xenstore-write-other-domains", accepted == 0, "%d writes under other domains' homes accepted", accepted);
	int w1 = xs_write("/local/domain/0/name", "pwned", reply, sizeof(reply));
	int w2 = xs_write("/vm/hostile", "x", reply, sizeof(reply));
	int w3 = xs_call(XS_RM, "/local/domain", 14, "", 0, reply, sizeof(reply));
	report("xenstore-write-outside-home", w1 == XS_ERROR && w2 == XS_ERROR && w3 == XS_ERROR,
	       "dom0 name %d, /vm %d, rm /local/domain %d", w1, w2, w3);
	static const char intro[] = "7\0" "123\0" "4";
	int i1 = xs_call(XS_INTRODUCE, intro, sizeof(intro), "", 0, reply, sizeof(reply));
	int i2 = xs_call(XS_RELEASE, "0", 2, "", 0, reply, sizeof(reply));
	static const char perms[] = "/local/domain/0\0" "b0";   /* `b` + our id is appended below */
	char perm_req[64];
	int n = snprintf(perm_req, sizeof(perm_req), "%s", perms);
	n += 1 + snprintf(perm_req + n + 1, sizeof(perm_req) - (uint32_t)n - 1, "b%d", self);
	int i3 = xs_call(XS_SET_PERMS, perm_req, (uint32_t)n + 1, "", 0, reply, sizeof(reply));
	report("xenstore-privileged-requests", i1 == XS_ERROR && i2 == XS_ERROR && i3 == XS_ERROR,
	       "introduce %d, release %d, set_perms on dom0's home %d", i1, i2, i3);

	if (strstr_word(si->cmd_line, "io"))
		io_attacks(self);

	/* Last: a payload over 4096 bytes must end our connection only (error 3 = protocol). */
	struct xsd_sockmsg big = { .type = XS_WRITE, .req_id = 1, .tx_id = 0, .len = XENSTORE_PAYLOAD_MAX + 1 };
	xs_put(&big, sizeof(big));
	for (int spin = 0; spin < 1000 && xsr->error == 0; spin++)
		HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
	report("xenstore-oversized-payload", xsr->error != 0, "the connection survived a %u-byte payload (error %lu)",
	       XENSTORE_PAYLOAD_MAX + 1, (unsigned long)xsr->error);
}

static void satp_attack(void)
{
	int f, f2;
	/* csrw satp traps (TVM) and is emulated as NEW_BASEPTR: a foreign root must not take. */
	uint32_t evil = 0x80000000u | foreign_mfn(), now = 0;
	f = TRY_FAULT(__asm__ volatile ("csrw satp, %0" :: "r"(evil) : "memory"));
	f2 = TRY_FAULT(__asm__ volatile ("csrr %0, satp" : "=r"(now)));
	report("satp-foreign-root", f || (!f2 && (now & 0x3FFFFF) != (evil & 0x3FFFFF)),
	       "satp reads 0x%lx after writing 0x%lx", (unsigned long)now, (unsigned long)evil);
}

void hostile_main(unsigned long arg)
{
	si = (start_info_t *)arg;
	virt_base = (uint32_t)(uintptr_t)_start & ~0x3FFFFFu;
	nr_pages = (uint32_t)si->nr_pages;
	p2m = (uint32_t *)(uintptr_t)si->mfn_list;
	root_pfn = ((uint32_t)si->pt_base - virt_base) / PAGE;
	uint32_t slots = 0;
	while (root_entry((virt_base >> 22) + slots) & PTE_V)
		slots++;
	uint32_t mapped = slots * 1024 < nr_pages ? slots * 1024 : nr_pages;
	scratch_pfn = mapped - 1;   /* slack pages at the end of the bootstrap region */
	spare_pfn = mapped - 2;
	scratch_va = (uint32_t)kva(scratch_pfn);
	printf("hostile: %lu pages, cmdline \"%s\"\n", (unsigned long)nr_pages, si->cmd_line);
	verbose = strncmp(si->cmd_line, "verbose", 7) == 0;
	controls();

	map_mmio();
	map_hypervisor_frames();
	write_m2p();
	map_own_tables_writable();
	mmu_update_attacks();
	bad_tables();
	writable_pt_attacks();
	writable_pt_tricks();
	outputs_into_readonly();
	unpin_in_use();
	privileged_calls();
	event_attacks();
	global_virqs();
	misc_attacks();
	vcpu_context_attacks();
	page_crossing_request();
	grant_attacks();
	xenstore_attacks();
	console_ring_indices();
	user_mode_hypercall();
	decrease_mapped_frame();
	scan_foreign_frames();
	satp_attack();

	printf("hostile: done %lu refused %lu broken %lu controls failed\n", (unsigned long)refused, (unsigned long)broken,
	       (unsigned long)controls_failed);
	/* Mask events at both levels and never give the CPU back. */
	uint32_t shinfo_va = (uint32_t)kva(spare_pfn);
	if (uva(shinfo_va, LEAF((uint32_t)(si->shared_info >> 12), PTE_R | PTE_W)) == 0)
		((volatile shared_info_t *)shinfo_va)->vcpu_info[0].evtchn_upcall_mask = 1;
	csr_clear(sstatus, 2);
	for (;;)
		;
}
