/*
 * balloon.c: follows the toolstack's memory target (xenstore memory/target, in KiB), as
 * Linux's balloon driver does. Going down, free frames leave the kernel's allocator, are
 * unmapped from the direct map and given back with XENMEM_decrease_reservation; their
 * pages are remembered. Going up, those pages get frames again with
 * XENMEM_populate_physmap (the M2P entry, the P2M entry and the direct map follow) and
 * return to the allocator. The kernel never gives back frames it is using.
 */
#include <minios.h>
#include <xen/hypercall.h>
#include "xenbus.h"
#include "balloon.h"

#define MAX_BALLOONED 16384u
#define KEEP_FREE     256u      /* never balloon the allocator below this */

void p2m_set(uint32_t pfn, uint32_t mfn);   /* arch/pv/pv.c */

static uint16_t ballooned[MAX_BALLOONED];   /* the pages without frames */
static uint32_t nballooned;
int balloon_event;                            /* set by xenbus when memory/target changes */

uint32_t balloon_pages(void)
{
	return nballooned;
}

void balloon_init(void)
{
	if (xenbus_ready() && xenbus_watch("memory/target", "balloon") == 0)
		balloon_event = 1;
}

static int reservation(void)
{
	domid_t self = DOMID_SELF;
	return HYPERVISOR_memory_op(XENMEM_current_reservation, &self);
}

static int give_back(void)
{
	if (pages_free() <= KEEP_FREE || nballooned == MAX_BALLOONED)
		return -1;
	uint32_t pfn = page_alloc();
	if (pfn == 0)
		return -1;
	xen_pfn_t mfn = pfn_to_mfn(pfn);
	HYPERVISOR_update_va_mapping((uintptr_t)pfn_to_kva(pfn), 0, UVMF_INVLPG);
	struct xen_memory_reservation r = { .nr_extents = 1, .domid = DOMID_SELF };
	set_xen_guest_handle(r.extent_start, &mfn);
	if (HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r) != 1) {
		HYPERVISOR_update_va_mapping((uintptr_t)pfn_to_kva(pfn), PTE_LEAF((uint32_t)mfn, PTE_R | PTE_W), UVMF_INVLPG);
		page_free(pfn);
		return -1;
	}
	p2m_set(pfn, INVALID_P2M_ENTRY);
	ballooned[nballooned++] = (uint16_t)pfn;
	return 0;
}

static int take_back(void)
{
	if (nballooned == 0)
		return -1;
	uint32_t pfn = ballooned[nballooned - 1];
	xen_pfn_t ext = pfn;
	struct xen_memory_reservation r = { .nr_extents = 1, .domid = DOMID_SELF };
	set_xen_guest_handle(r.extent_start, &ext);
	if (HYPERVISOR_memory_op(XENMEM_populate_physmap, &r) != 1)
		return -1;
	nballooned--;
	uint32_t mfn = (uint32_t)ext;
	mmu_update_t u = { ((uint64_t)mfn << 12) | MMU_MACHPHYS_UPDATE, pfn };
	HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF);
	p2m_set(pfn, mfn);
	HYPERVISOR_update_va_mapping((uintptr_t)pfn_to_kva(pfn), PTE_LEAF(mfn, PTE_R | PTE_W | PTE_X), UVMF_INVLPG);
	page_free(pfn);
	return 0;
}

void balloon_poll(void)
{
	if (!balloon_event)
		return;
	balloon_event = 0;
	long kib = 0;
	if (xenbus_read_int(XBT_NIL, "memory/target", &kib) < 0 || kib <= 0)
		return;
	int target = (int)(kib / 4), now = reservation();
	if (now < 0 || target == now)
		return;
	int moved = 0;
	while (now > target && give_back() == 0)
		now--, moved--;
	while (now < target && take_back() == 0)
		now++, moved++;
	printf("minios: balloon: target %ld KiB, now %d pages (%+d), %lu given back\n", kib, now, moved,
	       (unsigned long)nballooned);
}
