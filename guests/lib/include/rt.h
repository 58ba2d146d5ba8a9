/*
 * rt.h: the small freestanding C runtime shared by every C guest (guests/lib/).
 *
 * One header for everything: string functions, printf family, console input, exit and
 * CSR/counter helpers. The same API works in both flavours; only the backend differs:
 *   M-mode (librt-m.a): ns16550 UART at 0x10000000, exit through the SiFive test finisher.
 *   S-mode (librt-s.a): SBI legacy console calls, exit through SBI SRST.
 * Startup (crt0-m.S / crt0-s.S) calls
 *   M-mode: int main(unsigned long hartid)
 *   S-mode: int main(unsigned long hartid, unsigned long dtb)   (dtb may be 0 on tsxen)
 * and passes main's return value to exit().
 */
#ifndef TSXEN_RT_H
#define TSXEN_RT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* ---- string.h subset (plain names: gcc may emit calls to memcpy/memset/memmove/memcmp) ---- */
void  *memcpy(void *dst, const void *src, size_t n);
void  *memmove(void *dst, const void *src, size_t n);
void  *memset(void *dst, int c, size_t n);
int    memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int    strcmp(const char *a, const char *b);
int    strncmp(const char *a, const char *b, size_t n);
char  *strcpy(char *dst, const char *src);
char  *strchr(const char *s, int c);

/* ---- console output ----
 * Formats: %d %i %u %x %X %o %c %s %p %%; flags '-' '0' '+' ' '; width and precision
 * (also as '*'); length modifiers hh h l ll z t j. %p prints 0x and 8 hex digits.
 * printf/puts/putchar turn "\n" into "\r\n" (a raw serial terminal needs the carriage
 * return); snprintf leaves text as it is.
 * Return values follow C: characters written, or that would have been written. */
int putchar(int c);
int puts(const char *s);                 /* writes s and a newline */
int printf(const char *fmt, ...) __attribute__((format(__printf__, 1, 2)));
int vprintf(const char *fmt, va_list ap) __attribute__((format(__printf__, 1, 0)));
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(__printf__, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap) __attribute__((format(__printf__, 3, 0)));

/* ---- console input ----
 * Non-blocking, unlike C's getchar: returns the next byte (0..255), or -1 if none is waiting. */
int getchar(void);

/* ---- exit ----
 * Ends the whole machine; never returns. exit(0) = success, anything else = failure.
 * M-mode: the finisher carries the code; QEMU's exit status is then code & 0xff (a code
 * whose low 16 bits are 0 becomes 1, so that it cannot read as success).
 * S-mode: SBI SRST can only say "system failure", so the code itself is lost; tsxen
 * reports the failure, but QEMU with OpenSBI exits with status 0 either way. */
_Noreturn void exit(int code);

/* ---- backend hooks (one per flavour; printf & co. are built on these) ---- */
void rt_console_putc(int c);              /* one raw byte, no newline translation */
int  rt_console_getc(void);               /* -1 if no input */

/* Called by crt0 (on a fresh stack) for any trap the guest has not installed a handler
 * for: prints the cause/epc/tval CSRs of the image's mode and exits with code 1. */
_Noreturn void rt_fatal_trap(unsigned long cause, unsigned long epc, unsigned long tval);

/* ---- SBI calls (S-mode guests only) ----
 * eid in a7, fid in a6, arguments in a0..a2; returns a0 (error) and a1 (value).
 * Legacy extensions (eid 0x00-0x08) return their only result in a0, i.e. in .error. */
struct sbiret {
	long error;
	long value;
};

static inline struct sbiret sbi_ecall(unsigned long eid, unsigned long fid, unsigned long arg0,
				      unsigned long arg1, unsigned long arg2)
{
	register unsigned long a0 __asm__("a0") = arg0;
	register unsigned long a1 __asm__("a1") = arg1;
	register unsigned long a2 __asm__("a2") = arg2;
	register unsigned long a6 __asm__("a6") = fid;
	register unsigned long a7 __asm__("a7") = eid;
	__asm__ volatile ("ecall" : "+r"(a0), "+r"(a1) : "r"(a2), "r"(a6), "r"(a7) : "memory");
	return (struct sbiret){ (long)a0, (long)a1 };
}

/* ---- CSRs ---- (csr names are spelled as in assembly: csr_read(mstatus)) */
#define csr_read(csr) ({ unsigned long __v; \
        __asm__ volatile ("csrr %0, " #csr : "=r"(__v)); __v; })
#define csr_write(csr, val) ({ unsigned long __v = (unsigned long)(val); \
        __asm__ volatile ("csrw " #csr ", %0" : : "rK"(__v) : "memory"); })
#define csr_set(csr, bits) ({ unsigned long __v = (unsigned long)(bits); \
        __asm__ volatile ("csrs " #csr ", %0" : : "rK"(__v) : "memory"); })
#define csr_clear(csr, bits) ({ unsigned long __v = (unsigned long)(bits); \
        __asm__ volatile ("csrc " #csr ", %0" : : "rK"(__v) : "memory"); })

/* 64-bit counters on rv32: read hi, lo, hi again and retry if hi moved (lo wrapped
 * between the two reads). cycle/instret/time are the user-level read-only shadows;
 * in S-mode they need the firmware to have set mcounteren (OpenSBI and tsxen do). */
#define RT_COUNTER64(name, lo, hi)                                         \
static inline uint64_t name(void) {                                        \
        uint32_t h, l, h2;                                                 \
        do {                                                               \
                __asm__ volatile ("csrr %0, " #hi : "=r"(h));              \
                __asm__ volatile ("csrr %0, " #lo : "=r"(l));              \
                __asm__ volatile ("csrr %0, " #hi : "=r"(h2));             \
        } while (h != h2);                                                 \
        return ((uint64_t)h << 32) | l;                                    \
}
RT_COUNTER64(read_cycle, cycle, cycleh)
RT_COUNTER64(read_instret, instret, instreth)
RT_COUNTER64(read_time, time, timeh)
#undef RT_COUNTER64

#endif
