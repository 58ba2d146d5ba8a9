/*
 * netfront.c: the front end of a virtual network interface (fact sheet §11), vif 0 =
 * device/vif/0. Handshake: wait for the backend's InitWait, grant it a tx and an rx ring
 * page, allocate an event channel, publish the ring refs, event-channel and
 * request-rx-copy=1 with state Connected in one transaction (netfront skips
 * Initialised), wait for the backend's Connected.
 * Receive: RX_BUFS pages stay granted to the backend and posted; each rx response comes
 * in the slot of the request it answers, names the buffer by id, and the buffer is posted
 * again once read. Transmit: one granted page per tx slot id; a packet is one request.
 *
 * With "rx-flip" on the command line the receive side is the paper's page flipping
 * instead (request-rx-copy=0): each posted buffer is a pseudo-physical page whose frame
 * we gave back (decrease_reservation) and an accept_transfer grant; the backend hands us a
 * frame holding the packet, which we map at that page, read, and give back again.
 *
 * Command-line modes (two domains on one bridge):
 *   net-echo [count=N]                sends every frame back to its sender (N frames, 0 = forever)
 *   net-ping peer-mac=MAC [count=N]   N frames one at a time, each waiting for its echo:
 *                                     BENCH net-round-trip N <cycles>
 *   net-bulk peer-mac=MAC [count=N]   N full-size frames as fast as the rings take them, then
 *                                     waits for every echo: BENCH net-bulk N <cycles> (bytes = N*1514)
 */
#include <minios.h>
#include <xen/hypercall.h>
#include <xen/io/netif.h>
#include "xenbus.h"
#include "gnttab.h"
#include "netfront.h"

#define VIF        "device/vif/0"
#define RX_BUFS    64
#define TX_BUFS    32
#define ETH_TYPE   0x88B5   /* local experimental */
#define FRAME_MAX  1514

extern volatile uint32_t port_events[];
int evtchn_op(int cmd, void *arg);

static struct {
	char backend[96];
	long backend_id;
	uint8_t mac[6];
	evtchn_port_t port;
	struct xen_sring_header *tx, *rx;
	RING_IDX tx_prod, tx_cons, rx_prod, rx_cons;
	uint32_t rx_pfn[RX_BUFS], tx_pfn[TX_BUFS];
	int rx_ref[RX_BUFS], tx_ref[TX_BUFS];
	uint8_t tx_busy[TX_BUFS];
	uint32_t rx_frames, tx_frames, rx_errors, flips;
	int flip;
} nf;

void p2m_set(uint32_t pfn, uint32_t mfn);   /* arch/pv/pv.c */

/* Flip mode: gives the frame behind `pfn` back to Xen, leaving the page empty for a transfer. */
static int release_frame(uint32_t pfn)
{
	xen_pfn_t mfn = pfn_to_mfn(pfn);
	HYPERVISOR_update_va_mapping((uintptr_t)pfn_to_kva(pfn), 0, UVMF_INVLPG);
	struct xen_memory_reservation r = { .nr_extents = 1, .domid = DOMID_SELF };
	set_xen_guest_handle(r.extent_start, &mfn);
	int rc = HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r);
	p2m_set(pfn, INVALID_P2M_ENTRY);
	return rc == 1 ? 0 : -1;
}

/* Flip mode: the frame that arrived becomes `pfn`'s. */
static void adopt_frame(uint32_t pfn, uint32_t mfn)
{
	mmu_update_t u = { ((uint64_t)mfn << 12) | MMU_MACHPHYS_UPDATE, pfn };
	HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF);
	p2m_set(pfn, mfn);
	HYPERVISOR_update_va_mapping((uintptr_t)pfn_to_kva(pfn), PTE_LEAF(mfn, PTE_R | PTE_W), UVMF_INVLPG);
}

static struct netif_tx_request *tx_slot(RING_IDX i)
{
	return (struct netif_tx_request *)((char *)nf.tx + XEN_RING_ENTRIES_OFFSET) + (i % NET_TX_RING_SIZE);
}

static struct netif_rx_request *rx_slot(RING_IDX i)
{
	return (struct netif_rx_request *)((char *)nf.rx + XEN_RING_ENTRIES_OFFSET) + (i % NET_RX_RING_SIZE);
}

static int parse_mac(const char *s, uint8_t *mac)
{
	for (int i = 0; i < 6; i++) {
		unsigned v = 0;
		for (int k = 0; k < 2; k++, s++) {
			char c = *s;
			unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
				   : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 99;
			if (d == 99)
				return -1;
			v = v * 16 + d;
		}
		mac[i] = (uint8_t)v;
		if (i < 5 && *s++ != ':')
			return -1;
	}
	return 0;
}

static int backend_state(void)
{
	char path[128];
	long s = 0;
	snprintf(path, sizeof(path), "%s/state", nf.backend);
	return xenbus_read_int(XBT_NIL, path, &s) == 0 ? (int)s : -1;
}

static int wait_backend(int state)
{
	for (int i = 0; i < 2000; i++) {
		if (backend_state() == state)
			return 0;
		sleep_ns(1000000);
	}
	return -1;
}

static void kick(void)
{
	struct evtchn_send s = { .port = nf.port };
	evtchn_op(EVTCHNOP_send, &s);
}

static void post_rx(int id)
{
	struct netif_rx_request *r = rx_slot(nf.rx_prod++);
	r->id = (uint16_t)id;
	r->gref = (uint32_t)nf.rx_ref[id];
}

static void push_rx(void)
{
	__asm__ volatile ("fence w, w" ::: "memory");
	nf.rx->req_prod = nf.rx_prod;
	kick();
}

static int connect(void)
{
	char mac[32];
	if (xenbus_read(XBT_NIL, VIF "/backend", nf.backend, sizeof(nf.backend)) <= 0 ||
	    xenbus_read_int(XBT_NIL, VIF "/backend-id", &nf.backend_id) < 0 ||
	    xenbus_read(XBT_NIL, VIF "/mac", mac, sizeof(mac)) <= 0 || parse_mac(mac, nf.mac) < 0)
		return -XEN_ENODEV;
	if (wait_backend(2) < 0)
		return -XEN_ETIMEDOUT;
	domid_t be = (domid_t)nf.backend_id;
	uint32_t txp = page_alloc(), rxp = page_alloc();
	nf.tx = pfn_to_kva(txp);
	nf.rx = pfn_to_kva(rxp);
	nf.tx->req_event = nf.tx->rsp_event = 1;
	nf.rx->req_event = nf.rx->rsp_event = 1;
	int tx_ref = gnttab_grant(be, pfn_to_mfn(txp), 0), rx_ref = gnttab_grant(be, pfn_to_mfn(rxp), 0);
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = be };
	int rc = evtchn_op(EVTCHNOP_alloc_unbound, &au);
	if (tx_ref < 0 || rx_ref < 0 || rc < 0)
		return -XEN_ENOSPC;
	nf.port = au.port;
	for (int i = 0; i < RX_BUFS; i++) {
		nf.rx_pfn[i] = page_alloc();
		if (nf.flip) {
			if (release_frame(nf.rx_pfn[i]) < 0)
				return -XEN_ENOMEM;
			nf.rx_ref[i] = gnttab_accept_transfer(be);
		} else {
			nf.rx_ref[i] = gnttab_grant(be, pfn_to_mfn(nf.rx_pfn[i]), 0);
		}
		post_rx(i);
	}
	for (int i = 0; i < TX_BUFS; i++) {
		nf.tx_pfn[i] = page_alloc();
		nf.tx_ref[i] = gnttab_grant(be, pfn_to_mfn(nf.tx_pfn[i]), 1);
	}
	nf.rx->req_prod = nf.rx_prod;

	char num[16];
	int end;
	do {
		xenbus_transaction_t t;
		if ((rc = xenbus_transaction_start(&t)) < 0)
			return rc;
		snprintf(num, sizeof(num), "%d", tx_ref);
		xenbus_write(t, VIF "/tx-ring-ref", num);
		snprintf(num, sizeof(num), "%d", rx_ref);
		xenbus_write(t, VIF "/rx-ring-ref", num);
		snprintf(num, sizeof(num), "%lu", (unsigned long)nf.port);
		xenbus_write(t, VIF "/event-channel", num);
		xenbus_write(t, VIF "/request-rx-copy", nf.flip ? "0" : "1");
		xenbus_write(t, VIF "/feature-rx-notify", "1");
		xenbus_write(t, VIF "/state", "4");
		end = xenbus_transaction_end(t, 0);
	} while (end == -XEN_EAGAIN);
	if (end < 0 || wait_backend(4) < 0)
		return end < 0 ? end : -XEN_ETIMEDOUT;
	kick();
	return 0;
}

/* Frees the tx slots the backend has answered. */
static void reap_tx(void)
{
	RING_IDX prod = ((volatile struct xen_sring_header *)nf.tx)->rsp_prod;
	__asm__ volatile ("fence r, r" ::: "memory");
	while (nf.tx_cons != prod) {
		struct netif_tx_response *r = (struct netif_tx_response *)tx_slot(nf.tx_cons++);
		if (r->id < TX_BUFS)
			nf.tx_busy[r->id] = 0;
	}
	nf.tx->rsp_event = nf.tx_cons + 1;
}

static void idle_briefly(void)
{
	arch_timer_set(arch_now_ns() + 1000000);
	idle_once();
}

/* Sends one frame; waits for a free slot (bounded). 0 on success. */
static int send(const uint8_t *frame, uint32_t len)
{
	for (int tries = 0; tries < 1000; tries++) {
		reap_tx();
		for (int id = 0; id < TX_BUFS; id++) {
			if (nf.tx_busy[id] || nf.tx_prod - nf.tx_cons >= NET_TX_RING_SIZE)
				continue;
			nf.tx_busy[id] = 1;
			memcpy(pfn_to_kva(nf.tx_pfn[id]), frame, len);
			struct netif_tx_request *r = tx_slot(nf.tx_prod++);
			*r = (struct netif_tx_request){ (uint32_t)nf.tx_ref[id], 0, 0, (uint16_t)id, (uint16_t)len };
			__asm__ volatile ("fence w, w" ::: "memory");
			nf.tx->req_prod = nf.tx_prod;
			kick();
			nf.tx_frames++;
			return 0;
		}
		idle_briefly();
	}
	return -1;
}

/* Receives one frame into buf (up to FRAME_MAX); its length, or -1 after the bound. */
static int receive(uint8_t *buf, uint64_t timeout_ns)
{
	uint64_t end = arch_now_ns() + timeout_ns;
	for (;;) {
		RING_IDX prod = ((volatile struct xen_sring_header *)nf.rx)->rsp_prod;
		__asm__ volatile ("fence r, r" ::: "memory");
		if (nf.rx_cons != prod) {
			struct netif_rx_response *r = (struct netif_rx_response *)rx_slot(nf.rx_cons++);
			int id = r->id < RX_BUFS ? r->id : 0, len = r->status;
			uint32_t mfn = 0;
			int flipped = nf.flip && len > 0 && gnttab_transfer_done((grant_ref_t)nf.rx_ref[id], &mfn);
			if (flipped)
				adopt_frame(nf.rx_pfn[id], mfn);
			if (len > 0 && len <= FRAME_MAX && r->offset + len <= (int)PAGE_SIZE && (!nf.flip || flipped))
				memcpy(buf, (uint8_t *)pfn_to_kva(nf.rx_pfn[id]) + r->offset, (uint32_t)len);
			else
				nf.rx_errors++, len = -1;
			if (flipped) {
				nf.flips++;
				release_frame(nf.rx_pfn[id]);
				gnttab_rearm_transfer((grant_ref_t)nf.rx_ref[id], (domid_t)nf.backend_id);
			}
			post_rx(id);
			push_rx();
			nf.rx->rsp_event = nf.rx_cons + 1;
			if (len > 0) {
				nf.rx_frames++;
				return len;
			}
			continue;
		}
		if (arch_now_ns() >= end)
			return -1;
		nf.rx->rsp_event = nf.rx_cons + 1;
		idle_briefly();
	}
}

static uint8_t frame[FRAME_MAX], reply[FRAME_MAX];

static uint32_t make_frame(const uint8_t *dst, uint32_t seq, uint32_t len)
{
	memcpy(frame, dst, 6);
	memcpy(frame + 6, nf.mac, 6);
	frame[12] = ETH_TYPE >> 8;
	frame[13] = ETH_TYPE & 0xff;
	memcpy(frame + 14, "MINIOS", 6);
	memcpy(frame + 20, &seq, 4);
	for (uint32_t i = 24; i < len; i++)
		frame[i] = (uint8_t)(seq * 7 + i);
	return len;
}

static int is_echo_of(int len, uint32_t seq, uint32_t want_len)
{
	uint32_t got;
	memcpy(&got, reply + 20, 4);
	return len == (int)want_len && memcmp(reply, nf.mac, 6) == 0 && got == seq &&
	       memcmp(reply + 14, frame + 14, want_len - 14) == 0;
}

static int peer_mac(uint8_t *mac)
{
	const char *p = boot.cmdline;
	for (; *p != '\0'; p++)
		if ((p == boot.cmdline || p[-1] == ' ') && strncmp(p, "peer-mac=", 9) == 0)
			return parse_mac(p + 9, mac);
	return -1;
}

static void echo(uint32_t count)
{
	uint32_t n = 0;
	while (count == 0 || n < count) {
		int len = receive(reply, 60000000000ull);
		if (len < 0)
			break;
		if (len < 14)
			continue;
		memcpy(frame, reply + 6, 6);       /* back to its sender */
		memcpy(frame + 6, nf.mac, 6);
		memcpy(frame + 12, reply + 12, (uint32_t)len - 12);
		if (send(frame, (uint32_t)len) == 0)
			n++;
	}
	CHECK("net-echo", count == 0 || n == count, "echoed %lu of %lu frames", (unsigned long)n, (unsigned long)count);
}

static void ping(const uint8_t *peer, uint32_t count)
{
	uint32_t ok = 0;
	uint64_t t0 = read_cycle();
	for (uint32_t seq = 0; seq < count; seq++) {
		uint32_t len = make_frame(peer, seq, 64);
		if (send(frame, len) < 0)
			break;
		int got = receive(reply, 2000000000ull);
		ok += got > 0 && is_echo_of(got, seq, len);
	}
	uint64_t t1 = read_cycle();
	printf("BENCH net-round-trip %lu %llu\n", (unsigned long)count, (unsigned long long)(t1 - t0));
	CHECK("net-ping", ok == count && (!nf.flip || nf.flips >= count), "%lu of %lu echoes came back intact, %lu pages flipped",
	      (unsigned long)ok, (unsigned long)count, (unsigned long)nf.flips);
}

static void bulk(const uint8_t *peer, uint32_t count)
{
	uint32_t sent = 0, back = 0;
	uint64_t t0 = read_cycle();
	while (back < count) {
		/* keep up to TX_BUFS/2 frames in flight so the peer's rx buffers are never overrun */
		while (sent < count && sent - back < TX_BUFS / 2) {
			make_frame(peer, sent, FRAME_MAX);
			if (send(frame, FRAME_MAX) < 0)
				break;
			sent++;
		}
		int got = receive(reply, 2000000000ull);
		if (got < 0)
			break;
		back += got == FRAME_MAX && memcmp(reply, nf.mac, 6) == 0;
	}
	uint64_t t1 = read_cycle();
	printf("BENCH net-bulk %lu %llu\n", (unsigned long)count, (unsigned long long)(t1 - t0));
	CHECK("net-bulk", back == count && nf.rx_errors == 0 && (!nf.flip || nf.flips >= count),
	      "%lu sent, %lu came back, %lu rx errors, %lu pages flipped", (unsigned long)sent, (unsigned long)back,
	      (unsigned long)nf.rx_errors, (unsigned long)nf.flips);
}

int netfront_command(void)
{
	int echo_mode = cmdline_has("net-echo"), ping_mode = cmdline_has("net-ping"), bulk_mode = cmdline_has("net-bulk");
	if (!echo_mode && !ping_mode && !bulk_mode)
		return 0;
	nf.flip = cmdline_has("rx-flip");
	int rc = !xenbus_ready() ? -XEN_ENODEV : gnttab_init();
	if (rc == 0)
		rc = connect();
	CHECK("net-connect", rc == 0, "vif 0 handshake: %d", rc);
	if (rc != 0)
		return 1;
	printf("  (vif 0: mac %02x:%02x:%02x:%02x:%02x:%02x, backend %s, receive by %s)\n", nf.mac[0], nf.mac[1], nf.mac[2],
	       nf.mac[3], nf.mac[4], nf.mac[5], nf.backend, nf.flip ? "page flipping" : "copy");
	uint8_t peer[6];
	if (echo_mode) {
		echo(cmdline_uint("count", 10));
	} else if (peer_mac(peer) < 0) {
		CHECK(ping_mode ? "net-ping" : "net-bulk", 0, "no peer-mac=aa:bb:cc:dd:ee:ff on the command line");
	} else {
		sleep_ns(20000000);   /* let the echoing peer come up */
		if (ping_mode)
			ping(peer, cmdline_uint("count", 100));
		else
			bulk(peer, cmdline_uint("count", 200));
	}
	return 1;
}
