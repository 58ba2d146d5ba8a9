/* xenbus-tests.c: self-tests of the xenstore client against Domain 0's xenstored. */
#include <minios.h>
#include <xen/hypercall.h>
#include "xenbus.h"

static domid_t my_domid(void)
{
	/* The hypervisor resolves DOMID_SELF in an unbound port's status. */
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
	HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &au);
	struct evtchn_status st = { .dom = DOMID_SELF, .port = au.port };
	HYPERVISOR_event_channel_op(EVTCHNOP_status, &st);
	struct evtchn_close cl = { .port = au.port };
	HYPERVISOR_event_channel_op(EVTCHNOP_close, &cl);
	return st.u.unbound.dom;
}

static int ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);
	return a >= b && strcmp(s + a - b, tail) == 0;
}

static int wait_event(const char *token, char *path, uint32_t size)
{
	char tok[32];
	for (int i = 0; i < 50; i++) {
		xenbus_poll();
		while (xenbus_event(path, size, tok, sizeof(tok)))
			if (strcmp(tok, token) == 0)
				return 1;
		arch_timer_set(arch_now_ns() + 1000000);
		idle_once();
	}
	return 0;
}

void xenbus_tests(void)
{
	int rc;
	if (!xenbus_ready()) {
		printf("  (xenstore does not answer: xenbus tests skipped)\n");
		return;
	}
	long domid = -1;
	char name[64], buf[256];
	int r1 = xenbus_read_int(XBT_NIL, "domid", &domid);
	int r2 = xenbus_read(XBT_NIL, "name", name, sizeof(name));
	CHECK("xenbus-read", r1 == 0 && domid == my_domid() && r2 > 0, "domid %d -> %ld (we are %u), name %d", r1, domid,
	      my_domid(), r2);

	int w = xenbus_write(XBT_NIL, "data/minios", "hello xenstore");
	int r = xenbus_read(XBT_NIL, "data/minios", buf, sizeof(buf));
	CHECK("xenbus-write", w == 0 && r == 14 && strcmp(buf, "hello xenstore") == 0, "write %d, read %d \"%s\"", w, r, buf);

	int n = xenbus_directory(XBT_NIL, "data", buf, sizeof(buf));
	int found = 0;
	for (int i = 0; i < n; i += (int)strlen(buf + i) + 1)
		found |= strcmp(buf + i, "minios") == 0;
	CHECK("xenbus-directory", n > 0 && found, "directory of data: %d bytes, minios %s", n, found ? "found" : "missing");

	char path[128];
	int wr = xenbus_watch("data/minios-watch", "w1");
	int first = wr == 0 && wait_event("w1", path, sizeof(path));   /* a watch fires once at once */
	xenbus_write(XBT_NIL, "data/minios-watch", "1");
	int second = wait_event("w1", path, sizeof(path));
	int uw = xenbus_unwatch("data/minios-watch", "w1");
	CHECK("xenbus-watch", wr == 0 && first && second && ends_with(path, "data/minios-watch") && uw == 0,
	      "watch %d, first event %d, event on write %d (%s), unwatch %d", wr, first, second, path, uw);

	int tries = 0, end;
	do {
		xenbus_transaction_t t;
		if ((rc = xenbus_transaction_start(&t)) < 0)
			break;
		long v = 0;
		xenbus_read_int(t, "data/minios-counter", &v);
		snprintf(buf, sizeof(buf), "%ld", v + 1);
		xenbus_write(t, "data/minios-counter", buf);
		end = xenbus_transaction_end(t, 0);
	} while (end == -XEN_EAGAIN && ++tries < 5);
	long counter = 0;
	int rr = xenbus_read_int(XBT_NIL, "data/minios-counter", &counter);
	CHECK("xenbus-transaction", rc == 0 && end == 0 && rr == 0 && counter == 1, "start %d, end %d after %d retries, counter %ld",
	      rc, end, tries, counter);

	int rm = xenbus_rm(XBT_NIL, "data/minios");
	int gone = xenbus_read(XBT_NIL, "data/minios", buf, sizeof(buf));
	CHECK("xenbus-rm-enoent", rm == 0 && gone == -XEN_ENOENT, "rm %d, then read %d", rm, gone);
	xenbus_rm(XBT_NIL, "data/minios-watch");
	xenbus_rm(XBT_NIL, "data/minios-counter");
}
