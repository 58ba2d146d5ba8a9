/*
 * main.c: the boot narrative and the self-test report.
 *
 * start_kernel runs the same steps on both flavours: the arch layer finds its memory and
 * console, mm_init maps every frame into the direct map and switches to the kernel's page
 * tables, the arch layer brings up interrupts/events and time, then the self-tests (and,
 * when the command line asks, the benchmarks) run and the machine powers off.
 */
#include <minios.h>

struct boot_info boot;
volatile int fault_expected;
volatile uint32_t fault_cause, fault_addr;
static uint32_t passed, failed;

/* The value of `key=N` on the command line, or `dflt`. */
uint32_t cmdline_uint(const char *key, uint32_t dflt)
{
	size_t n = strlen(key);
	for (const char *p = boot.cmdline; p != NULL && *p != '\0'; p++) {
		if ((p == boot.cmdline || p[-1] == ' ') && strncmp(p, key, n) == 0 && p[n] == '=') {
			uint32_t v = 0;
			for (p += n + 1; *p >= '0' && *p <= '9'; p++)
				v = v * 10 + (uint32_t)(*p - '0');
			return v;
		}
	}
	return dflt;
}

int cmdline_has(const char *word)
{
	size_t n = strlen(word);
	for (const char *p = boot.cmdline; p != NULL && *p != '\0'; ) {
		while (*p == ' ')
			p++;
		const char *e = p;
		while (*e != '\0' && *e != ' ')
			e++;
		if ((size_t)(e - p) == n && strncmp(p, word, n) == 0)
			return 1;
		p = e;
	}
	return 0;
}

void test_result(const char *name, int ok, const char *fmt, ...)
{
	if (ok) {
		passed++;
		printf("PASS %s\n", name);
		return;
	}
	failed++;
	printf("FAIL %s: ", name);
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

_Noreturn void panic(const char *fmt, ...)
{
	printf("FAIL panic: ");
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\nminios: done %lu passed %lu failed\n", (unsigned long)passed, (unsigned long)failed + 1);
	arch_poweroff(1);
}

/* printf & co. (guests/lib) end up here. */
void rt_console_putc(int c)
{
	char ch = (char)c;
	arch_console_write(&ch, 1);
}

int rt_console_getc(void)
{
	return -1;
}

_Noreturn void exit(int code)
{
	arch_poweroff(code != 0);
}

void start_kernel(unsigned long boot_arg)
{
	tp_cpu = &cpus[0];   /* CPU 0's per-CPU block */
	arch_init(boot_arg);
	printf("minios (%s): %lu pages at %p, cmdline \"%s\"\n", boot.flavour, (unsigned long)boot.nr_pages,
	       (void *)boot.virt_base, boot.cmdline);
	mm_init();
	arch_init_late();
	if (cmdline_has("demo"))
		run_demo();   /* never returns */
	int ran = arch_command();
	if (cmdline_has("bench")) {
		run_bench();
		ran = 1;
	}
	if (cmdline_has("cpu")) {
		run_cpu();
		ran = 1;
	}
	if (!ran)
		run_tests();
	printf("minios: done %lu passed %lu failed\n", (unsigned long)passed, (unsigned long)failed);
	arch_poweroff(failed != 0);
}
