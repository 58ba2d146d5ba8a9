/* xen/sched.h: sched_op (#29) commands and argument structs. */
#ifndef XEN_SCHED_H
#define XEN_SCHED_H

#include <xen/xen.h>

#define SCHEDOP_yield           0
#define SCHEDOP_block           1
#define SCHEDOP_shutdown        2
#define SCHEDOP_poll            3
#define SCHEDOP_remote_shutdown 4
#define SCHEDOP_shutdown_code   5
#define SCHEDOP_watchdog        6

#define SHUTDOWN_poweroff   0
#define SHUTDOWN_reboot     1
#define SHUTDOWN_suspend    2
#define SHUTDOWN_crash      3
#define SHUTDOWN_watchdog   4
#define SHUTDOWN_soft_reset 5

struct sched_shutdown { uint32_t reason; };
struct sched_poll {
	XEN_GUEST_HANDLE(evtchn_port_t) ports;
	uint32_t nr_ports;
	uint64_t timeout;
};
struct sched_remote_shutdown { domid_t domain_id; uint32_t reason; };

_Static_assert(sizeof(struct sched_shutdown) == 4, "sched_shutdown");
_Static_assert(sizeof(struct sched_poll) == 24, "sched_poll");
_Static_assert(offsetof(struct sched_poll, nr_ports) == 8, "sched_poll.nr_ports");
_Static_assert(offsetof(struct sched_poll, timeout) == 16, "sched_poll.timeout");
_Static_assert(sizeof(struct sched_remote_shutdown) == 8, "sched_remote_shutdown");

#endif
