/* xen/io/blkif.h: the block protocol (fact sheet §10), x86-64/ARM layout (u64 id at 8). */
#ifndef XEN_IO_BLKIF_H
#define XEN_IO_BLKIF_H

#include <xen/io/ring.h>

#define BLKIF_OP_READ            0
#define BLKIF_OP_WRITE           1
#define BLKIF_OP_WRITE_BARRIER   2
#define BLKIF_OP_FLUSH_DISKCACHE 3
#define BLKIF_OP_DISCARD         5
#define BLKIF_OP_INDIRECT        6
#define BLKIF_MAX_SEGMENTS_PER_REQUEST 11
#define BLKIF_RSP_EOPNOTSUPP (-2)
#define BLKIF_RSP_ERROR      (-1)
#define BLKIF_RSP_OKAY        0
#define VDISK_CDROM     0x1
#define VDISK_REMOVABLE 0x2
#define VDISK_READONLY  0x4

typedef uint16_t blkif_vdev_t;
typedef uint64_t blkif_sector_t;

struct blkif_request_segment {
	uint32_t gref;
	uint8_t first_sect, last_sect;
	uint16_t pad;
};

struct blkif_request {
	uint8_t operation;
	uint8_t nr_segments;
	blkif_vdev_t handle;
	uint64_t id;
	blkif_sector_t sector_number;
	struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
};

struct blkif_response {
	uint64_t id;
	uint8_t operation;
	int16_t status;
};

#define BLKIF_RING_SIZE 32   /* one page: (4096 - 64) / 112 rounded down to a power of two */

_Static_assert(sizeof(struct blkif_request_segment) == 8, "blkif_request_segment");
_Static_assert(sizeof(struct blkif_request) == 112, "blkif_request");
_Static_assert(offsetof(struct blkif_request, id) == 8, "blkif_request.id");
_Static_assert(offsetof(struct blkif_request, sector_number) == 16, "blkif_request.sector_number");
_Static_assert(offsetof(struct blkif_request, seg) == 24, "blkif_request.seg");
_Static_assert(sizeof(struct blkif_response) == 16, "blkif_response");
_Static_assert(offsetof(struct blkif_response, operation) == 8, "blkif_response.operation");
_Static_assert(offsetof(struct blkif_response, status) == 10, "blkif_response.status");
_Static_assert(XEN_RING_SIZE_1PAGE(sizeof(struct blkif_request)) == BLKIF_RING_SIZE, "blkif ring size");

#endif
