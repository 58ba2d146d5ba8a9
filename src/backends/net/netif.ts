/* The network protocol's wire format (io/netif.h, fact sheet §11): identical on all ABIs. */

export const NETIF_TX_REQ = { gref: 0, offset: 4, flags: 6, id: 8, size: 10, SIZE: 12 } as const;
export const NETIF_TX_RSP = { id: 0, status: 2, SIZE: 4 } as const;
export const NETIF_RX_REQ = { id: 0, gref: 4, SIZE: 8 } as const;
export const NETIF_RX_RSP = { id: 0, offset: 2, flags: 4, status: 6, SIZE: 8 } as const;
export const NETIF_TX_ENTRY = 12, NETIF_RX_ENTRY = 8;

export const NETTXF_csum_blank = 1, NETTXF_data_validated = 2, NETTXF_more_data = 4, NETTXF_extra_info = 8;
export const NETRXF_data_validated = 1, NETRXF_csum_blank = 2, NETRXF_more_data = 4, NETRXF_extra_info = 8;
export const NETIF_RSP_DROPPED = -2, NETIF_RSP_ERROR = -1, NETIF_RSP_OKAY = 0, NETIF_RSP_NULL = 1;
export const XEN_NETIF_NR_SLOTS_MIN = 18;
export const XEN_NETIF_EXTRA_FLAG_MORE = 1;
