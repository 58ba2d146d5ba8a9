/*
 * xenbus.c: a xenstore client over the store ring (struct xenstore_domain_interface,
 * start_info.store_mfn / store_evtchn). One request at a time: write the xsd_sockmsg
 * header and payload into req[], signal the port, and read replies from rsp[] until the
 * one with our req_id arrives. Watch events (XS_WATCH_EVENT) may arrive at any time,
 * before a reply too: they are queued and handed out by xenbus_event(). Indices are
 * free-running; the server's are never trusted beyond a ring's length.
 * Waiting blocks the vCPU (SCHEDOP_block through idle_once) with a one-shot timer as a
 * bound, so a silent xenstored cannot hang the kernel.
 */
#include <minios.h>
#include <xen/hypercall.h>
#include <xen/io/xs_wire.h>
#include "xenbus.h"

#define WAIT_NS    2000000000ull   /* a reply takes longer than this: xenstored is not there */
#define PROBE_NS    200000000ull   /* the first request, at boot */
#define MAX_EVENTS 16

extern start_info_t *start_info;

static volatile struct xenstore_domain_interface *xs;
static evtchn_port_t xs_port;
static uint32_t next_req_id = 1;
static int ready;
static uint64_t wait_ns = WAIT_NS;

static struct watch_event {
	char path[128];
	char token[32];
} events[MAX_EVENTS];
static uint32_t ev_head, ev_tail;

static void notify(void)
{
	struct evtchn_send s = { .port = xs_port };
	HYPERVISOR_event_channel_op(EVTCHNOP_send, &s);
}

/* Waits until `cond` holds or the bound passes; 0 on success. */
static int wait_until(int (*cond)(void))
{
	uint64_t end = arch_now_ns() + wait_ns;
	while (!cond()) {
		uint64_t now = arch_now_ns();
		if (now >= end)
			return -XEN_ETIMEDOUT;
		arch_timer_set(now + 10000000 < end ? now + 10000000 : end);
		idle_once();
	}
	return 0;
}

static int req_space(void) { return xs->req_prod - xs->req_cons < XENSTORE_RING_SIZE; }
static int rsp_data(void) { return xs->rsp_prod != xs->rsp_cons; }

static int ring_write(const void *data, uint32_t len)
{
	const char *p = data;
	while (len > 0) {
		int rc = wait_until(req_space);
		if (rc < 0)
			return rc;
		uint32_t prod = xs->req_prod, used = prod - xs->req_cons;
		if (used > XENSTORE_RING_SIZE)
			return -XEN_EIO;
		uint32_t n = XENSTORE_RING_SIZE - used;
		if (n > len)
			n = len;
		for (uint32_t i = 0; i < n; i++)
			xs->req[MASK_XENSTORE_IDX(prod + i)] = p[i];
		__asm__ volatile ("fence w, w" ::: "memory");
		xs->req_prod = prod + n;
		notify();
		p += n;
		len -= n;
	}
	return 0;
}

static int ring_read(void *data, uint32_t len)
{
	char *p = data;
	while (len > 0) {
		int rc = wait_until(rsp_data);
		if (rc < 0)
			return rc;
		uint32_t cons = xs->rsp_cons, avail = xs->rsp_prod - cons;
		if (avail > XENSTORE_RING_SIZE)
			return -XEN_EIO;
		__asm__ volatile ("fence r, r" ::: "memory");
		uint32_t n = avail < len ? avail : len;
		for (uint32_t i = 0; i < n; i++)
			p[i] = xs->rsp[MASK_XENSTORE_IDX(cons + i)];
		__asm__ volatile ("fence rw, w" ::: "memory");
		xs->rsp_cons = cons + n;
		notify();
		p += n;
		len -= n;
	}
	return 0;
}

static const struct { const char *name; int err; } errors[] = {
	{ "EINVAL", XEN_EINVAL }, { "EACCES", XEN_EACCES }, { "EEXIST", XEN_EEXIST }, { "EISDIR", 21 },
	{ "ENOENT", XEN_ENOENT }, { "ENOMEM", XEN_ENOMEM }, { "ENOSPC", XEN_ENOSPC }, { "EIO", XEN_EIO },
	{ "ENOTEMPTY", XEN_ENOTEMPTY }, { "ENOSYS", XEN_ENOSYS }, { "EROFS", XEN_EROFS }, { "EBUSY", XEN_EBUSY },
	{ "EAGAIN", XEN_EAGAIN }, { "EISCONN", 106 }, { "E2BIG", XEN_E2BIG }, { "EPERM", XEN_EPERM },
};

static int error_number(const char *name)
{
	for (uint32_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		if (strcmp(name, errors[i].name) == 0)
			return -errors[i].err;
	return -XEN_EINVAL;
}

static char payload[XENSTORE_PAYLOAD_MAX + 1];

/* Reads one message; a watch event is queued and 1 returned, a reply leaves hdr/payload and returns 0. */
static int read_message(struct xsd_sockmsg *hdr)
{
	int rc = ring_read(hdr, sizeof(*hdr));
	if (rc < 0)
		return rc;
	if (hdr->len > XENSTORE_PAYLOAD_MAX)
		return -XEN_EIO;
	rc = ring_read(payload, hdr->len);
	if (rc < 0)
		return rc;
	payload[hdr->len] = '\0';
	if (hdr->type != XS_WATCH_EVENT)
		return 0;
	if (ev_tail - ev_head < MAX_EVENTS) {
		struct watch_event *e = &events[ev_tail % MAX_EVENTS];
		const char *path = payload, *token = payload + strlen(payload) + 1;
		uint32_t plen = strnlen(path, sizeof(e->path) - 1);
		memcpy(e->path, path, plen);
		e->path[plen] = '\0';
		uint32_t tlen = token < payload + hdr->len ? strnlen(token, sizeof(e->token) - 1) : 0;
		memcpy(e->token, token, tlen);
		e->token[tlen] = '\0';
		ev_tail++;
	}
	return 1;
}

/* One request: `parts` are concatenated as the payload. The reply payload is in `payload`. */
static int request(uint32_t type, xenbus_transaction_t t, const char *const *parts, const uint32_t *lens, int nparts,
		   uint32_t *reply_len)
{
	if (!ready)
		return -XEN_ENODEV;
	struct xsd_sockmsg hdr = { .type = type, .req_id = next_req_id++, .tx_id = t, .len = 0 };
	for (int i = 0; i < nparts; i++)
		hdr.len += lens[i];
	if (hdr.len > XENSTORE_PAYLOAD_MAX)
		return -XEN_E2BIG;
	int rc = ring_write(&hdr, sizeof(hdr));
	for (int i = 0; i < nparts && rc == 0; i++)
		rc = ring_write(parts[i], lens[i]);
	if (rc < 0)
		return rc;
	struct xsd_sockmsg r;
	do {
		rc = read_message(&r);
		if (rc < 0)
			return rc;
	} while (rc == 1 || r.req_id != hdr.req_id);
	if (r.type == XS_ERROR)
		return error_number(payload);
	if (reply_len != NULL)
		*reply_len = r.len;
	return 0;
}

/* path\0 */
static int simple(uint32_t type, xenbus_transaction_t t, const char *path, uint32_t *reply_len)
{
	const char *parts[] = { path };
	const uint32_t lens[] = { (uint32_t)strlen(path) + 1 };
	return request(type, t, parts, lens, 1, reply_len);
}

static int copy_out(char *buf, uint32_t size, uint32_t len)
{
	if (size == 0)
		return (int)len;
	uint32_t n = len < size - 1 ? len : size - 1;
	memcpy(buf, payload, n);
	buf[n] = '\0';
	return (int)n;
}

int xenbus_read(xenbus_transaction_t t, const char *path, char *buf, uint32_t size)
{
	uint32_t len = 0;
	int rc = simple(XS_READ, t, path, &len);
	return rc < 0 ? rc : copy_out(buf, size, len);
}

int xenbus_directory(xenbus_transaction_t t, const char *path, char *buf, uint32_t size)
{
	uint32_t len = 0;
	int rc = simple(XS_DIRECTORY, t, path, &len);
	if (rc < 0)
		return rc;
	uint32_t n = len < size ? len : size;
	memcpy(buf, payload, n);
	return (int)n;
}

int xenbus_write(xenbus_transaction_t t, const char *path, const char *value)
{
	const char *parts[] = { path, value };
	const uint32_t lens[] = { (uint32_t)strlen(path) + 1, (uint32_t)strlen(value) };
	return request(XS_WRITE, t, parts, lens, 2, NULL);
}

int xenbus_rm(xenbus_transaction_t t, const char *path)
{
	return simple(XS_RM, t, path, NULL);
}

static int watch_op(uint32_t type, const char *path, const char *token)
{
	const char *parts[] = { path, token };
	const uint32_t lens[] = { (uint32_t)strlen(path) + 1, (uint32_t)strlen(token) + 1 };
	return request(type, XBT_NIL, parts, lens, 2, NULL);
}

int xenbus_watch(const char *path, const char *token) { return watch_op(XS_WATCH, path, token); }
int xenbus_unwatch(const char *path, const char *token) { return watch_op(XS_UNWATCH, path, token); }

int xenbus_transaction_start(xenbus_transaction_t *t)
{
	uint32_t len = 0;
	int rc = simple(XS_TRANSACTION_START, XBT_NIL, "", &len);
	if (rc < 0)
		return rc;
	uint32_t id = 0;
	for (const char *p = payload; *p >= '0' && *p <= '9'; p++)
		id = id * 10 + (uint32_t)(*p - '0');
	*t = id;
	return id != 0 ? 0 : -XEN_EIO;
}

int xenbus_transaction_end(xenbus_transaction_t t, int abort)
{
	return simple(XS_TRANSACTION_END, t, abort ? "F" : "T", NULL);
}

int xenbus_read_int(xenbus_transaction_t t, const char *path, long *value)
{
	char buf[24];
	int rc = xenbus_read(t, path, buf, sizeof(buf));
	if (rc < 0)
		return rc;
	long v = 0;
	int neg = buf[0] == '-';
	for (const char *p = buf + neg; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (*p - '0');
	*value = neg ? -v : v;
	return 0;
}

int xenbus_event(char *path, uint32_t path_size, char *token, uint32_t token_size)
{
	if (ev_head == ev_tail)
		return 0;
	struct watch_event *e = &events[ev_head++ % MAX_EVENTS];
	snprintf(path, path_size, "%s", e->path);
	snprintf(token, token_size, "%s", e->token);
	return 1;
}

void xenbus_poll(void)
{
	struct xsd_sockmsg hdr;
	while (ready && xs->rsp_prod - xs->rsp_cons >= sizeof(hdr))
		if (read_message(&hdr) < 0)
			break;
}

int xenbus_ready(void)
{
	return ready;
}

/* Probes xenstored with one read, then watches control/shutdown for the toolstack. */
int xenbus_init(void)
{
	if (start_info->store_mfn == 0)
		return -XEN_ENODEV;
	xs = pfn_to_kva(mfn_to_pfn((uint32_t)start_info->store_mfn));
	xs_port = start_info->store_evtchn;
	ready = 1;
	wait_ns = PROBE_NS;
	char buf[16];
	int rc = xenbus_read(XBT_NIL, "domid", buf, sizeof(buf));
	wait_ns = WAIT_NS;
	if (rc < 0 && rc != -XEN_ENOENT) {
		ready = 0;   /* nobody answers */
		return rc;
	}
	return xenbus_watch("control/shutdown", "shutdown");
}

int xenbus_shutdown_request(void)
{
	if (!ready)
		return -1;
	xenbus_poll();
	char path[128], token[32], what[32];
	int request = -1;
	/* The watches that outlive the self-tests: shutdown requests here, the balloon's target
	   flagged for balloon_poll; anything else is dropped. */
	extern int balloon_event;
	while (xenbus_event(path, sizeof(path), token, sizeof(token))) {
		if (strcmp(token, "balloon") == 0)
			balloon_event = 1;
		if (strcmp(token, "shutdown") != 0 || xenbus_read(XBT_NIL, "control/shutdown", what, sizeof(what)) <= 0)
			continue;
		xenbus_write(XBT_NIL, "control/shutdown", "");   /* acknowledged, as Linux does */
		if (strcmp(what, "poweroff") == 0 || strcmp(what, "halt") == 0)
			request = SHUTDOWN_poweroff;
		else if (strcmp(what, "reboot") == 0)
			request = SHUTDOWN_reboot;
	}
	return request;
}
