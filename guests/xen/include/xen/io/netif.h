/* xen/io/netif.h: the network protocol (fact sheet §11), identical on every ABI. */
#ifndef XEN_IO_NETIF_H
#define XEN_IO_NETIF_H

#include <xen/io/ring.h>

#define NETTXF_csum_blank     (1u << 0)
#define NETTXF_data_validated (1u << 1)
#define NETTXF_more_data      (1u << 2)
#define NETTXF_extra_info     (1u << 3)
#define NETRXF_data_validated (1u << 0)
#define NETRXF_csum_blank     (1u << 1)
#define NETRXF_more_data      (1u << 2)
#define NETRXF_extra_info     (1u << 3)
#define NETIF_RSP_DROPPED (-2)
#define NETIF_RSP_ERROR   (-1)
#define NETIF_RSP_OKAY      0
#define NETIF_RSP_NULL      1
#define XEN_NETIF_NR_SLOTS_MIN 18

struct netif_tx_request {
	uint32_t gref;
	uint16_t offset;
	uint16_t flags;
	uint16_t id;
	uint16_t size;
};
struct netif_tx_response {
	uint16_t id;
	int16_t status;
};
struct netif_rx_request {
	uint16_t id;
	uint16_t pad;
	uint32_t gref;
};
struct netif_rx_response {
	uint16_t id;
	uint16_t offset;
	uint16_t flags;
	int16_t status;
};

#define NET_TX_RING_SIZE 256   /* one page of 12-byte slots */
#define NET_RX_RING_SIZE 256   /* one page of 8-byte slots */

_Static_assert(sizeof(struct netif_tx_request) == 12, "netif_tx_request");
_Static_assert(offsetof(struct netif_tx_request, id) == 8, "netif_tx_request.id");
_Static_assert(sizeof(struct netif_tx_response) == 4, "netif_tx_response");
_Static_assert(sizeof(struct netif_rx_request) == 8, "netif_rx_request");
_Static_assert(offsetof(struct netif_rx_request, gref) == 4, "netif_rx_request.gref");
_Static_assert(sizeof(struct netif_rx_response) == 8, "netif_rx_response");
_Static_assert(offsetof(struct netif_rx_response, status) == 6, "netif_rx_response.status");
_Static_assert(XEN_RING_SIZE_1PAGE(sizeof(struct netif_tx_request)) == NET_TX_RING_SIZE, "tx ring size");
_Static_assert(XEN_RING_SIZE_1PAGE(sizeof(struct netif_rx_request)) == NET_RX_RING_SIZE, "rx ring size");

#endif
