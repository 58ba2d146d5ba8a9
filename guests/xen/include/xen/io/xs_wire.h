/* xen/io/xs_wire.h: the xenstore ring page and message header. */
#ifndef XEN_IO_XS_WIRE_H
#define XEN_IO_XS_WIRE_H

#include <stddef.h>
#include <stdint.h>

enum xsd_sockmsg_type {
	XS_CONTROL, XS_DIRECTORY, XS_READ, XS_GET_PERMS, XS_WATCH, XS_UNWATCH, XS_TRANSACTION_START,
	XS_TRANSACTION_END, XS_INTRODUCE, XS_RELEASE, XS_GET_DOMAIN_PATH, XS_WRITE, XS_MKDIR, XS_RM,
	XS_SET_PERMS, XS_WATCH_EVENT, XS_ERROR, XS_IS_DOMAIN_INTRODUCED, XS_RESUME, XS_SET_TARGET,
	XS_RESET_WATCHES = 21, XS_DIRECTORY_PART, XS_INVALID = 0xffff
};

struct xsd_sockmsg {
	uint32_t type;
	uint32_t req_id;
	uint32_t tx_id;
	uint32_t len;   /* payload bytes that follow */
};

#define XENSTORE_PAYLOAD_MAX 4096
#define XENSTORE_RING_SIZE   1024
typedef uint32_t XENSTORE_RING_IDX;
#define MASK_XENSTORE_IDX(idx) ((idx) & (XENSTORE_RING_SIZE - 1))

struct xenstore_domain_interface {
	char req[XENSTORE_RING_SIZE];
	char rsp[XENSTORE_RING_SIZE];
	XENSTORE_RING_IDX req_cons, req_prod;
	XENSTORE_RING_IDX rsp_cons, rsp_prod;
	uint32_t server_features;
	uint32_t connection;
	uint32_t error;
	uint32_t evtchn_port;
};

_Static_assert(sizeof(struct xsd_sockmsg) == 16, "xsd_sockmsg");
_Static_assert(offsetof(struct xenstore_domain_interface, req_cons) == 2048, "xs.req_cons");
_Static_assert(offsetof(struct xenstore_domain_interface, rsp_prod) == 2060, "xs.rsp_prod");
_Static_assert(offsetof(struct xenstore_domain_interface, server_features) == 2064, "xs.server_features");
_Static_assert(offsetof(struct xenstore_domain_interface, connection) == 2068, "xs.connection");
_Static_assert(offsetof(struct xenstore_domain_interface, error) == 2072, "xs.error");
_Static_assert(offsetof(struct xenstore_domain_interface, evtchn_port) == 2076, "xs.evtchn_port");

#endif
