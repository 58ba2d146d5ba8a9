/*
 * pv-bench.c: the event round trip between two domains (the PV flavour's arch_command).
 *
 *   domain A, command line "evtchn-ping peer=<B> [rounds=N]": allocates a port that B may
 *     bind, waits for B's hello, then sends and waits for the answer N times and prints
 *     BENCH event-round-trip N <cycles>;
 *   domain B, command line "evtchn-pong peer=<A> [rounds=N]": finds A's port by trying to
 *     bind each of A's first ports (only the one allocated for B accepts), says hello,
 *     then answers every event.
 * Either may start first: both retry until the other exists.
 */
#include <minios.h>
#include <xen/hypercall.h>
#include "../../drivers/blkfront.h"
#include "../../drivers/netfront.h"

extern volatile uint32_t port_events[];
int evtchn_op(int cmd, void *arg);

static int send(evtchn_port_t port)
{
	struct evtchn_send s = { .port = port };
	return evtchn_op(EVTCHNOP_send, &s);
}

static void wait_event(evtchn_port_t port, uint32_t seen)
{
	while (port_events[port] == seen)
		idle_once();
}

static void ping(uint32_t peer, uint32_t rounds)
{
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = (domid_t)peer };
	int rc = -1;
	for (int tries = 0; tries < 5000 && (rc = evtchn_op(EVTCHNOP_alloc_unbound, &au)) != 0; tries++)
		sleep_ns(1000000);
	if (rc != 0 || au.port >= 128) {
		CHECK("evtchn-ping", 0, "alloc_unbound for domain %lu: %d", (unsigned long)peer, rc);
		return;
	}
	evtchn_port_t p = au.port;
	printf("evtchn-ping: port %lu waits for domain %lu\n", (unsigned long)p, (unsigned long)peer);
	wait_event(p, 0);   /* the hello */
	uint64_t t0 = read_cycle();
	for (uint32_t i = 0; i < rounds; i++) {
		uint32_t seen = port_events[p];
		send(p);
		wait_event(p, seen);
	}
	uint64_t t1 = read_cycle();
	printf("BENCH event-round-trip %lu %llu\n", (unsigned long)rounds, (unsigned long long)(t1 - t0));
	CHECK("evtchn-ping", 1, "unreachable");
}

static void pong(uint32_t peer, uint32_t rounds)
{
	struct evtchn_bind_interdomain bi = { .remote_dom = (domid_t)peer };
	int rc = -1;
	for (int tries = 0; tries < 5000 && rc != 0; tries++) {
		for (bi.remote_port = 1; bi.remote_port < 64 && rc != 0; bi.remote_port++)
			rc = evtchn_op(EVTCHNOP_bind_interdomain, &bi);
		if (rc != 0)
			sleep_ns(1000000);
	}
	if (rc != 0 || bi.local_port >= 128) {
		CHECK("evtchn-pong", 0, "no port of domain %lu accepted us: %d", (unsigned long)peer, rc);
		return;
	}
	evtchn_port_t q = bi.local_port;
	wait_event(q, 0);   /* a new interdomain port starts pending */
	send(q);            /* hello */
	for (uint32_t i = 0; i < rounds; i++) {
		uint32_t seen = port_events[q];
		wait_event(q, seen);
		send(q);
	}
	CHECK("evtchn-pong", 1, "unreachable");
}

int sched_command(void);   /* pv-sched.c: scheduler benchmark workloads */
int smp_command(void);     /* pv-smp.c: several vCPUs */

int arch_command(void)
{
	if (sched_command())
		return 1;
	if (smp_command())
		return 1;
	if (cmdline_has("blk")) {   /* the virtual block device (drivers/blkfront.c) */
		blkfront_tests();
		netfront_command();     /* "blk net-echo ..." etc.: the disk first, then the network */
		return 1;
	}
	if (netfront_command())     /* net-echo, net-ping, net-bulk (drivers/netfront.c) */
		return 1;
	uint32_t peer = cmdline_uint("peer", DOMID_INVALID), rounds = cmdline_uint("rounds", 1000);
	if (cmdline_has("evtchn-ping")) {
		ping(peer, rounds);
		return 1;
	}
	if (cmdline_has("evtchn-pong")) {
		pong(peer, rounds);
		return 1;
	}
	return 0;
}
