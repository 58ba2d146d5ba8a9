#ifndef MINIOS_USER_H
#define MINIOS_USER_H
#include <rt.h>
#include <stdint.h>

enum {
	PROG_HELLO, PROG_SYSCALLS, PROG_DEMAND, PROG_YIELDER, PROG_SPAWNER, PROG_EXIT,
	PROG_ISOLATION, PROG_BENCH_NULL, PROG_BENCH_FAULT, PROG_BENCH_SWITCH, PROG_CPU, PROG_WORKER,
};
enum { SYS_exit, SYS_write, SYS_getpid, SYS_yield, SYS_null, SYS_cycles, SYS_spawn, SYS_wait, SYS_sleep, SYS_work };

long syscall3(long nr, long a, long b, long c);
uint64_t sys_cycles(void);
#endif
