/*
 * pv-tests.c: self-tests of the paravirtual interface itself (the PV flavour's arch_tests):
 * version and platform, the P2M/M2P pair, mmu_update batches and partial failure,
 * multicall, pinning rules, the memory reservation, event channels and VIRQ_TIMER, the
 * console ring.
 */
#include <minios.h>
#include <xen/hypercall.h>
#include "../../drivers/xenbus.h"

#define PV_TEST_VA 0x00C00000u

extern start_info_t *start_info;
extern shared_info_t *shared;
extern evtchn_port_t timer_port;
extern volatile uint32_t port_events[];
int evtchn_op(int cmd, void *arg);

static void events_window(void)
{
	/* Pending upcalls (sip.SSIP, set by the hypervisor) are taken here. */
	csr_set(sstatus, SSTATUS_SIE);
	__asm__ volatile ("nop");
	csr_clear(sstatus, SSTATUS_SIE);
}

static void test_version(void)
{
	int v = HYPERVISOR_xen_version(XENVER_version, NULL);
	struct xen_platform_parameters pp = { 0 };
	int rc = HYPERVISOR_xen_version(XENVER_platform_parameters, &pp);
	struct xen_feature_info fi = { .submap_idx = 0 };
	int rc2 = HYPERVISOR_xen_version(XENVER_get_features, &fi);
	CHECK("xen-version", v >= 0x30000 && rc == 0 && pp.virt_start == HYPERVISOR_VIRT_START && rc2 == 0,
	      "version 0x%x, platform rc %d virt_start 0x%llx, features rc %d", v, rc,
	      (unsigned long long)pp.virt_start, rc2);
	CHECK("start-info", strncmp(start_info->magic, "xen-3.0-riscv32", 16) == 0 && start_info->nr_pages == boot.nr_pages,
	      "magic \"%.31s\"", start_info->magic);
}

static void test_p2m(void)
{
	uint32_t bad = 0, contiguous = 0;
	for (uint32_t pfn = 0; pfn < boot.nr_pages; pfn++) {
		if (mfn_to_pfn(pfn_to_mfn(pfn)) != pfn)
			bad++;
		if (pfn > 0 && pfn_to_mfn(pfn) == pfn_to_mfn(pfn - 1) + 1)
			contiguous++;
	}
	CHECK("p2m-m2p", bad == 0, "%lu frames whose M2P entry disagrees with the P2M", (unsigned long)bad);
	printf("  (%lu of %lu frames follow their predecessor in machine memory)\n", (unsigned long)contiguous,
	       (unsigned long)boot.nr_pages);
}

static uint32_t frames[8];

/* A machine frame of RAM that is not ours. */
static uint32_t foreign_mfn(void)
{
	for (uint32_t mfn = 0x80000;; mfn++) {
		uint32_t pfn = 0;
		while (pfn < boot.nr_pages && pfn_to_mfn(pfn) != mfn)
			pfn++;
		if (pfn == boot.nr_pages)
			return mfn;
	}
}

static int read_back(uint32_t n)
{
	int ok = 1;
	for (uint32_t i = 0; i < n; i++)
		ok &= *(volatile uint32_t *)(PV_TEST_VA + i * PAGE_SIZE) == frames[i] + 0x1000;
	return ok;
}

static void test_mmu_update(uint32_t l1)
{
	mmu_update_t req[8];
	for (uint32_t i = 0; i < 8; i++)
		req[i] = (mmu_update_t){ (((uint64_t)pfn_to_mfn(l1) << 12) + (VA_L1_IDX(PV_TEST_VA) + i) * 4) | MMU_NORMAL_PT_UPDATE,
					 PTE_LEAF(pfn_to_mfn(frames[i]), PTE_R | PTE_W) };
	unsigned done = 0;
	int rc = HYPERVISOR_mmu_update(req, 8, &done, DOMID_SELF);
	HYPERVISOR_mmuext_op(&(mmuext_op_t){ .cmd = MMUEXT_TLB_FLUSH_LOCAL }, 1, NULL, DOMID_SELF);
	CHECK("mmu-update-done", rc == 0 && done == 8 && read_back(8), "rc %d, done %u", rc, done);

	/* A bad request in the middle: the ones before it are done, the rest are not. */
	for (uint32_t i = 0; i < 8; i++)
		req[i].val = 0;
	req[4].val = PTE_LEAF(foreign_mfn(), PTE_R | PTE_W);
	done = 0;
	rc = HYPERVISOR_mmu_update(req, 8, &done, DOMID_SELF);
	uint32_t e3 = pt_entry(l1, VA_L1_IDX(PV_TEST_VA) + 3), e5 = pt_entry(l1, VA_L1_IDX(PV_TEST_VA) + 5);
	CHECK("mmu-update-partial", rc < 0 && done == 4 && e3 == 0 && e5 != 0, "rc %d, done %u, entry 3 0x%lx entry 5 0x%lx",
	      rc, done, (unsigned long)e3, (unsigned long)e5);
	for (uint32_t i = 0; i < 8; i++)
		req[i].val = 0;
	HYPERVISOR_mmu_update(req, 8, NULL, DOMID_SELF);
	HYPERVISOR_mmuext_op(&(mmuext_op_t){ .cmd = MMUEXT_TLB_FLUSH_LOCAL }, 1, NULL, DOMID_SELF);
}

static void test_multicall(void)
{
	multicall_entry_t mc[4];
	memset(mc, 0, sizeof(mc));
	for (uint32_t i = 0; i < 3; i++) {
		mc[i].op = __HYPERVISOR_update_va_mapping;
		mc[i].args[0] = PV_TEST_VA + i * PAGE_SIZE;
		mc[i].args[1] = PTE_LEAF(pfn_to_mfn(frames[i]), PTE_R | PTE_W);
		mc[i].args[2] = 0;
		mc[i].args[3] = UVMF_INVLPG;
	}
	mc[3].op = __HYPERVISOR_xen_version;
	mc[3].args[0] = XENVER_version;
	int rc = HYPERVISOR_multicall(mc, 4);
	int ok = rc == 0 && mc[0].result == 0 && mc[1].result == 0 && mc[2].result == 0 && (int)mc[3].result >= 0x30000;
	CHECK("multicall", ok && read_back(3), "rc %d, results %d %d %d 0x%x", rc, (int)mc[0].result, (int)mc[1].result,
	      (int)mc[2].result, (int)mc[3].result);
	for (uint32_t i = 0; i < 3; i++)
		mc[i].args[1] = 0;
	HYPERVISOR_multicall(mc, 3);
}

static void test_pinning(void)
{
	uint32_t l1 = pt_alloc(1);   /* pinned by pt_alloc */
	uint32_t mfn = pfn_to_mfn(l1);
	mmuext_op_t op = { .cmd = MMUEXT_PIN_L1_TABLE };
	op.arg1.mfn = mfn;
	int twice = HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
	int writable = HYPERVISOR_update_va_mapping((uintptr_t)pfn_to_kva(l1), PTE_LEAF(mfn, PTE_R | PTE_W), UVMF_INVLPG);
	op.cmd = MMUEXT_UNPIN_TABLE;
	int unpin = HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
	int unpin2 = HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
	int writable2 = HYPERVISOR_update_va_mapping((uintptr_t)pfn_to_kva(l1), PTE_LEAF(mfn, PTE_R | PTE_W), UVMF_INVLPG);
	CHECK("pin-rules", twice < 0 && writable < 0 && unpin == 0 && unpin2 < 0 && writable2 == 0,
	      "pin twice %d, map pinned writable %d, unpin %d, unpin again %d, map unpinned writable %d",
	      twice, writable, unpin, unpin2, writable2);
	page_free(l1);
}

static int reservation(void)
{
	domid_t self = DOMID_SELF;
	return HYPERVISOR_memory_op(XENMEM_current_reservation, &self);
}

static void test_reservation(void)
{
	int before = reservation();
	uint32_t pfn[2] = { page_alloc(), page_alloc() };
	xen_pfn_t ext[2];
	for (int i = 0; i < 2; i++) {
		ext[i] = pfn_to_mfn(pfn[i]);
		HYPERVISOR_update_va_mapping((uintptr_t)pfn_to_kva(pfn[i]), 0, UVMF_INVLPG);
	}
	struct xen_memory_reservation r = { .nr_extents = 2, .extent_order = 0, .domid = DOMID_SELF };
	set_xen_guest_handle(r.extent_start, ext);
	int dec = HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r);
	int during = reservation();

	/* One back with increase_reservation (the hypervisor picks the frame), one with populate_physmap. */
	ext[0] = 0;
	r.nr_extents = 1;
	set_xen_guest_handle(r.extent_start, &ext[0]);
	int inc = HYPERVISOR_memory_op(XENMEM_increase_reservation, &r);
	ext[1] = pfn[1];
	set_xen_guest_handle(r.extent_start, &ext[1]);
	int pop = HYPERVISOR_memory_op(XENMEM_populate_physmap, &r);
	int after = reservation();

	int used_ok = inc == 1 && pop == 1;
	if (used_ok) {
		extern void p2m_set(uint32_t pfn, uint32_t mfn);
		for (int i = 0; i < 2; i++) {
			uint32_t mfn = (uint32_t)ext[i];
			mmu_update_t u = { ((uint64_t)mfn << 12) | MMU_MACHPHYS_UPDATE, pfn[i] };
			used_ok &= HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF) == 0;
			p2m_set(pfn[i], mfn);
			used_ok &= HYPERVISOR_update_va_mapping((uintptr_t)pfn_to_kva(pfn[i]), PTE_LEAF(mfn, PTE_R | PTE_W | PTE_X),
								UVMF_INVLPG) == 0;
			volatile uint32_t *p = pfn_to_kva(pfn[i]);
			p[0] = 0xB0A710AD + (uint32_t)i;
			used_ok &= p[0] == 0xB0A710AD + (uint32_t)i && mfn_to_pfn(mfn) == pfn[i];
		}
	}
	CHECK("reservation", before > 0 && dec == 2 && during == before - 2 && after == before && used_ok,
	      "current %d, decrease %d -> %d, increase %d, populate %d -> %d, frames usable %d", before, dec, during, inc,
	      pop, after, used_ok);
	if (used_ok) {
		page_free(pfn[0]);
		page_free(pfn[1]);
	}
}

static void test_events(void)
{
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
	int rc1 = evtchn_op(EVTCHNOP_alloc_unbound, &au);
	struct evtchn_bind_interdomain bi = { .remote_dom = DOMID_SELF, .remote_port = au.port };
	int rc2 = evtchn_op(EVTCHNOP_bind_interdomain, &bi);
	evtchn_port_t p = au.port, q = bi.local_port;
	if (rc1 != 0 || rc2 != 0 || p == 0 || q == 0 || p >= 128 || q >= 128) {
		CHECK("evtchn-loopback", 0, "alloc_unbound %d (port %lu), bind_interdomain %d (port %lu)", rc1,
		      (unsigned long)p, rc2, (unsigned long)q);
		return;
	}
	events_window();   /* bind_interdomain leaves the new port pending */
	uint32_t q0 = port_events[q], p0 = port_events[p];
	struct evtchn_send s = { .port = q };
	int rc3 = evtchn_op(EVTCHNOP_send, &s);
	events_window();
	s.port = p;
	int rc4 = evtchn_op(EVTCHNOP_send, &s);
	events_window();
	CHECK("evtchn-loopback", q0 >= 1 && rc3 == 0 && rc4 == 0 && port_events[p] == p0 + 1 && port_events[q] == q0 + 1,
	      "initial %lu, send %d %d, events on p %lu q %lu", (unsigned long)q0, rc3, rc4,
	      (unsigned long)(port_events[p] - p0), (unsigned long)(port_events[q] - q0));

	/* Masked: the event stays pending and arrives on unmask. */
	volatile uint32_t *mask = (volatile uint32_t *)shared->evtchn_mask;
	volatile uint32_t *pend = (volatile uint32_t *)shared->evtchn_pending;
	mask[p / 32] |= 1u << (p % 32);
	p0 = port_events[p];
	s.port = q;
	evtchn_op(EVTCHNOP_send, &s);
	events_window();
	int held = port_events[p] == p0 && (pend[p / 32] >> (p % 32)) & 1;
	struct evtchn_unmask um = { .port = p };
	int rc5 = evtchn_op(EVTCHNOP_unmask, &um);
	events_window();
	CHECK("evtchn-mask", held && rc5 == 0 && port_events[p] == p0 + 1 && !((mask[p / 32] >> (p % 32)) & 1),
	      "held while masked %d, unmask %d, delivered %lu", held, rc5, (unsigned long)(port_events[p] - p0));

	struct evtchn_status st = { .dom = DOMID_SELF, .port = p };
	int rc6 = evtchn_op(EVTCHNOP_status, &st);
	int inter = rc6 == 0 && st.status == EVTCHNSTAT_interdomain && st.u.interdomain.port == q;
	struct evtchn_close cl = { .port = p };
	int rc7 = evtchn_op(EVTCHNOP_close, &cl);
	cl.port = q;
	int rc8 = evtchn_op(EVTCHNOP_close, &cl);
	st = (struct evtchn_status){ .dom = DOMID_SELF, .port = p };
	int rc9 = evtchn_op(EVTCHNOP_status, &st);
	CHECK("evtchn-status-close", inter && rc7 == 0 && rc8 == 0 && rc9 == 0 && st.status == EVTCHNSTAT_closed,
	      "status %d/%lu, close %d %d, then status %lu", rc6, (unsigned long)st.status, rc7, rc8,
	      (unsigned long)st.status);

	st = (struct evtchn_status){ .dom = DOMID_SELF, .port = timer_port };
	int rc10 = evtchn_op(EVTCHNOP_status, &st);
	CHECK("virq-timer", rc10 == 0 && st.status == EVTCHNSTAT_virq && st.u.virq == VIRQ_TIMER && port_events[timer_port] > 0,
	      "status %d: %lu virq %lu, %lu timer events", rc10, (unsigned long)st.status, (unsigned long)st.u.virq,
	      (unsigned long)port_events[timer_port]);
}

static void test_vcpu_and_sched(void)
{
	int up = HYPERVISOR_vcpu_op(VCPUOP_is_up, 0, NULL);
	uint32_t fired = timer_fired;
	struct vcpu_set_singleshot_timer t = { .timeout_abs_ns = arch_now_ns() + 1000000, .flags = 0 };
	int rc = HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, &t);
	for (int i = 0; i < 20 && timer_fired == fired; i++)
		idle_once();
	int yield = HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
	CHECK("vcpu-op", up == 1 && rc == 0 && timer_fired > fired && yield == 0,
	      "is_up %d, singleshot %d, fired %lu, yield %d", up, rc, (unsigned long)(timer_fired - fired), yield);
}

static uint64_t test_va_pte_maddr(uint32_t l1)
{
	return ((uint64_t)pfn_to_mfn(l1) << 12) + VA_L1_IDX(PV_TEST_VA) * 4;
}

/* MMU_PT_UPDATE_PRESERVE_AD keeps the A/D bits the hardware set; flush flavours all work. */
static void test_preserve_ad_and_flushes(void)
{
	uint32_t l1 = pt_l1_for(current_root, PV_TEST_VA), data = page_alloc(), other = page_alloc();
	uint64_t ma = test_va_pte_maddr(l1);
	mmu_update_t u = { ma | MMU_NORMAL_PT_UPDATE, (pfn_to_mfn(data) << 10) | PTE_V | PTE_R | PTE_W };
	int rc = HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF);
	arch_flush_va(PV_TEST_VA);
	*(volatile uint32_t *)PV_TEST_VA = 1;   /* the walk sets A and D */
	uint32_t touched = pt_entry(l1, VA_L1_IDX(PV_TEST_VA));
	u = (mmu_update_t){ ma | MMU_PT_UPDATE_PRESERVE_AD, (pfn_to_mfn(other) << 10) | PTE_V | PTE_R | PTE_W };
	int rc2 = HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF);
	uint32_t after = pt_entry(l1, VA_L1_IDX(PV_TEST_VA));
	CHECK("mmu-update-preserve-ad", rc == 0 && rc2 == 0 && (touched & (PTE_A | PTE_D)) == (PTE_A | PTE_D) &&
	      (after & (PTE_A | PTE_D)) == (PTE_A | PTE_D) && PTE_MFN(after) == pfn_to_mfn(other),
	      "rc %d %d, entry after the store 0x%lx, after the update 0x%lx", rc, rc2, (unsigned long)touched,
	      (unsigned long)after);

	int f[6];
	f[0] = HYPERVISOR_update_va_mapping(PV_TEST_VA, PTE_LEAF(pfn_to_mfn(data), PTE_R), UVMF_TLB_FLUSH | UVMF_ALL);
	f[1] = HYPERVISOR_update_va_mapping(PV_TEST_VA, PTE_LEAF(pfn_to_mfn(data), PTE_R), UVMF_INVLPG | UVMF_ALL);
	f[2] = HYPERVISOR_update_va_mapping(PV_TEST_VA, PTE_LEAF(pfn_to_mfn(data), PTE_R), UVMF_TLB_FLUSH);
	mmuext_op_t ops[3] = { { .cmd = MMUEXT_TLB_FLUSH_ALL }, { .cmd = MMUEXT_INVLPG_ALL }, { .cmd = MMUEXT_TLB_FLUSH_LOCAL } };
	ops[1].arg1.linear_addr = PV_TEST_VA;
	unsigned done = 0;
	f[3] = HYPERVISOR_mmuext_op(ops, 3, &done, DOMID_SELF);
	f[4] = *(volatile uint32_t *)PV_TEST_VA == 1 ? 0 : -1;
	f[5] = HYPERVISOR_update_va_mapping(PV_TEST_VA, 0, UVMF_INVLPG);
	CHECK("tlb-flush-flavours", f[0] == 0 && f[1] == 0 && f[2] == 0 && f[3] == 0 && done == 3 && f[4] == 0 && f[5] == 0,
	      "%d %d %d, mmuext %d (done %u), read %d, unmap %d", f[0], f[1], f[2], f[3], done, f[4], f[5]);
	arch_pt_set(current_root, VA_ROOT_IDX(PV_TEST_VA), 0);
	arch_flush_va(PV_TEST_VA);
	pt_free(l1);
	page_free(data);
	page_free(other);
}

static void test_memory_limits(void)
{
	domid_t self = DOMID_SELF;
	int cur = HYPERVISOR_memory_op(XENMEM_current_reservation, &self);
	int max = HYPERVISOR_memory_op(XENMEM_maximum_reservation, &self);
	int top = HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);
	uint32_t highest = 0;
	for (uint32_t pfn = 0; pfn < boot.nr_pages; pfn++)
		if (pfn_to_mfn(pfn) > highest)
			highest = pfn_to_mfn(pfn);
	CHECK("memory-limits", cur > 0 && max >= cur && (uint32_t)top >= highest, "current %d, maximum %d, max RAM page 0x%x (ours up to 0x%lx)",
	      cur, max, top, (unsigned long)highest);
}

/* An IPI port to ourselves; bind_vcpu moves a loopback port but not an IPI one. */
static void test_ipi_and_bind_vcpu(void)
{
	struct evtchn_bind_ipi bi = { .vcpu = 0 };
	int rc = evtchn_op(EVTCHNOP_bind_ipi, &bi);
	if (rc != 0 || bi.port >= 128) {
		CHECK("evtchn-ipi", 0, "bind_ipi %d (port %lu)", rc, (unsigned long)bi.port);
		return;
	}
	uint32_t seen = port_events[bi.port];
	struct evtchn_send s = { .port = bi.port };
	int rc2 = evtchn_op(EVTCHNOP_send, &s);
	events_window();
	struct evtchn_bind_vcpu bv = { .port = bi.port, .vcpu = 0 };
	int move_ipi = evtchn_op(EVTCHNOP_bind_vcpu, &bv);
	CHECK("evtchn-ipi", rc2 == 0 && port_events[bi.port] == seen + 1 && move_ipi < 0,
	      "send %d, %lu events, bind_vcpu of an IPI port %d", rc2, (unsigned long)(port_events[bi.port] - seen), move_ipi);
	struct evtchn_close cl = { .port = bi.port };
	evtchn_op(EVTCHNOP_close, &cl);

	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
	evtchn_op(EVTCHNOP_alloc_unbound, &au);
	bv = (struct evtchn_bind_vcpu){ .port = au.port, .vcpu = 0 };
	int ok0 = evtchn_op(EVTCHNOP_bind_vcpu, &bv);
	bv.vcpu = 7;
	int bad = evtchn_op(EVTCHNOP_bind_vcpu, &bv);
	cl.port = au.port;
	evtchn_op(EVTCHNOP_close, &cl);
	CHECK("evtchn-bind-vcpu", ok0 == 0 && bad < 0, "to vCPU 0: %d, to vCPU 7: %d", ok0, bad);
}

/* SCHEDOP_poll: returns at once for a pending (even masked) port, else at the timeout. */
static void test_poll_and_periodic(void)
{
	HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
	events_window();
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
	evtchn_op(EVTCHNOP_alloc_unbound, &au);
	struct evtchn_bind_interdomain bi = { .remote_dom = DOMID_SELF, .remote_port = au.port };
	evtchn_op(EVTCHNOP_bind_interdomain, &bi);
	evtchn_port_t p = au.port, q = bi.local_port;
	events_window();
	volatile uint32_t *mask = (volatile uint32_t *)shared->evtchn_mask;
	volatile uint32_t *pend = (volatile uint32_t *)shared->evtchn_pending;
	mask[p / 32] |= 1u << (p % 32);
	struct evtchn_send s = { .port = q };
	evtchn_op(EVTCHNOP_send, &s);
	struct sched_poll poll = { .nr_ports = 1 };
	set_xen_guest_handle(poll.ports, &p);
	uint64_t t0 = arch_now_ns();
	poll.timeout = t0 + 1000000000;   /* 1 s: long enough to tell "at once" from "at the timeout" */
	int rc1 = HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
	uint64_t t1 = arch_now_ns();
	pend[p / 32] &= ~(1u << (p % 32));
	poll.timeout = t1 + 2000000;
	int rc2 = HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
	uint64_t t2 = arch_now_ns();
	mask[p / 32] &= ~(1u << (p % 32));
	struct evtchn_close cl = { .port = p };
	evtchn_op(EVTCHNOP_close, &cl);
	cl.port = q;
	evtchn_op(EVTCHNOP_close, &cl);
	CHECK("sched-poll", rc1 == 0 && t1 - t0 < 500000000 && rc2 == 0 && t2 - t1 >= 2000000,
	      "pending: %d after %llu ns; quiet: %d after %llu ns", rc1, (unsigned long long)(t1 - t0), rc2,
	      (unsigned long long)(t2 - t1));

	struct vcpu_set_periodic_timer pt = { .period_ns = 1000000 };
	int rc3 = HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, &pt);
	/* At least 3 ticks, and never more than one per period (they coalesce when other
	   domains hold the CPU, so there may be fewer than elapsed/period). */
	uint32_t fired = timer_fired;
	uint64_t t3 = arch_now_ns(), elapsed;
	while ((elapsed = arch_now_ns() - t3) < 200000000 && timer_fired - fired < 3)
		idle_once();
	uint32_t ticks = timer_fired - fired;
	uint32_t most = (uint32_t)(elapsed / 1000000) + 1;
	HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
	events_window();
	fired = timer_fired;
	uint64_t t4 = arch_now_ns();
	arch_timer_set(t4 + 3000000);
	while (arch_now_ns() - t4 < 3000000)
		idle_once();
	uint32_t after_stop = timer_fired - fired;
	pt.period_ns = 500000;
	int rc4 = HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, &pt);
	CHECK("periodic-timer", rc3 == 0 && ticks >= 3 && ticks <= most && after_stop == 1 && rc4 < 0,
	      "set %d, %lu ticks in %llu ns, %lu events after stopping (the one-shot only), 0.5 ms period %d", rc3,
	      (unsigned long)ticks, (unsigned long long)elapsed, (unsigned long)after_stop, rc4);
}

/* A second vCPU (only when the domain has one): initialised with its own stack on the
 * kernel's page tables, it announces itself on an IPI port bound to vCPU 0 and takes
 * itself down again. */
static volatile uint32_t secondary_ran;
static evtchn_port_t secondary_port;
static uint8_t secondary_stack[4096] __attribute__((aligned(16)));

static void secondary_main(void)
{
	__atomic_fetch_add(&secondary_ran, 1, __ATOMIC_SEQ_CST);
	struct evtchn_send s = { .port = secondary_port };
	HYPERVISOR_event_channel_op(EVTCHNOP_send, &s);
	HYPERVISOR_vcpu_op(VCPUOP_down, 1, NULL);
	for (;;)
		HYPERVISOR_sched_op(SCHEDOP_block, NULL);
}

static void test_second_vcpu(void)
{
	int exists = HYPERVISOR_vcpu_op(VCPUOP_is_up, 1, NULL);
	if (exists < 0)
		return;   /* a one-vCPU domain */
	int early = HYPERVISOR_vcpu_op(VCPUOP_up, 1, NULL);
	struct evtchn_bind_ipi bi = { .vcpu = 0 };
	evtchn_op(EVTCHNOP_bind_ipi, &bi);
	secondary_port = bi.port;
	uint32_t seen = bi.port < 128 ? port_events[bi.port] : 0;
	static struct vcpu_guest_context ctx;
	memset(&ctx, 0, sizeof(ctx));
	ctx.pc = (uint32_t)secondary_main;
	ctx.x[2] = (uint32_t)(secondary_stack + sizeof(secondary_stack));
	ctx.root_mfn = pfn_to_mfn(boot.root_pfn);
	ctx.stvec = (uint32_t)trap_entry;
	int init = HYPERVISOR_vcpu_op(VCPUOP_initialise, 1, &ctx);
	int up = HYPERVISOR_vcpu_op(VCPUOP_up, 1, NULL);
	uint64_t t0 = arch_now_ns();
	while ((bi.port >= 128 || port_events[bi.port] == seen || HYPERVISOR_vcpu_op(VCPUOP_is_up, 1, NULL) != 0) &&
	       arch_now_ns() - t0 < 100000000) {
		arch_timer_set(arch_now_ns() + 1000000);
		idle_once();
	}
	int is_up = HYPERVISOR_vcpu_op(VCPUOP_is_up, 1, NULL);
	CHECK("second-vcpu", exists == 0 && early < 0 && init == 0 && up == 0 && secondary_ran == 1 &&
	      port_events[bi.port] == seen + 1 && is_up == 0,
	      "is_up before %d, up before initialise %d, initialise %d, up %d, ran %lu, events %lu, is_up after %d", exists,
	      early, init, up, (unsigned long)secondary_ran, (unsigned long)(port_events[bi.port] - seen), is_up);
	struct evtchn_close cl = { .port = bi.port };
	evtchn_op(EVTCHNOP_close, &cl);
}

/* The console ring (struct xencons_interface) served by Domain 0's backend. */
static void test_console_ring(void)
{
	uint32_t pfn = mfn_to_pfn((uint32_t)start_info->console.domU.mfn);
	evtchn_port_t port = start_info->console.domU.evtchn;
	volatile uint8_t *ring = pfn_to_kva(pfn);
	volatile uint32_t *out_cons = (volatile uint32_t *)(ring + 3080), *out_prod = (volatile uint32_t *)(ring + 3084);
	static const char msg[] = "minios: hello through the console ring\r\n";
	uint32_t prod = *out_prod;
	for (uint32_t i = 0; i < sizeof(msg) - 1; i++)
		ring[1024 + ((prod + i) & 2047)] = (uint8_t)msg[i];
	__asm__ volatile ("fence w, w" ::: "memory");
	*out_prod = prod + sizeof(msg) - 1;
	struct evtchn_send s = { .port = port };
	int rc = evtchn_op(EVTCHNOP_send, &s);
	uint32_t before = port < 128 ? port_events[port] : 0;
	for (int i = 0; i < 20 && *out_cons != *out_prod; i++)
		sleep_ns(100000);
	CHECK("console-ring", rc == 0 && *out_cons == *out_prod, "send %d, out_cons %lu out_prod %lu, %lu events back", rc,
	      (unsigned long)*out_cons, (unsigned long)*out_prod, (unsigned long)((port < 128 ? port_events[port] : 0) - before));
}

void arch_tests(void)
{
	test_version();
	test_p2m();
	for (uint32_t i = 0; i < 8; i++) {
		frames[i] = page_alloc();
		*(uint32_t *)pfn_to_kva(frames[i]) = frames[i] + 0x1000;
	}
	uint32_t l1 = pt_l1_for(current_root, PV_TEST_VA);
	test_mmu_update(l1);
	test_multicall();
	arch_pt_set(current_root, VA_ROOT_IDX(PV_TEST_VA), 0);
	arch_flush_va(PV_TEST_VA);
	pt_free(l1);
	for (uint32_t i = 0; i < 8; i++)
		page_free(frames[i]);
	test_pinning();
	test_reservation();
	test_events();
	test_vcpu_and_sched();
	test_preserve_ad_and_flushes();
	test_memory_limits();
	test_ipi_and_bind_vcpu();
	test_poll_and_periodic();
	test_second_vcpu();
	test_console_ring();
	xenbus_tests();
}
