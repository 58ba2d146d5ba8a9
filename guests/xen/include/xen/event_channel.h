/* xen/event_channel.h: event_channel_op (#32) sub-ops and their argument structs. */
#ifndef XEN_EVENT_CHANNEL_H
#define XEN_EVENT_CHANNEL_H

#include <xen/xen.h>

#define EVTCHNOP_bind_interdomain 0
#define EVTCHNOP_bind_virq        1
#define EVTCHNOP_bind_pirq        2
#define EVTCHNOP_close            3
#define EVTCHNOP_send             4
#define EVTCHNOP_status           5
#define EVTCHNOP_alloc_unbound    6
#define EVTCHNOP_bind_ipi         7
#define EVTCHNOP_bind_vcpu        8
#define EVTCHNOP_unmask           9
#define EVTCHNOP_reset           10

struct evtchn_alloc_unbound { domid_t dom, remote_dom; evtchn_port_t port; };
struct evtchn_bind_interdomain { domid_t remote_dom; evtchn_port_t remote_port; evtchn_port_t local_port; };
struct evtchn_bind_virq { uint32_t virq; uint32_t vcpu; evtchn_port_t port; };
struct evtchn_bind_ipi { uint32_t vcpu; evtchn_port_t port; };
struct evtchn_close { evtchn_port_t port; };
struct evtchn_send { evtchn_port_t port; };
struct evtchn_unmask { evtchn_port_t port; };
struct evtchn_bind_vcpu { evtchn_port_t port; uint32_t vcpu; };
struct evtchn_reset { domid_t dom; };

#define EVTCHNSTAT_closed       0
#define EVTCHNSTAT_unbound      1
#define EVTCHNSTAT_interdomain  2
#define EVTCHNSTAT_pirq         3
#define EVTCHNSTAT_virq         4
#define EVTCHNSTAT_ipi          5

struct evtchn_status {
	domid_t dom;
	evtchn_port_t port;
	uint32_t status;
	uint32_t vcpu;
	union {
		struct { domid_t dom; } unbound;
		struct { domid_t dom; evtchn_port_t port; } interdomain;
		uint32_t pirq;
		uint32_t virq;
	} u;
};

_Static_assert(sizeof(struct evtchn_alloc_unbound) == 8, "alloc_unbound");
_Static_assert(offsetof(struct evtchn_alloc_unbound, port) == 4, "alloc_unbound.port");
_Static_assert(sizeof(struct evtchn_bind_interdomain) == 12, "bind_interdomain");
_Static_assert(offsetof(struct evtchn_bind_interdomain, remote_port) == 4, "remote_port");
_Static_assert(offsetof(struct evtchn_bind_interdomain, local_port) == 8, "local_port");
_Static_assert(sizeof(struct evtchn_bind_virq) == 12, "bind_virq");
_Static_assert(sizeof(struct evtchn_bind_ipi) == 8, "bind_ipi");
_Static_assert(sizeof(struct evtchn_close) == 4, "close");
_Static_assert(sizeof(struct evtchn_send) == 4, "send");
_Static_assert(sizeof(struct evtchn_bind_vcpu) == 8, "bind_vcpu");
_Static_assert(sizeof(struct evtchn_reset) == 2, "reset");
_Static_assert(sizeof(struct evtchn_status) == 24, "status");
_Static_assert(offsetof(struct evtchn_status, status) == 8, "status.status");
_Static_assert(offsetof(struct evtchn_status, vcpu) == 12, "status.vcpu");
_Static_assert(offsetof(struct evtchn_status, u) == 16, "status.u");
_Static_assert(offsetof(struct evtchn_status, u.interdomain.port) == 20, "status.u.interdomain.port");

#endif
