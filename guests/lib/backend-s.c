/*
 * S-mode backend (librt-s.a): console and exit through SBI calls, answered by OpenSBI on
 * QEMU and by tsxen's own SBI firmware.
 */
#include <rt.h>

#define SBI_LEGACY_PUTCHAR  0x01
#define SBI_LEGACY_GETCHAR  0x02
#define SBI_LEGACY_SHUTDOWN 0x08
#define SBI_EXT_SRST        0x53525354
#define SRST_SHUTDOWN       0
#define SRST_NO_REASON      0
#define SRST_SYSTEM_FAILURE 1

void rt_console_putc(int c)
{
	sbi_ecall(SBI_LEGACY_PUTCHAR, 0, (unsigned long)c, 0, 0);
}

int rt_console_getc(void)
{
	/* Legacy calls return their value in a0 (the error slot), -1 when no input. */
	long c = sbi_ecall(SBI_LEGACY_GETCHAR, 0, 0, 0, 0).error;
	return c < 0 ? -1 : (int)(c & 0xff);
}

_Noreturn void exit(int code)
{
	/* SRST can only say "failure", not which code: the code is lost in S-mode. */
	sbi_ecall(SBI_EXT_SRST, 0, SRST_SHUTDOWN,
		  code == 0 ? SRST_NO_REASON : SRST_SYSTEM_FAILURE, 0);
	sbi_ecall(SBI_LEGACY_SHUTDOWN, 0, 0, 0, 0);   /* firmware without SRST */
	for (;;)
		__asm__ volatile ("wfi");
}

/* crt0-s.S points stvec here (on a fresh stack): any trap the kernel did not ask for. */
_Noreturn void rt_fatal_trap(unsigned long cause, unsigned long epc, unsigned long tval)
{
	static int nested;
	if (nested++ == 0)       /* a trap while reporting one: just stop */
		printf("\nunexpected trap: scause=0x%08lx sepc=0x%08lx stval=0x%08lx\n", cause, epc, tval);
	exit(1);
}
