/*
 * xen/hypercall.h: the rv32 hypercall convention (docs/pv-abi.md) as inline wrappers.
 *
 * `ecall` from S-mode; the hypercall number in a7, arguments in a0..a5, the result in a0
 * (negative: -XEN_Exxx). A 64-bit scalar takes two registers, low word first. Only a0
 * changes; the "memory" clobber tells the compiler the hypervisor reads and writes
 * through the pointers it was given.
 */
#ifndef XEN_HYPERCALL_H
#define XEN_HYPERCALL_H

#include <xen/xen.h>
#include <xen/errno.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xen/version.h>

static inline long _hypercall5(unsigned long nr, unsigned long a, unsigned long b, unsigned long c,
			       unsigned long d, unsigned long e)
{
	register unsigned long a0 __asm__("a0") = a;
	register unsigned long a1 __asm__("a1") = b;
	register unsigned long a2 __asm__("a2") = c;
	register unsigned long a3 __asm__("a3") = d;
	register unsigned long a4 __asm__("a4") = e;
	register unsigned long a7 __asm__("a7") = nr;
	__asm__ volatile ("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a7) : "memory");
	return (long)a0;
}
#define _hypercall0(nr)             _hypercall5(nr, 0, 0, 0, 0, 0)
#define _hypercall1(nr, a)          _hypercall5(nr, (unsigned long)(a), 0, 0, 0, 0)
#define _hypercall2(nr, a, b)       _hypercall5(nr, (unsigned long)(a), (unsigned long)(b), 0, 0, 0)
#define _hypercall3(nr, a, b, c)    _hypercall5(nr, (unsigned long)(a), (unsigned long)(b), (unsigned long)(c), 0, 0)
#define _hypercall4(nr, a, b, c, d) _hypercall5(nr, (unsigned long)(a), (unsigned long)(b), (unsigned long)(c), \
					    (unsigned long)(d), 0)

static inline int HYPERVISOR_mmu_update(mmu_update_t *req, unsigned count, unsigned *done, unsigned foreigndom)
{
	return (int)_hypercall4(__HYPERVISOR_mmu_update, req, count, done, foreigndom);
}
static inline int HYPERVISOR_mmuext_op(mmuext_op_t *op, unsigned count, unsigned *done, unsigned foreigndom)
{
	return (int)_hypercall4(__HYPERVISOR_mmuext_op, op, count, done, foreigndom);
}
static inline int HYPERVISOR_update_va_mapping(unsigned long va, uint64_t pte, unsigned long flags)
{
	return (int)_hypercall4(__HYPERVISOR_update_va_mapping, va, (uint32_t)pte, (uint32_t)(pte >> 32), flags);
}
static inline int HYPERVISOR_memory_op(unsigned cmd, void *arg)
{
	return (int)_hypercall2(__HYPERVISOR_memory_op, cmd, arg);
}
static inline int HYPERVISOR_multicall(multicall_entry_t *calls, unsigned nr)
{
	return (int)_hypercall2(__HYPERVISOR_multicall, calls, nr);
}
static inline int HYPERVISOR_set_timer_op(uint64_t timeout_ns)
{
	return (int)_hypercall2(__HYPERVISOR_set_timer_op, (uint32_t)timeout_ns, (uint32_t)(timeout_ns >> 32));
}
static inline int HYPERVISOR_xen_version(int cmd, void *arg)
{
	return (int)_hypercall2(__HYPERVISOR_xen_version, cmd, arg);
}
static inline int HYPERVISOR_console_io(int cmd, unsigned count, const char *buf)
{
	return (int)_hypercall3(__HYPERVISOR_console_io, cmd, count, buf);
}
static inline int HYPERVISOR_vm_assist(unsigned cmd, unsigned type)
{
	return (int)_hypercall2(__HYPERVISOR_vm_assist, cmd, type);
}
static inline int HYPERVISOR_vcpu_op(int cmd, unsigned vcpuid, void *arg)
{
	return (int)_hypercall3(__HYPERVISOR_vcpu_op, cmd, vcpuid, arg);
}
static inline int HYPERVISOR_sched_op(int cmd, void *arg)
{
	return (int)_hypercall2(__HYPERVISOR_sched_op, cmd, arg);
}
static inline int HYPERVISOR_event_channel_op(int cmd, void *arg)
{
	return (int)_hypercall2(__HYPERVISOR_event_channel_op, cmd, arg);
}
static inline int HYPERVISOR_grant_table_op(unsigned cmd, void *uops, unsigned count)
{
	return (int)_hypercall3(__HYPERVISOR_grant_table_op, cmd, uops, count);
}
static inline int HYPERVISOR_domctl(void *arg)
{
	return (int)_hypercall1(__HYPERVISOR_domctl, arg);
}
static inline int HYPERVISOR_sysctl(void *arg)
{
	return (int)_hypercall1(__HYPERVISOR_sysctl, arg);
}

#endif
