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
 * (also as '*'); length modifiers hh h l ll z. printf/puts/putchar turn "\n" into "\r\n"
 * (a raw serial terminal needs the carriage return); snprintf leaves text as it is.
 * Return values follow C: characters written, or that would have been written. */
int putchar(int c);
int puts(const char *s);                 /* writes s and a newline */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));

/* ---- console input ----
 * Non-blocking, unlike C's getchar: returns the next byte (0..255), or -1 if none is waiting. */
int getchar(void);

/* ---- exit ----
 * Ends the whole machine. exit(0) = success; any other code = failure with that code
 * (QEMU's exit status is code & 0xff). Never returns. */
_Noreturn void exit(int code);

/* ---- backend hooks (one per flavour; printf & co. are built on these) ---- */
void rt_console_putc(int c);              /* one raw byte, no newline translation */
int  rt_console_getc(void);               /* -1 if no input */

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
