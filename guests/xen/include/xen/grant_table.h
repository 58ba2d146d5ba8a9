/* xen/grant_table.h: grant_table_op (#20), v1 grant entries and the op structs (x64 layouts). */
#ifndef XEN_GRANT_TABLE_H
#define XEN_GRANT_TABLE_H

#include <xen/xen.h>

typedef uint32_t grant_ref_t;
typedef uint32_t grant_handle_t;

#define GNTTABOP_map_grant_ref    0
#define GNTTABOP_unmap_grant_ref  1
#define GNTTABOP_setup_table      2
#define GNTTABOP_dump_table       3
#define GNTTABOP_transfer         4
#define GNTTABOP_copy             5
#define GNTTABOP_query_size       6
#define GNTTABOP_unmap_and_replace 7
#define GNTTABOP_set_version      8
#define GNTTABOP_get_status_frames 9
#define GNTTABOP_get_version     10
#define GNTTABOP_swap_grant_ref  11

/* grant_entry_v1.flags */
#define GTF_invalid         0
#define GTF_permit_access   1
#define GTF_accept_transfer 2
#define GTF_transitive      3
#define GTF_type_mask       3
#define GTF_readonly        (1u << 2)
#define GTF_reading         (1u << 3)
#define GTF_writing         (1u << 4)
#define GTF_transfer_committed (1u << 2)
#define GTF_transfer_completed (1u << 3)

#define GNTTAB_NR_RESERVED_ENTRIES 8
#define GNTTAB_RESERVED_CONSOLE    0
#define GNTTAB_RESERVED_XENSTORE   1

struct grant_entry_v1 {
	uint16_t flags;
	domid_t domid;
	uint32_t frame;
};

#define GNTMAP_device_map      (1u << 0)
#define GNTMAP_host_map        (1u << 1)
#define GNTMAP_readonly        (1u << 2)
#define GNTMAP_application_map (1u << 3)
#define GNTMAP_contains_pte    (1u << 4)

#define GNTST_okay              0
#define GNTST_general_error    (-1)
#define GNTST_bad_domain       (-2)
#define GNTST_bad_gntref       (-3)
#define GNTST_bad_handle       (-4)
#define GNTST_bad_virt_addr    (-5)
#define GNTST_bad_dev_addr     (-6)
#define GNTST_no_device_space  (-7)
#define GNTST_permission_denied (-8)
#define GNTST_bad_page         (-9)
#define GNTST_bad_copy_arg     (-10)
#define GNTST_address_too_big  (-11)
#define GNTST_eagain           (-12)
#define GNTST_no_space         (-13)

struct gnttab_map_grant_ref {
	uint64_t host_addr;
	uint32_t flags;
	grant_ref_t ref;
	domid_t dom;
	int16_t status;
	grant_handle_t handle;
	uint64_t dev_bus_addr;
};

struct gnttab_unmap_grant_ref {
	uint64_t host_addr;
	uint64_t dev_bus_addr;
	grant_handle_t handle;
	int16_t status;
};

struct gnttab_setup_table {
	domid_t dom;
	uint32_t nr_frames;
	int16_t status;
	XEN_GUEST_HANDLE(xen_pfn_t) frame_list;
};

struct gnttab_transfer {
	xen_pfn_t mfn;
	domid_t domid;
	grant_ref_t ref;
	int16_t status;
};

#define GNTCOPY_source_gref (1u << 0)
#define GNTCOPY_dest_gref   (1u << 1)

struct gnttab_copy_ptr {
	union {
		grant_ref_t ref;
		xen_pfn_t gmfn;
	} u;
	domid_t domid;
	uint16_t offset;
};

struct gnttab_copy {
	struct gnttab_copy_ptr source, dest;
	uint16_t len;
	uint16_t flags;
	int16_t status;
};

struct gnttab_query_size {
	domid_t dom;
	uint32_t nr_frames;
	uint32_t max_nr_frames;
	int16_t status;
};

struct gnttab_set_version { uint32_t version; };
struct gnttab_get_version { domid_t dom; uint16_t pad; uint32_t version; };
struct gnttab_dump_table { domid_t dom; int16_t status; };
struct gnttab_swap_grant_ref { grant_ref_t ref_a, ref_b; int16_t status; };

_Static_assert(sizeof(struct grant_entry_v1) == 8, "grant_entry_v1");
_Static_assert(offsetof(struct grant_entry_v1, frame) == 4, "grant_entry_v1.frame");
_Static_assert(sizeof(struct gnttab_map_grant_ref) == 32, "gnttab_map_grant_ref");
_Static_assert(offsetof(struct gnttab_map_grant_ref, flags) == 8, "map.flags");
_Static_assert(offsetof(struct gnttab_map_grant_ref, ref) == 12, "map.ref");
_Static_assert(offsetof(struct gnttab_map_grant_ref, dom) == 16, "map.dom");
_Static_assert(offsetof(struct gnttab_map_grant_ref, status) == 18, "map.status");
_Static_assert(offsetof(struct gnttab_map_grant_ref, handle) == 20, "map.handle");
_Static_assert(offsetof(struct gnttab_map_grant_ref, dev_bus_addr) == 24, "map.dev_bus_addr");
_Static_assert(sizeof(struct gnttab_unmap_grant_ref) == 24, "gnttab_unmap_grant_ref");
_Static_assert(offsetof(struct gnttab_unmap_grant_ref, handle) == 16, "unmap.handle");
_Static_assert(offsetof(struct gnttab_unmap_grant_ref, status) == 20, "unmap.status");
_Static_assert(sizeof(struct gnttab_setup_table) == 24, "gnttab_setup_table");
_Static_assert(offsetof(struct gnttab_setup_table, nr_frames) == 4, "setup.nr_frames");
_Static_assert(offsetof(struct gnttab_setup_table, status) == 8, "setup.status");
_Static_assert(offsetof(struct gnttab_setup_table, frame_list) == 16, "setup.frame_list");
_Static_assert(sizeof(struct gnttab_transfer) == 24, "gnttab_transfer");
_Static_assert(offsetof(struct gnttab_transfer, domid) == 8, "transfer.domid");
_Static_assert(offsetof(struct gnttab_transfer, ref) == 12, "transfer.ref");
_Static_assert(offsetof(struct gnttab_transfer, status) == 16, "transfer.status");
_Static_assert(sizeof(struct gnttab_copy_ptr) == 16, "gnttab_copy_ptr");
_Static_assert(offsetof(struct gnttab_copy_ptr, domid) == 8, "copy_ptr.domid");
_Static_assert(offsetof(struct gnttab_copy_ptr, offset) == 10, "copy_ptr.offset");
_Static_assert(sizeof(struct gnttab_copy) == 40, "gnttab_copy");
_Static_assert(offsetof(struct gnttab_copy, dest) == 16, "copy.dest");
_Static_assert(offsetof(struct gnttab_copy, len) == 32, "copy.len");
_Static_assert(offsetof(struct gnttab_copy, flags) == 34, "copy.flags");
_Static_assert(offsetof(struct gnttab_copy, status) == 36, "copy.status");
_Static_assert(sizeof(struct gnttab_query_size) == 16, "gnttab_query_size");
_Static_assert(offsetof(struct gnttab_query_size, max_nr_frames) == 8, "query.max_nr_frames");
_Static_assert(offsetof(struct gnttab_query_size, status) == 12, "query.status");
_Static_assert(sizeof(struct gnttab_set_version) == 4, "gnttab_set_version");
_Static_assert(sizeof(struct gnttab_get_version) == 8, "gnttab_get_version");
_Static_assert(sizeof(struct gnttab_dump_table) == 4, "gnttab_dump_table");
_Static_assert(sizeof(struct gnttab_swap_grant_ref) == 12, "gnttab_swap_grant_ref");

#endif
