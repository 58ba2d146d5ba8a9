/* ulib.c: system-call wrappers and the console backend of guests/lib's printf for user programs. */
#include "user.h"

long syscall3(long nr, long a, long b, long c)
{
	register long a0 __asm__("a0") = a;
	register long a1 __asm__("a1") = b;
	register long a2 __asm__("a2") = c;
	register long a7 __asm__("a7") = nr;
	__asm__ volatile ("ecall" : "+r"(a0), "+r"(a1) : "r"(a2), "r"(a7) : "memory");
	return a0;
}

uint64_t sys_cycles(void)
{
	register long a0 __asm__("a0");
	register long a1 __asm__("a1");
	register long a7 __asm__("a7") = SYS_cycles;
	__asm__ volatile ("ecall" : "=r"(a0), "=r"(a1) : "r"(a7) : "memory");
	return ((uint64_t)(uint32_t)a1 << 32) | (uint32_t)a0;
}

static char line[128];
static unsigned used;

static void flush(void)
{
	if (used)
		syscall3(SYS_write, (long)line, used, 0);
	used = 0;
}

void rt_console_putc(int c)
{
	line[used++] = (char)c;
	if (c == '\n' || used == sizeof(line))
		flush();
}

int rt_console_getc(void)
{
	return -1;
}

_Noreturn void exit(int code)
{
	flush();
	syscall3(SYS_exit, code, 0, 0);
	for (;;)
		;
}
