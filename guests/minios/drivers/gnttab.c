/*
 * gnttab.c: granting our frames to other domains (grant table v1, fact sheet §5.1).
 * Frame 0 of the table (512 entries) is mapped at a fixed kernel address. An entry is
 * written domid and frame first, flags last; it is revoked only when the hypervisor's
 * GTF_reading/GTF_writing bits say nobody uses it, by a compare-and-swap of the whole
 * {flags, domid} word, so a mapping racing the revocation wins or loses cleanly.
 */
#include <minios.h>
#include <xen/hypercall.h>
#include "gnttab.h"

#define GNTTAB_VA 0xF0001000u
#define NR_REFS   512

static volatile struct grant_entry_v1 *table;
static uint8_t in_use[NR_REFS];

int gnttab_init(void)
{
	if (table != NULL)
		return 0;
	xen_pfn_t frame = 0;
	struct gnttab_setup_table setup = { .dom = DOMID_SELF, .nr_frames = 1 };
	set_xen_guest_handle(setup.frame_list, &frame);
	int rc = HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &setup, 1);
	if (rc < 0 || setup.status != GNTST_okay)
		return rc < 0 ? rc : -XEN_ENOSYS;
	kmap(GNTTAB_VA, PTE_LEAF((uint32_t)frame, PTE_R | PTE_W));
	table = (volatile struct grant_entry_v1 *)GNTTAB_VA;
	return 0;
}

int gnttab_grant(domid_t domid, uint32_t mfn, int readonly)
{
	for (grant_ref_t ref = GNTTAB_NR_RESERVED_ENTRIES; ref < NR_REFS; ref++) {
		if (in_use[ref])
			continue;
		in_use[ref] = 1;
		table[ref].domid = domid;
		table[ref].frame = mfn;
		__asm__ volatile ("fence w, w" ::: "memory");
		table[ref].flags = (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0));
		return (int)ref;
	}
	return -XEN_ENOSPC;
}

int gnttab_end(grant_ref_t ref)
{
	if (ref >= NR_REFS || !in_use[ref])
		return -XEN_EINVAL;
	volatile uint32_t *word = (volatile uint32_t *)&table[ref];   /* flags in the low half */
	uint32_t old = *word;
	if (old & (GTF_reading | GTF_writing))
		return -XEN_EBUSY;
	uint32_t seen, fail;
	__asm__ volatile ("1: lr.w.aqrl %0, (%2)\n"
			  "   bne %0, %3, 2f\n"
			  "   sc.w.aqrl %1, %4, (%2)\n"
			  "   bnez %1, 1b\n"
			  "2:"
			  : "=&r"(seen), "=&r"(fail) : "r"(word), "r"(old), "r"(old & 0xFFFF0000u) : "memory");
	if (seen != old)
		return -XEN_EBUSY;
	in_use[ref] = 0;
	return 0;
}

/* Page flipping (GTF_accept_transfer): the granter gives us a frame through the entry. */
int gnttab_accept_transfer(domid_t domid)
{
	for (grant_ref_t ref = GNTTAB_NR_RESERVED_ENTRIES; ref < NR_REFS; ref++) {
		if (in_use[ref])
			continue;
		in_use[ref] = 1;
		gnttab_rearm_transfer(ref, domid);
		return (int)ref;
	}
	return -XEN_ENOSPC;
}

void gnttab_rearm_transfer(grant_ref_t ref, domid_t domid)
{
	table[ref].flags = 0;
	__asm__ volatile ("fence w, w" ::: "memory");
	table[ref].domid = domid;
	table[ref].frame = 0;
	__asm__ volatile ("fence w, w" ::: "memory");
	table[ref].flags = GTF_accept_transfer;
}

int gnttab_transfer_done(grant_ref_t ref, uint32_t *mfn)
{
	if (!(table[ref].flags & GTF_transfer_completed))
		return 0;
	__asm__ volatile ("fence r, r" ::: "memory");
	*mfn = table[ref].frame;
	return 1;
}
