/*
 * demo.c: a kernel that keeps running, for watching domains live (cmdline "demo").
 *
 * Three user processes do CPU work in short bursts and sleep in between; once per second
 * of guest time the kernel prints a tick line with its uptime, the work done so far and
 * the number of processes. Console input is read and each line echoed back; the line
 * "poweroff" shuts the kernel down cleanly.
 */
#include <minios.h>

#define NS_PER_S   1000000000ull
#define POLL_NS    100000000ull   /* console input is looked at every 100 ms */
#define WORKERS    3

static char line[128];
static uint32_t used;

static void input(int c)
{
	if (c == '\r' || c == '\n') {
		if (used == 0)
			return;
		line[used] = '\0';
		used = 0;
		printf("[demo] you typed: %s\n", line);
		if (strcmp(line, "poweroff") == 0) {
			printf("[demo] powering off\n");
			arch_poweroff(0);
		}
	} else if (c == 0x7f || c == '\b') {
		if (used > 0)
			used--;
	} else if (c >= ' ' && c < 0x7f && used < sizeof(line) - 1) {
		line[used++] = (char)c;
	}
}

void run_demo(void)
{
	uint64_t start = arch_now_ns(), next_tick = start + NS_PER_S;
	for (uint32_t i = 0; i < WORKERS; i++)
		proc_spawn(PROG_WORKER, i);
	printf("[demo] %d worker processes started; type a line to have it echoed, \"poweroff\" to stop\n", WORKERS);
	for (uint32_t tick = 1;;) {
		uint64_t now = arch_now_ns();
		proc_sleep_until(now + POLL_NS < next_tick ? now + POLL_NS : next_tick);
		for (int c; (c = arch_console_getc()) >= 0;)
			input(c);
		arch_poll();
		now = arch_now_ns();
		if (now >= next_tick) {
			uint64_t up = (now - start) / 100000000ull;   /* tenths of a second */
			printf("[demo] tick %lu: uptime %lu.%lu s, %lu work units, %d processes\n", (unsigned long)tick,
			       (unsigned long)(up / 10), (unsigned long)(up % 10), (unsigned long)work_units, proc_count());
			tick++;
			next_tick += NS_PER_S;
			if (next_tick <= now)
				next_tick = now + NS_PER_S;
		}
	}
}
