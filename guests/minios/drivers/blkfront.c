/*
 * blkfront.c: the front end of a virtual block device (fact sheet §10), xvda =
 * device/vbd/51712. The xenbus handshake: wait for the backend's InitWait, grant it a ring
 * page, allocate an event channel for it, publish ring-ref/event-channel/protocol and
 * Initialised in one transaction, wait for Connected, read the size, go Connected.
 * Requests carry segments of granted pages; responses may come in any order and are
 * matched by id. Teardown goes Closing → Closed and revokes every grant.
 */
#include <minios.h>
#include <xen/hypercall.h>
#include <xen/io/blkif.h>
#include "xenbus.h"
#include "gnttab.h"
#include "blkfront.h"

#define VBD        "device/vbd/51712"
#define STATE_INITIALISING 1
#define STATE_INITWAIT     2
#define STATE_INITIALISED  3
#define STATE_CONNECTED    4
#define STATE_CLOSING      5
#define STATE_CLOSED       6

extern volatile uint32_t port_events[];
int evtchn_op(int cmd, void *arg);

static struct {
	char backend[96];
	long backend_id;
	long sectors, sector_size, flush, barrier;
	uint32_t ring_pfn;
	int ring_ref;
	evtchn_port_t port;
	struct xen_sring_header *sring;
	struct blkif_request *req;       /* the ring's slots */
	RING_IDX req_prod_pvt, rsp_cons;
} bf;

static int backend_state(void)
{
	char path[128];
	long s = 0;
	snprintf(path, sizeof(path), "%s/state", bf.backend);
	return xenbus_read_int(XBT_NIL, path, &s) == 0 ? (int)s : -1;
}

static int wait_backend(int state)
{
	for (int i = 0; i < 2000; i++) {
		int s = backend_state();
		if (s == state)
			return 0;
		if (s == STATE_CLOSED && state != STATE_CLOSED)
			return -1;
		sleep_ns(1000000);
	}
	return -1;
}

static long backend_int(const char *key, long dflt)
{
	char path[128];
	long v = dflt;
	snprintf(path, sizeof(path), "%s/%s", bf.backend, key);
	return xenbus_read_int(XBT_NIL, path, &v) == 0 ? v : dflt;
}

static int connect(void)
{
	if (xenbus_read(XBT_NIL, VBD "/backend", bf.backend, sizeof(bf.backend)) <= 0 ||
	    xenbus_read_int(XBT_NIL, VBD "/backend-id", &bf.backend_id) < 0)
		return -XEN_ENODEV;
	if (wait_backend(STATE_INITWAIT) < 0)
		return -XEN_ETIMEDOUT;
	bf.flush = backend_int("feature-flush-cache", 0);
	bf.barrier = backend_int("feature-barrier", 0);

	bf.ring_pfn = page_alloc();
	bf.sring = pfn_to_kva(bf.ring_pfn);
	bf.sring->req_event = bf.sring->rsp_event = 1;
	bf.req = (struct blkif_request *)((char *)bf.sring + XEN_RING_ENTRIES_OFFSET);
	bf.ring_ref = gnttab_grant((domid_t)bf.backend_id, pfn_to_mfn(bf.ring_pfn), 0);
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = (domid_t)bf.backend_id };
	int rc = evtchn_op(EVTCHNOP_alloc_unbound, &au);
	if (bf.ring_ref < 0 || rc < 0)
		return bf.ring_ref < 0 ? bf.ring_ref : rc;
	bf.port = au.port;

	char num[16];
	int end;
	do {
		xenbus_transaction_t t;
		if ((rc = xenbus_transaction_start(&t)) < 0)
			return rc;
		snprintf(num, sizeof(num), "%d", bf.ring_ref);
		xenbus_write(t, VBD "/ring-ref", num);
		snprintf(num, sizeof(num), "%lu", (unsigned long)bf.port);
		xenbus_write(t, VBD "/event-channel", num);
		xenbus_write(t, VBD "/protocol", "x86_64-abi");   /* the x86-64 layout is rv32's */
		snprintf(num, sizeof(num), "%d", STATE_INITIALISED);
		xenbus_write(t, VBD "/state", num);
		end = xenbus_transaction_end(t, 0);
	} while (end == -XEN_EAGAIN);
	if (end < 0 || wait_backend(STATE_CONNECTED) < 0)
		return end < 0 ? end : -XEN_ETIMEDOUT;
	bf.sectors = backend_int("sectors", 0);
	bf.sector_size = backend_int("sector-size", 512);
	snprintf(num, sizeof(num), "%d", STATE_CONNECTED);
	return xenbus_write(XBT_NIL, VBD "/state", num);
}

/* Queues one request; the caller pushes and waits. Returns its id. */
static uint64_t queue(uint8_t op, uint64_t sector, const int *grefs, const uint8_t *nsect, int nseg)
{
	struct blkif_request *r = &bf.req[bf.req_prod_pvt % BLKIF_RING_SIZE];
	memset(r, 0, sizeof(*r));
	r->operation = op;
	r->nr_segments = (uint8_t)nseg;
	r->handle = 0;
	r->id = 0x1000u + bf.req_prod_pvt;
	r->sector_number = sector;
	for (int i = 0; i < nseg; i++)
		r->seg[i] = (struct blkif_request_segment){ (uint32_t)grefs[i], 0, (uint8_t)(nsect[i] - 1), 0 };
	bf.req_prod_pvt++;
	return r->id;
}

static void push(void)
{
	__asm__ volatile ("fence w, w" ::: "memory");
	bf.sring->req_prod = bf.req_prod_pvt;
	__asm__ volatile ("fence rw, rw" ::: "memory");
	struct evtchn_send s = { .port = bf.port };
	evtchn_op(EVTCHNOP_send, &s);
}

/* Collects `n` responses: statuses[id - first] for ids first.. (any order). Returns how many came. */
static int collect(uint64_t first, int n, int16_t *statuses)
{
	int got = 0;
	uint64_t end = arch_now_ns() + 2000000000ull;
	while (got < n && arch_now_ns() < end) {
		RING_IDX prod = ((volatile struct xen_sring_header *)bf.sring)->rsp_prod;
		__asm__ volatile ("fence r, r" ::: "memory");
		if (prod - bf.rsp_cons > BLKIF_RING_SIZE)
			return -1;   /* a backend out of its mind */
		while (bf.rsp_cons != prod) {
			/* slots are a union of request and response: 112 bytes apart */
			struct blkif_response *r = (struct blkif_response *)&bf.req[bf.rsp_cons % BLKIF_RING_SIZE];
			uint64_t i = r->id - first;
			if (i < (uint64_t)n)
				statuses[i] = r->status;

			bf.rsp_cons++;
			got++;
		}
		bf.sring->rsp_event = bf.rsp_cons + 1;
		__asm__ volatile ("fence rw, rw" ::: "memory");
		if (got < n && ((volatile struct xen_sring_header *)bf.sring)->rsp_prod == bf.rsp_cons) {
			arch_timer_set(arch_now_ns() + 1000000);
			idle_once();
		}
	}
	return got;
}

/* One request over `npages` whole pages (8 sectors each), or none (flush). */
static int io(uint8_t op, uint64_t sector, const uint32_t *pfns, int npages)
{
	int grefs[BLKIF_MAX_SEGMENTS_PER_REQUEST];
	uint8_t nsect[BLKIF_MAX_SEGMENTS_PER_REQUEST];
	for (int i = 0; i < npages; i++) {
		grefs[i] = gnttab_grant((domid_t)bf.backend_id, pfn_to_mfn(pfns[i]), op != BLKIF_OP_READ);
		nsect[i] = 8;
	}
	uint64_t id = queue(op, sector, grefs, nsect, npages);
	push();
	int16_t status = 99;
	int got = collect(id, 1, &status);
	for (int i = 0; i < npages; i++)
		gnttab_end((grant_ref_t)grefs[i]);
	return got == 1 ? status : -100;
}

static void fill(uint32_t pfn, uint32_t seed)
{
	uint32_t *w = pfn_to_kva(pfn);
	for (uint32_t i = 0; i < PAGE_SIZE / 4; i++)
		w[i] = seed * 2654435761u + i;
}

static int same(uint32_t a, uint32_t b)
{
	return memcmp(pfn_to_kva(a), pfn_to_kva(b), PAGE_SIZE) == 0;
}

void blkfront_tests(void)
{
	if (!xenbus_ready() || gnttab_init() < 0) {
		CHECK("blk-connect", 0, "no xenstore or no grant table");
		return;
	}
	int rc = connect();
	CHECK("blk-connect", rc == 0 && bf.sectors >= 64 && bf.sector_size == 512,
	      "handshake %d, %ld sectors of %ld bytes, backend %s", rc, bf.sectors, bf.sector_size, bf.backend);
	if (rc != 0)
		return;
	printf("  (xvda: %ld sectors, flush %ld, barrier %ld)\n", bf.sectors, bf.flush, bf.barrier);

	uint32_t w[4], r[4];
	for (int i = 0; i < 4; i++) {
		w[i] = page_alloc();
		r[i] = page_alloc();
		fill(w[i], 0xB10C0000u + (uint32_t)i);
	}
	int s1 = io(BLKIF_OP_WRITE, 8, &w[0], 1);
	int s2 = io(BLKIF_OP_READ, 8, &r[0], 1);
	CHECK("blk-write-read", s1 == 0 && s2 == 0 && same(w[0], r[0]), "write %d, read %d, data %s", s1, s2,
	      same(w[0], r[0]) ? "equal" : "differs");

	s1 = io(BLKIF_OP_WRITE, 16, &w[1], 3);   /* three segments, 24 sectors */
	memset(pfn_to_kva(r[1]), 0, PAGE_SIZE);
	s2 = io(BLKIF_OP_READ, 16, &r[1], 3);
	CHECK("blk-multi-segment", s1 == 0 && s2 == 0 && same(w[1], r[1]) && same(w[2], r[2]) && same(w[3], r[3]),
	      "write %d, read %d", s1, s2);

	int s3 = bf.flush ? io(BLKIF_OP_FLUSH_DISKCACHE, 0, NULL, 0) : 0;
	fill(w[0], 0xBA221E2u);
	int s4 = bf.barrier ? io(BLKIF_OP_WRITE_BARRIER, 40, &w[0], 1) : 0;
	int s5 = io(BLKIF_OP_READ, 40, &r[0], 1);
	CHECK("blk-flush-barrier", s3 == 0 && s4 == 0 && s5 == 0 && (!bf.barrier || same(w[0], r[0])),
	      "flush %d, barrier write %d, read back %d", s3, s4, s5);

	int s6 = io(BLKIF_OP_READ, (uint64_t)bf.sectors, &r[0], 1);
	int s7 = io(BLKIF_OP_READ, (uint64_t)bf.sectors - 4, &r[0], 1);   /* runs off the end */
	CHECK("blk-out-of-range", s6 == BLKIF_RSP_ERROR && s7 == BLKIF_RSP_ERROR, "past the end %d, straddling it %d", s6, s7);

	/* A full ring at once: 32 one-page writes to distinct places, then 32 reads; answers in any order. */
	static uint32_t bufs[BLKIF_RING_SIZE];
	static int grefs[BLKIF_RING_SIZE];
	static int16_t st[BLKIF_RING_SIZE];
	for (int i = 0; i < BLKIF_RING_SIZE; i++) {
		bufs[i] = page_alloc();
		fill(bufs[i], 0x5EED0000u + (uint32_t)i);
		grefs[i] = gnttab_grant((domid_t)bf.backend_id, pfn_to_mfn(bufs[i]), 1);
	}
	uint8_t eight = 8;
	uint64_t first = 0;
	for (int i = 0; i < BLKIF_RING_SIZE; i++) {
		uint64_t id = queue(BLKIF_OP_WRITE, 64 + 8 * (uint64_t)i, &grefs[i], &eight, 1);
		if (i == 0)
			first = id;
	}
	push();
	memset(st, 0x7f, sizeof(st));
	int got = collect(first, BLKIF_RING_SIZE, st);
	int ok = got == BLKIF_RING_SIZE;
	for (int i = 0; i < BLKIF_RING_SIZE; i++) {
		ok &= st[i] == 0;
		gnttab_end((grant_ref_t)grefs[i]);
	}
	int verified = 0;
	for (int i = 0; i < BLKIF_RING_SIZE; i++)
		verified += io(BLKIF_OP_READ, 64 + 8 * (uint64_t)i, &r[0], 1) == 0 && same(bufs[i], r[0]);
	CHECK("blk-full-ring", ok && verified == BLKIF_RING_SIZE, "%d answers, %d of %d pages read back equal", got, verified,
	      BLKIF_RING_SIZE);
	for (int i = 0; i < BLKIF_RING_SIZE; i++)
		page_free(bufs[i]);

	/* Teardown: Closing, the backend closes, Closed; the ring's grant comes back. */
	char num[4];
	snprintf(num, sizeof(num), "%d", STATE_CLOSING);
	xenbus_write(XBT_NIL, VBD "/state", num);
	int closed = wait_backend(STATE_CLOSED);
	snprintf(num, sizeof(num), "%d", STATE_CLOSED);
	xenbus_write(XBT_NIL, VBD "/state", num);
	int revoked = gnttab_end((grant_ref_t)bf.ring_ref);
	struct evtchn_close cl = { .port = bf.port };
	evtchn_op(EVTCHNOP_close, &cl);
	CHECK("blk-disconnect", closed == 0 && revoked == 0, "backend closed %d, ring grant revoked %d", closed, revoked);
	if (revoked == 0)
		page_free(bf.ring_pfn);
	for (int i = 0; i < 4; i++) {
		page_free(w[i]);
		page_free(r[i]);
	}
}
