/* xen/io/console.h: the PV console ring page (struct xencons_interface). */
#ifndef XEN_IO_CONSOLE_H
#define XEN_IO_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

typedef uint32_t XENCONS_RING_IDX;
#define MASK_XENCONS_IDX(idx, ring) ((idx) & (sizeof(ring) - 1))
#define XENCONSOLE_CONNECTED    0
#define XENCONSOLE_DISCONNECTED 1

struct xencons_interface {
	char in[1024];
	char out[2048];
	XENCONS_RING_IDX in_cons, in_prod;
	XENCONS_RING_IDX out_cons, out_prod;
	uint8_t connection;
};

_Static_assert(offsetof(struct xencons_interface, out) == 1024, "xencons.out");
_Static_assert(offsetof(struct xencons_interface, in_cons) == 3072, "xencons.in_cons");
_Static_assert(offsetof(struct xencons_interface, in_prod) == 3076, "xencons.in_prod");
_Static_assert(offsetof(struct xencons_interface, out_cons) == 3080, "xencons.out_cons");
_Static_assert(offsetof(struct xencons_interface, out_prod) == 3084, "xencons.out_prod");
_Static_assert(offsetof(struct xencons_interface, connection) == 3088, "xencons.connection");

#endif
