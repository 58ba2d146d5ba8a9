/* xen/memory.h: memory_op (#12) sub-ops and the reservation struct. */
#ifndef XEN_MEMORY_H
#define XEN_MEMORY_H

#include <xen/xen.h>

#define XENMEM_increase_reservation 0
#define XENMEM_decrease_reservation 1
#define XENMEM_maximum_ram_page     2
#define XENMEM_current_reservation  3
#define XENMEM_maximum_reservation  4
#define XENMEM_machphys_mfn_list    5
#define XENMEM_populate_physmap     6
#define XENMEM_add_to_physmap       7
#define XENMEM_memory_map           9
#define XENMEM_machine_memory_map  10
#define XENMEM_exchange            11
#define XENMEM_machphys_mapping    12
#define XENMEM_maximum_gpfn        14

struct xen_memory_reservation {
	XEN_GUEST_HANDLE(xen_pfn_t) extent_start;
	xen_ulong_t nr_extents;
	uint32_t extent_order;
	uint32_t mem_flags;
	domid_t domid;
};

struct xen_memory_domain { domid_t domid; };

struct xen_machphys_mfn_list {
	uint32_t max_extents;
	XEN_GUEST_HANDLE(xen_pfn_t) extent_start;
	uint32_t nr_extents;
};

_Static_assert(sizeof(struct xen_memory_reservation) == 32, "xen_memory_reservation");
_Static_assert(offsetof(struct xen_memory_reservation, nr_extents) == 8, "nr_extents");
_Static_assert(offsetof(struct xen_memory_reservation, extent_order) == 16, "extent_order");
_Static_assert(offsetof(struct xen_memory_reservation, mem_flags) == 20, "mem_flags");
_Static_assert(offsetof(struct xen_memory_reservation, domid) == 24, "domid");

#endif
