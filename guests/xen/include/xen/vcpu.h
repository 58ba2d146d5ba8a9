/* xen/vcpu.h: vcpu_op (#24) commands and argument structs. */
#ifndef XEN_VCPU_H
#define XEN_VCPU_H

#include <xen/xen.h>

#define VCPUOP_initialise                 0
#define VCPUOP_up                         1
#define VCPUOP_down                       2
#define VCPUOP_is_up                      3
#define VCPUOP_get_runstate_info          4
#define VCPUOP_register_runstate_memory_area 5
#define VCPUOP_set_periodic_timer         6
#define VCPUOP_stop_periodic_timer        7
#define VCPUOP_set_singleshot_timer       8
#define VCPUOP_stop_singleshot_timer      9
#define VCPUOP_register_vcpu_info        10
#define VCPUOP_send_nmi                  11
#define VCPUOP_get_physid                12

#define RUNSTATE_running  0
#define RUNSTATE_runnable 1
#define RUNSTATE_blocked  2
#define RUNSTATE_offline  3

struct vcpu_runstate_info {
	int32_t state;
	uint64_t state_entry_time;
	uint64_t time[4];
};
struct vcpu_set_periodic_timer { uint64_t period_ns; };
#define VCPU_SSHOTTMR_future (1U << 0)
struct vcpu_set_singleshot_timer { uint64_t timeout_abs_ns; uint32_t flags; };
struct vcpu_register_vcpu_info { uint64_t mfn; uint32_t offset; uint32_t rsvd; };

/* rv32: the state VCPUOP_initialise installs (docs/pv-abi.md, "vCPUs"). */
struct vcpu_guest_context {
	uint32_t x[32];     /* x[0] ignored */
	uint32_t pc;        /* S-mode entry point */
	uint32_t flags;     /* 0 */
	uint64_t root_mfn;  /* root table, referenced like MMUEXT_NEW_BASEPTR */
	uint32_t stvec, sscratch;
	uint32_t sstatus;   /* SIE, SPIE, SUM, MXR honoured */
	uint32_t sie;       /* SSIE honoured */
};

_Static_assert(sizeof(struct vcpu_guest_context) == 160, "vcpu_guest_context");
_Static_assert(offsetof(struct vcpu_guest_context, pc) == 128, "vcpu_guest_context.pc");
_Static_assert(offsetof(struct vcpu_guest_context, root_mfn) == 136, "vcpu_guest_context.root_mfn");
_Static_assert(offsetof(struct vcpu_guest_context, stvec) == 144, "vcpu_guest_context.stvec");
_Static_assert(offsetof(struct vcpu_guest_context, sstatus) == 152, "vcpu_guest_context.sstatus");
_Static_assert(offsetof(struct vcpu_guest_context, sie) == 156, "vcpu_guest_context.sie");
_Static_assert(sizeof(struct vcpu_runstate_info) == 48, "vcpu_runstate_info");
_Static_assert(offsetof(struct vcpu_runstate_info, state_entry_time) == 8, "state_entry_time");
_Static_assert(offsetof(struct vcpu_runstate_info, time) == 16, "runstate.time");
_Static_assert(sizeof(struct vcpu_set_periodic_timer) == 8, "set_periodic_timer");
_Static_assert(sizeof(struct vcpu_set_singleshot_timer) == 16, "set_singleshot_timer");
_Static_assert(offsetof(struct vcpu_set_singleshot_timer, flags) == 8, "singleshot.flags");
_Static_assert(sizeof(struct vcpu_register_vcpu_info) == 16, "register_vcpu_info");

#endif
