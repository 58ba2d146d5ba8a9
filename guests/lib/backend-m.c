/*
 * M-mode backend (librt-m.a): console on the ns16550 UART, exit through the SiFive
 * test finisher, as on QEMU virt with -bios none.
 */
#include <rt.h>

#define UART0     ((volatile uint8_t *)0x10000000)
#define UART_THR  0            /* transmit holding register (write) */
#define UART_RBR  0            /* receive buffer register (read) */
#define UART_LSR  5            /* line status register */
#define LSR_DR    0x01         /* a received byte is waiting */
#define LSR_THRE  0x20         /* transmit holding register empty */

#define FINISHER  ((volatile uint32_t *)0x00100000)
#define FINISH_PASS 0x5555
#define FINISH_FAIL 0x3333

void rt_console_putc(int c)
{
	while (!(UART0[UART_LSR] & LSR_THRE))
		;
	UART0[UART_THR] = (uint8_t)c;
}

int rt_console_getc(void)
{
	if (!(UART0[UART_LSR] & LSR_DR))
		return -1;
	return UART0[UART_RBR];
}

_Noreturn void exit(int code)
{
	/* The finisher takes a 16-bit code; a nonzero code must never read as a pass. */
	uint32_t c = (uint32_t)code & 0xffff;
	if (code != 0 && c == 0)
		c = 1;
	*FINISHER = code == 0 ? FINISH_PASS : (c << 16) | FINISH_FAIL;
	for (;;)
		__asm__ volatile ("wfi");
}

/* crt0-m.S points mtvec here (on a fresh stack): any trap the guest did not ask for. */
_Noreturn void rt_fatal_trap(unsigned long cause, unsigned long epc, unsigned long tval)
{
	static int nested;
	if (nested++ == 0)       /* a trap while reporting one: just stop */
		printf("\nunexpected trap: mcause=0x%08lx mepc=0x%08lx mtval=0x%08lx\n", cause, epc, tval);
	exit(1);
}
