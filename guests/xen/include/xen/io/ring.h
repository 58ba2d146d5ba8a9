/* xen/io/ring.h: the shared ring page header (io/ring.h, fact sheet §9): indices at 0..12, entries from 64. */
#ifndef XEN_IO_RING_H
#define XEN_IO_RING_H

#include <stddef.h>
#include <stdint.h>

typedef uint32_t RING_IDX;

struct xen_sring_header {
	RING_IDX req_prod, req_event;
	RING_IDX rsp_prod, rsp_event;
	uint8_t pvt[4];
	uint8_t pad[44];
};
#define XEN_RING_ENTRIES_OFFSET 64
/* Entries in a one-page ring of `entry_size`-byte slots: the largest power of two that fits. */
#define XEN_RING_SIZE_1PAGE(entry_size) \
	(((4096 - 64) / (entry_size)) >= 256 ? 256 : ((4096 - 64) / (entry_size)) >= 128 ? 128 : \
	 ((4096 - 64) / (entry_size)) >= 64 ? 64 : ((4096 - 64) / (entry_size)) >= 32 ? 32 : \
	 ((4096 - 64) / (entry_size)) >= 16 ? 16 : 8)

_Static_assert(sizeof(struct xen_sring_header) == XEN_RING_ENTRIES_OFFSET, "sring header");
_Static_assert(offsetof(struct xen_sring_header, rsp_event) == 12, "sring.rsp_event");

#endif
